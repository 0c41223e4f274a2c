// Stopping (graceful and immediate), once mode, and SIGHUP job replacement.

#include <gtest/gtest.h>

#include <coltec/scheduler.hpp>

#include "fakes/fake_job_runner.hpp"

namespace coltec::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SchedulerStop, StopFlushesPendingChangesOnceAndStartsNothingElse) {
  Rig rig({job("dirty", Direction::push_only, 60s), job("clean", Direction::bidirectional, 60s),
           job("pull", Direction::pull_only, 60s)},
          SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.on_local_change("dirty", t0 + 59900ms);
  rig.now = t0 + 70s;  // intervals are overdue, but a stop starts no scheduled runs
  rig.runner.now = rig.now;
  rig.scheduler.request_stop(rig.now, 10s);
  ASSERT_EQ(rig.runner.started.size(), 4u);
  EXPECT_EQ(rig.runner.started.back().request.action, "dirty");
  EXPECT_EQ(rig.runner.started.back().request.reason, RunReason::flush);
  EXPECT_FALSE(rig.scheduler.finished());

  rig.runner.finish("dirty");
  rig.at(71s);
  EXPECT_TRUE(rig.scheduler.finished());
  EXPECT_EQ(rig.runner.started.size(), 4u);
  EXPECT_FALSE(rig.status("dirty")->pending_changes);
  EXPECT_EQ(rig.scheduler.next_wakeup(), std::nullopt);
}

TEST(SchedulerStop, NothingRunningAndNothingPendingFinishesAtOnce) {
  Rig rig({job("a")}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.request_stop(t0 + 1s, 10s);
  EXPECT_TRUE(rig.scheduler.finished());
  EXPECT_TRUE(rig.runner.cancels.empty());
}

TEST(SchedulerStop, FlushWaitsForAFreeSlotInsideTheGrace) {
  Rig rig({job("busy", Direction::bidirectional, 600s), job("dirty", Direction::push_only, 600s)},
          SchedulerConfig{.max_parallel = 1});
  rig.start();  // busy runs, dirty waits for the slot
  rig.scheduler.on_local_change("dirty", t0 + 1s);
  rig.scheduler.request_stop(t0 + 2s, 10s);
  EXPECT_EQ(rig.runner.count("dirty"), 0u);
  EXPECT_EQ(rig.scheduler.next_wakeup(), t0 + 12s);
  rig.runner.finish("busy");
  rig.at(3s);
  EXPECT_EQ(rig.runner.count("dirty", RunReason::flush), 1u);
  // A failed flush is not repeated.
  rig.runner.fail("dirty", Outcome::temporary_failure);
  rig.at(4s);
  EXPECT_EQ(rig.runner.count("dirty"), 1u);
  EXPECT_TRUE(rig.scheduler.finished());
  EXPECT_TRUE(rig.status("dirty")->pending_changes);  // the "could not flush" list
}

TEST(SchedulerStop, ChangeDuringTheGraceIsFlushedBeforeFinishing) {
  Rig rig({job("busy", Direction::bidirectional, 600s), job("late", Direction::push_only, 600s)},
          SchedulerConfig{.max_parallel = 1});
  rig.start();
  rig.runner.finish("busy");
  rig.at(0s);
  rig.runner.finish("late");
  rig.at(0s);
  rig.scheduler.run_all_now(t0 + 1s);
  rig.at(1s);  // busy runs again
  rig.scheduler.request_stop(t0 + 2s, 10s);
  rig.scheduler.on_local_change("late", t0 + 3s);
  rig.runner.finish("busy");
  rig.at(4s);
  EXPECT_EQ(rig.runner.count("late", RunReason::flush), 1u);
  rig.runner.finish("late");
  // Reported but not yet applied: still not finished.
  EXPECT_FALSE(rig.scheduler.finished());
  rig.at(5s);
  EXPECT_TRUE(rig.scheduler.finished());
}

JobSpec watched(JobSpec spec) {
  spec.event_driven = true;
  return spec;
}

TEST(SchedulerStop, UnwatchedPushOnlyActionsPushOnceMoreOnStop) {
  // Nobody saw what changed since their last run: push-only pushes again, the others
  // (whose stop-time run could only be cut off by the grace) are left alone.
  Rig rig({job("push", Direction::push_only, 600s), job("both", Direction::bidirectional, 600s),
           job("pull", Direction::pull_only, 600s),
           watched(job("watched", Direction::push_only, 600s))},
          SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.request_stop(t0 + 1s, 10s);
  EXPECT_EQ(rig.runner.count("push", RunReason::flush), 1u);
  EXPECT_EQ(rig.runner.count("both", RunReason::flush), 0u);
  EXPECT_EQ(rig.runner.count("pull", RunReason::flush), 0u);
  EXPECT_EQ(rig.runner.count("watched", RunReason::flush), 0u);  // the watcher saw nothing
  EXPECT_FALSE(rig.scheduler.finished());
  rig.runner.finish("push");
  rig.at(2s);
  EXPECT_EQ(rig.runner.count("push"), 2u);  // one flush only
  EXPECT_TRUE(rig.scheduler.finished());
}

TEST(SchedulerStop, PushOnlyInWatchFallbackIsFlushedOnStop) {
  Rig rig({watched(job("limit", Direction::push_only, 600s)),
           watched(job("fine", Direction::push_only, 600s))},
          SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.set_watch_fallback("limit", true);  // e.g. ENOSPC: no events any more
  rig.scheduler.request_stop(t0 + 1s, 10s);
  EXPECT_EQ(rig.runner.count("limit", RunReason::flush), 1u);
  EXPECT_EQ(rig.runner.count("fine", RunReason::flush), 0u);
}

TEST(SchedulerStop, OnceModeStopStartsNoFlush) {
  Rig rig({job("push", Direction::push_only, 600s)}, SchedulerConfig{.once = true});
  rig.start_and_succeed();
  rig.scheduler.request_stop(t0 + 1s, 10s);
  EXPECT_EQ(rig.runner.count("push"), 1u);
  EXPECT_TRUE(rig.scheduler.finished());
}

TEST(SchedulerStop, NotFinishedWhileAFlushIsOwedEvenBeforeTheNextTick) {
  Rig rig({watched(job("a", Direction::push_only, 600s))}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.request_stop(t0 + 1s, 10s);
  EXPECT_TRUE(rig.scheduler.finished());
  rig.scheduler.on_local_change("a", t0 + 2s);
  EXPECT_FALSE(rig.scheduler.finished());
  rig.at(2s);
  EXPECT_EQ(rig.runner.count("a", RunReason::flush), 1u);
}

TEST(SchedulerStop, RunningJobsGetTheGraceThenAreCancelled) {
  Rig rig({job("a"), job("b"), job("dirty", Direction::push_only)},
          SchedulerConfig{.max_parallel = 2});
  rig.runner.complete_on_cancel = false;
  rig.start();  // a and b run
  rig.scheduler.on_local_change("dirty", t0 + 1s);
  rig.scheduler.request_stop(t0 + 2s, 10s);
  rig.at(11999ms);
  EXPECT_TRUE(rig.runner.cancels.empty());
  rig.at(12s);
  EXPECT_EQ(rig.runner.cancels, (std::vector<std::string>{"a", "b"}));
  rig.at(13s);
  EXPECT_EQ(rig.runner.cancels.size(), 2u);  // once each
  EXPECT_FALSE(rig.scheduler.finished());
  EXPECT_EQ(rig.runner.count("dirty"), 0u);  // past the grace: no flush

  rig.runner.finish("a", RunReport{Outcome::cancelled, "cancelled", 0, 0, {}, {}, {}});
  rig.runner.finish("b", RunReport{Outcome::cancelled, "cancelled", 0, 0, {}, {}, {}});
  rig.at(14s);
  EXPECT_TRUE(rig.scheduler.finished());
  EXPECT_EQ(rig.runner.count("dirty"), 0u);
  EXPECT_TRUE(rig.status("dirty")->pending_changes);
  EXPECT_EQ(rig.status("a")->consecutive_failures, 0u);  // cancelling is not a failure
}

TEST(SchedulerStop, SecondRequestDoesNotExtendTheGrace) {
  Rig rig({job("a")}, SchedulerConfig{});
  rig.runner.complete_on_cancel = false;
  rig.start();
  rig.scheduler.request_stop(t0, 10s);
  rig.scheduler.request_stop(t0 + 5s, 60s);
  rig.at(10s);
  EXPECT_EQ(rig.runner.cancels.size(), 1u);
}

TEST(SchedulerStop, StopNowCancelsEverythingImmediately) {
  Rig rig({job("a"), job("b"), job("dirty", Direction::push_only)},
          SchedulerConfig{.max_parallel = 2});
  rig.start();
  rig.scheduler.on_local_change("dirty", t0 + 1s);
  rig.scheduler.request_stop(t0 + 1s, 30s);
  rig.scheduler.stop_now();
  EXPECT_EQ(rig.runner.cancels, (std::vector<std::string>{"a", "b"}));
  rig.at(2s);
  EXPECT_TRUE(rig.scheduler.finished());
  EXPECT_EQ(rig.runner.count("dirty"), 0u);
  EXPECT_EQ(rig.status("a")->last_outcome, Outcome::cancelled);
}

TEST(SchedulerStop, EventsAfterStopStartNothing) {
  Rig rig({job("a", Direction::bidirectional, 60s)}, SchedulerConfig{});
  rig.start_and_succeed();
  rig.scheduler.request_stop(t0 + 1s, 10s);
  rig.scheduler.run_all_now(t0 + 2s);
  rig.run_until(120s, 1s);
  EXPECT_EQ(rig.runner.count("a"), 1u);
  EXPECT_TRUE(rig.scheduler.finished());
}

TEST(SchedulerOnce, EveryActionRunsExactlyOnceWithinTheParallelCap) {
  Rig rig({job("a", Direction::bidirectional, 10s, 1), job("b", Direction::push_only, 10s, 2),
           job("c", Direction::pull_only, 10s, 3)},
          SchedulerConfig{.max_parallel = 2, .once = true});
  rig.start();
  EXPECT_EQ(rig.runner.order(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rig.runner.started[0].request.reason, RunReason::once);
  rig.scheduler.on_local_change("a", t0 + 1s);
  rig.scheduler.run_all_now(t0 + 1s);
  rig.runner.fail("a", Outcome::temporary_failure, "timeout");
  rig.at(1s);
  EXPECT_EQ(rig.runner.order(), (std::vector<std::string>{"a", "b", "c"}));
  rig.runner.finish("b");
  rig.at(2s);
  EXPECT_FALSE(rig.scheduler.finished());
  rig.runner.finish("c");
  rig.at(3s);
  EXPECT_TRUE(rig.scheduler.finished());
  rig.run_until(100s, 1s);
  EXPECT_EQ(rig.runner.started.size(), 3u);  // no retries, no intervals
  EXPECT_EQ(rig.scheduler.next_wakeup(), std::nullopt);
  const auto snap = rig.scheduler.snapshot();
  EXPECT_EQ(snap[0].last_outcome, Outcome::temporary_failure);
  EXPECT_EQ(snap[0].last_error, "timeout");
  EXPECT_EQ(snap[1].last_outcome, Outcome::ok);
}

TEST(SchedulerReload, ReplaceJobsKeepsStateAddsAndRemoves) {
  Rig rig({job("keep", Direction::bidirectional, 600s), job("gone_idle"), job("gone_busy")},
          SchedulerConfig{.max_parallel = 3});
  rig.start();
  rig.runner.fail("keep", Outcome::failure, "bad");
  rig.runner.finish("gone_idle");
  rig.at(1s);
  rig.scheduler.replace_jobs(
      {job("keep", Direction::bidirectional, 120s), job("new", Direction::bidirectional, 600s)},
      t0 + 10s);
  rig.at(10s);
  EXPECT_EQ(rig.runner.count("new", RunReason::startup), 1u);
  auto keep = *rig.status("keep");
  EXPECT_EQ(keep.consecutive_failures, 1u);
  EXPECT_TRUE(keep.unhealthy);
  EXPECT_EQ(keep.next_run, t0 + 120s);  // the new interval, from the last start
  EXPECT_FALSE(rig.status("gone_idle"));
  ASSERT_TRUE(rig.status("gone_busy"));
  EXPECT_TRUE(rig.status("gone_busy")->removed);

  rig.scheduler.on_local_change("gone_busy", t0 + 11s);
  rig.scheduler.run_all_now(t0 + 12s);
  rig.runner.finish("gone_busy");
  rig.at(13s);
  EXPECT_FALSE(rig.status("gone_busy"));
  EXPECT_EQ(rig.runner.count("gone_busy"), 1u);  // never restarted
  EXPECT_EQ(rig.runner.count("keep", RunReason::manual), 1u);
  EXPECT_EQ(rig.runner.overlaps, 0u);
}

TEST(SchedulerReload, ReaddingARunningNameDoesNotOverlapIt) {
  Rig rig({job("a")}, SchedulerConfig{});
  rig.start();
  rig.scheduler.replace_jobs({job("a", Direction::pull_only)}, t0 + 1s);
  rig.at(1s);
  EXPECT_EQ(rig.runner.count("a"), 1u);
  EXPECT_TRUE(rig.status("a")->running);
  rig.runner.finish("a");
  rig.at(2s);
  EXPECT_EQ(rig.status("a")->runs, 1u);
  EXPECT_EQ(rig.runner.overlaps, 0u);
}

}  // namespace
}  // namespace coltec::testing
