// Event-driven scheduling: debounce, max delay, bursts, idle skips, reconcile, overflow.

#include <gtest/gtest.h>

#include <coltec/scheduler.hpp>

#include "fakes/fake_job_runner.hpp"

namespace coltec::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

JobSpec watched(std::string name, Direction direction, std::chrono::seconds interval) {
  JobSpec spec = job(std::move(name), direction, interval);
  spec.event_driven = true;
  return spec;
}

TEST(SchedulerEvents, ChangesRunAfterTheQuietWindowFromTheLastChange) {
  Rig rig({job("a", Direction::bidirectional, 3600s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.on_local_change("a", t0 + 10s);
  rig.scheduler.on_local_change("a", t0 + 10100ms);
  rig.scheduler.on_local_change("a", t0 + 10200ms);
  EXPECT_EQ(rig.scheduler.next_wakeup(), t0 + 10500ms);
  rig.at(10499ms);
  EXPECT_EQ(rig.runner.count("a"), 1u);
  rig.at(10500ms);
  EXPECT_EQ(rig.runner.count("a", RunReason::local_change), 1u);
}

TEST(SchedulerEvents, ContinuousWritesStillSyncAfterMaxDelay) {
  Rig rig({job("a", Direction::bidirectional, 3600s)}, SchedulerConfig{});
  rig.start_and_succeed();
  // A change every 100 ms never leaves a 300 ms quiet window.
  for (int ms = 1000; ms <= 7000; ms += 100) {
    rig.scheduler.on_local_change("a", t0 + milliseconds{ms});
    rig.at(milliseconds{ms});
  }
  EXPECT_EQ(rig.runner.times("a"), (std::vector<milliseconds>{0ms, 6000ms}));
  EXPECT_EQ(rig.runner.started.back().request.reason, RunReason::local_change);
}

TEST(SchedulerEvents, ABurstOfAThousandChangesIsOneRun) {
  Rig rig({job("a", Direction::push_only, 3600s)}, SchedulerConfig{});
  rig.start_and_succeed();
  for (int i = 0; i < 1000; ++i) rig.scheduler.on_local_change("a", t0 + 5s + milliseconds{i % 50});
  EXPECT_TRUE(rig.status("a")->pending_changes);
  rig.follow_until(60s);
  EXPECT_EQ(rig.runner.count("a", RunReason::local_change), 1u);
  rig.runner.finish("a");
  rig.follow_until(600s);
  EXPECT_EQ(rig.runner.count("a"), 2u);
  EXPECT_FALSE(rig.status("a")->pending_changes);
}

TEST(SchedulerEvents, ChangesDuringASuccessfulRunStayPending) {
  Rig rig({job("a", Direction::push_only, 3600s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.on_local_change("a", t0 + 1s);
  rig.at(1300ms);
  rig.scheduler.on_local_change("a", t0 + 2s);  // may or may not be in that run
  rig.runner.finish("a");
  rig.at(3s);
  EXPECT_TRUE(rig.status("a")->pending_changes);
  EXPECT_EQ(rig.runner.count("a", RunReason::local_change), 2u);
  rig.runner.finish("a");
  rig.at(4s);
  EXPECT_FALSE(rig.status("a")->pending_changes);
}

TEST(SchedulerEvents, PullOnlyIgnoresLocalChanges) {
  Rig rig({job("p", Direction::pull_only, 600s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.on_local_change("p", t0 + 1s);
  rig.scheduler.on_overflow("p", t0 + 1s);
  EXPECT_EQ(rig.scheduler.next_wakeup(), t0 + 600s);
  rig.run_until(599s, 1s);
  EXPECT_EQ(rig.runner.count("p"), 1u);
  EXPECT_FALSE(rig.status("p")->pending_changes);
}

TEST(SchedulerEvents, IdlePushOnlySkipsIntervalRunsButSyncsChanges) {
  Rig rig({watched("code", Direction::push_only, 60s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.run_until(600s, 1s);
  EXPECT_EQ(rig.runner.count("code"), 1u);  // start-up only

  rig.scheduler.on_local_change("code", t0 + 610s);
  rig.run_until(611s, 100ms);
  EXPECT_EQ(rig.runner.count("code", RunReason::local_change), 1u);
  rig.runner.finish("code");
  rig.run_until(1200s, 1s);
  EXPECT_EQ(rig.runner.count("code"), 2u);
}

TEST(SchedulerEvents, IdleSkipStillRunsWhenTheLastChangeWasNotSynced) {
  Rig rig({watched("code", Direction::push_only, 60s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.on_local_change("code", t0 + 10s);
  rig.at(10300ms);
  rig.runner.fail("code", Outcome::failure);  // no retry; back to the interval
  rig.at(11s);
  rig.follow_until(100s);
  EXPECT_EQ(rig.runner.count("code", RunReason::interval), 1u);
  EXPECT_EQ(rig.runner.times("code").back(), milliseconds{70300ms});
}

TEST(SchedulerEvents, IdlePushOnlyStillReconciles) {
  Rig rig({watched("code", Direction::push_only, 60s)},
          SchedulerConfig{.reconcile_every = std::chrono::seconds{300}});
  rig.runner.auto_report = RunReport{};
  rig.start();
  rig.follow_until(900s);
  EXPECT_EQ(rig.runner.times("code"), (std::vector<milliseconds>{0s, 300s, 600s, 900s}));
  EXPECT_EQ(rig.runner.count("code", RunReason::reconcile), 3u);
}

TEST(SchedulerEvents, BidirectionalAndUnwatchedPushOnlyKeepTheirIntervalRuns) {
  Rig rig({watched("bi", Direction::bidirectional, 60s), job("push", Direction::push_only, 60s)},
          SchedulerConfig{});
  rig.runner.auto_report = RunReport{};
  rig.start();
  rig.follow_until(600s);
  EXPECT_EQ(rig.runner.count("bi"), 11u);
  EXPECT_EQ(rig.runner.count("push"), 11u);
}

TEST(SchedulerEvents, PollingFallbackNeverSkipsIntervalRuns) {
  Rig rig({watched("code", Direction::push_only, 60s)}, SchedulerConfig{});
  rig.runner.auto_report = RunReport{};
  rig.start();
  rig.scheduler.set_watch_fallback("code", true);
  EXPECT_TRUE(rig.status("code")->polling_fallback);
  rig.follow_until(300s);
  EXPECT_EQ(rig.runner.count("code", RunReason::interval), 5u);
  rig.scheduler.set_watch_fallback("code", false);
  rig.follow_until(600s);
  EXPECT_EQ(rig.runner.count("code", RunReason::interval), 5u);
}

TEST(SchedulerEvents, OverflowsCoalesceIntoOneRun) {
  Rig rig({job("a", Direction::bidirectional, 3600s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.on_overflow("a", t0 + 10s);
  rig.scheduler.on_overflow("a", t0 + 10200ms);  // adds nothing, not even time
  EXPECT_EQ(rig.scheduler.next_wakeup(), t0 + 10300ms);
  rig.at(10300ms);
  EXPECT_EQ(rig.runner.count("a", RunReason::overflow), 1u);

  // While it runs, more overflows earn exactly one follow-up.
  rig.scheduler.on_overflow("a", t0 + 11s);
  rig.scheduler.on_overflow("a", t0 + 12s);
  rig.runner.finish("a");
  rig.run_until(20s, 100ms);
  rig.runner.finish("a");
  rig.run_until(100s, 1s);
  EXPECT_EQ(rig.runner.count("a", RunReason::overflow), 2u);
  EXPECT_EQ(rig.runner.count("a"), 3u);
}

TEST(SchedulerEvents, RunAllNowStartsEverythingOnceAndFollowsUpRunningOnes) {
  Rig rig({job("a", Direction::bidirectional, 3600s), job("b", Direction::pull_only, 3600s),
           job("c", Direction::push_only, 3600s)},
          SchedulerConfig{.max_parallel = 2});
  rig.start();
  rig.runner.finish("a");
  rig.runner.finish("b");
  rig.at(1s);              // c starts
  rig.runner.finish("a");  // not running: ignored
  rig.at(2s);
  rig.scheduler.run_all_now(t0 + 100s);
  rig.at(100s);
  EXPECT_EQ(rig.runner.count("a", RunReason::manual), 1u);
  EXPECT_EQ(rig.runner.count("b", RunReason::manual), 0u);  // c still holds a slot
  rig.runner.finish("c");
  rig.at(101s);
  EXPECT_EQ(rig.runner.count("b", RunReason::manual), 1u);
  rig.runner.finish("a");
  rig.at(102s);
  EXPECT_EQ(rig.runner.count("c", RunReason::manual), 1u);
  rig.runner.finish("b");
  rig.runner.finish("c");
  rig.run_until(200s, 1s);
  EXPECT_EQ(rig.runner.started.size(), 6u);
}

}  // namespace
}  // namespace coltec::testing
