// Core scheduling: start-up order, per-action intervals, parallelism, no self-overlap.

#include <gtest/gtest.h>

#include <coltec/scheduler.hpp>

#include "fakes/fake_job_runner.hpp"

namespace coltec::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Scheduler, StartupRunsEveryActionInPriorityOrderWithinTheParallelCap) {
  Rig rig({job("c", Direction::bidirectional, 300s, 3, 0),
           job("a", Direction::bidirectional, 300s, 1, 2),
           job("b2", Direction::bidirectional, 300s, 2, 5),
           job("b1", Direction::bidirectional, 300s, 2, 4)},
          SchedulerConfig{.max_parallel = 2});
  rig.start();
  EXPECT_EQ(rig.runner.order(), (std::vector<std::string>{"a", "b1"}));
  EXPECT_EQ(rig.runner.started[0].request.reason, RunReason::startup);
  EXPECT_EQ(rig.runner.started[0].request.attempt, 1u);

  rig.runner.finish("b1");
  rig.at(1s);
  EXPECT_EQ(rig.runner.order(), (std::vector<std::string>{"a", "b1", "b2"}));
  rig.runner.finish("a");
  rig.at(2s);
  EXPECT_EQ(rig.runner.order(), (std::vector<std::string>{"a", "b1", "b2", "c"}));
  EXPECT_EQ(rig.runner.max_concurrent, 2u);
}

TEST(Scheduler, EachActionKeepsItsOwnInterval) {
  Rig rig({job("fast", Direction::bidirectional, 60s), job("slow", Direction::bidirectional, 300s)},
          SchedulerConfig{});
  rig.runner.auto_report = RunReport{};
  rig.start();
  rig.run_until(600s, 1s);
  // Start-up at 0, then every interval up to and including 600 s.
  EXPECT_EQ(rig.runner.count("fast"), 11u);
  EXPECT_EQ(rig.runner.count("slow"), 3u);
  EXPECT_EQ(rig.runner.count("fast", RunReason::interval), 10u);
  EXPECT_EQ(rig.runner.times("slow"), (std::vector<milliseconds>{0s, 300s, 600s}));
}

TEST(Scheduler, NextWakeupNamesExactlyTheDueTimes) {
  Rig rig({job("fast", Direction::bidirectional, 60s), job("slow", Direction::bidirectional, 300s)},
          SchedulerConfig{});
  rig.runner.auto_report = RunReport{};
  rig.start();
  rig.follow_until(600s);
  EXPECT_EQ(rig.runner.count("fast"), 11u);
  EXPECT_EQ(rig.runner.count("slow"), 3u);
  EXPECT_EQ(rig.runner.times("fast")[1], milliseconds{60s});
}

TEST(Scheduler, IntervalCountsFromTheStartOfTheRun) {
  Rig rig({job("a", Direction::bidirectional, 60s)}, SchedulerConfig{});
  rig.start();
  rig.at(20s);
  rig.runner.finish("a");
  rig.at(21s);
  EXPECT_EQ(rig.status("a")->next_run, t0 + 60s);
  rig.at(60s);
  EXPECT_EQ(rig.runner.count("a"), 2u);
}

TEST(Scheduler, OverrunningRunRestsAFullIntervalInsteadOfBursting) {
  Rig rig({job("a", Direction::bidirectional, 60s)}, SchedulerConfig{});
  rig.start();
  rig.runner.finish("a");
  rig.at(150s);
  EXPECT_EQ(rig.status("a")->next_run, t0 + 210s);
  EXPECT_EQ(rig.runner.count("a"), 1u);
}

TEST(Scheduler, NeverRunsMoreThanMaxParallel) {
  std::vector<JobSpec> jobs;
  for (std::size_t i = 0; i < 6; ++i)
    jobs.push_back(job("j" + std::to_string(i), Direction::bidirectional, 10s, 2, i));
  Rig rig(jobs, SchedulerConfig{.max_parallel = 2});
  rig.start();
  for (int step = 1; step <= 60; ++step) {
    rig.at(seconds{step});
    if (step % 3 == 0) {
      // Finish the oldest running action, whichever it is.
      for (const auto& s : rig.runner.started) {
        if (rig.runner.finish(s.request.action)) break;
      }
    }
    EXPECT_LE(rig.runner.running(), 2u);
  }
  EXPECT_EQ(rig.runner.max_concurrent, 2u);
  EXPECT_EQ(rig.runner.overlaps, 0u);
  EXPECT_GT(rig.runner.started.size(), 10u);
}

TEST(Scheduler, NoWakeupWhileEverySlotIsBusy) {
  Rig rig({job("a"), job("b")}, SchedulerConfig{.max_parallel = 1});
  rig.start();
  EXPECT_EQ(rig.scheduler.next_wakeup(), std::nullopt);
  rig.runner.finish("a");
  // The completion is queued: tick now.
  EXPECT_EQ(rig.scheduler.next_wakeup(), t0);
  rig.at(0s);
  EXPECT_TRUE(rig.runner.is_running("b"));
}

TEST(Scheduler, WakeCallbackFiresOnCompletionAndEvents) {
  Rig rig({job("a")}, SchedulerConfig{});
  int wakes = 0;
  rig.scheduler.set_wake_callback([&] { ++wakes; });
  rig.start();
  rig.runner.finish("a");
  EXPECT_EQ(wakes, 1);
  rig.scheduler.on_local_change("a", t0 + 1s);
  EXPECT_EQ(wakes, 2);
}

TEST(Scheduler, ActionNeverOverlapsItselfAndGetsExactlyOneFollowUp) {
  Rig rig({job("a", Direction::bidirectional, 60s)}, SchedulerConfig{});
  rig.start();
  for (int i = 1; i <= 5; ++i) {
    rig.scheduler.on_local_change("a", t0 + seconds{i});
    rig.scheduler.run_all_now(t0 + seconds{i});
    rig.at(seconds{i});
  }
  rig.at(200s);  // well past the interval and the debounce
  EXPECT_EQ(rig.runner.count("a"), 1u);
  EXPECT_EQ(rig.runner.overlaps, 0u);

  rig.runner.finish("a");
  rig.at(201s);
  EXPECT_EQ(rig.runner.count("a"), 2u);
  rig.runner.finish("a");
  rig.at(202s);
  rig.at(230s);
  EXPECT_EQ(rig.runner.count("a"), 2u);  // exactly one follow-up, then back to the interval
  EXPECT_EQ(rig.status("a")->next_run, t0 + 261s);
}

// Keeps the completion callback of the last run it was asked to start, to call it late.
struct Capture : JobRunner {
  RunDone* out;
  explicit Capture(RunDone* o) : out(o) {}
  void start(const RunRequest&, RunDone done) override { *out = std::move(done); }
  void cancel(const std::string&) override {}
};

TEST(Scheduler, DuplicateDoneCallsAndUnknownNamesAreHarmless) {
  RunDone saved;
  Capture capture(&saved);
  Scheduler s({job("a")}, SchedulerConfig{}, capture, [] { return 0.0; });
  int observed = 0;
  s.set_observer([&](const std::string&, const RunReport&) { ++observed; });
  s.start(t0);
  saved(RunReport{});
  saved(RunReport{});
  s.tick(t0 + 1s);
  EXPECT_EQ(observed, 1);
  s.on_local_change("nope", t0);
  s.on_overflow("nope", t0);
  s.set_watch_fallback("nope", true);
  EXPECT_EQ(s.snapshot().size(), 1u);
}

TEST(Scheduler, LateCompletionAfterDestructionIsDropped) {
  RunDone saved;
  Capture capture(&saved);
  {
    Scheduler s({job("a")}, SchedulerConfig{}, capture, [] { return 0.0; });
    s.start(t0);
  }
  saved(RunReport{});  // must not touch the destroyed scheduler (ASan would say so)
  SUCCEED();
}

TEST(Scheduler, DuplicateNamesAndHostileValuesAreNormalised) {
  Rig rig({job("a", Direction::bidirectional, 0s), job("a", Direction::pull_only)},
          SchedulerConfig{.max_parallel = 0});
  rig.start();
  ASSERT_EQ(rig.scheduler.snapshot().size(), 1u);
  EXPECT_EQ(rig.status("a")->direction, Direction::bidirectional);
  EXPECT_EQ(rig.runner.running(), 1u);  // max_parallel 0 counts as 1
  rig.runner.finish("a");
  rig.at(0s);
  EXPECT_EQ(rig.status("a")->next_run, t0 + 1s);  // interval 0 counts as 1 s
}

TEST(Scheduler, NamesOfEnumsAreStable) {
  EXPECT_STREQ(to_string(RunReason::local_change), "local_change");
  EXPECT_STREQ(to_string(RunReason::flush), "flush");
  EXPECT_STREQ(to_string(Outcome::temporary_failure), "temporary_failure");
  EXPECT_STREQ(to_string(Outcome::needs_resync), "needs_resync");
}

}  // namespace
}  // namespace coltec::testing
