// Failures: retries with capped, jittered exponential backoff; health and attention flags.

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <coltec/scheduler.hpp>

#include "fakes/fake_job_runner.hpp"

namespace coltec::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

SchedulerConfig retry_config(std::uint32_t max_retries) {
  return SchedulerConfig{
      .backoff_base = seconds{5}, .backoff_cap = seconds{60}, .max_retries = max_retries};
}

// Fail the running run of `name` at the current time and return the delay to the retry.
milliseconds fail_and_delay(Rig& rig, const std::string& name, Outcome outcome) {
  rig.runner.fail(name, outcome);
  rig.at(std::chrono::duration_cast<milliseconds>(rig.now - t0));
  return std::chrono::duration_cast<milliseconds>(*rig.status(name)->next_run - rig.now);
}

TEST(SchedulerFailure, BackoffGrowsExponentiallyAndIsCapped) {
  Rig rig({job("a", Direction::bidirectional, 3600s)}, retry_config(10), 0.5);
  rig.start();
  std::vector<milliseconds> delays;
  for (int i = 0; i < 6; ++i) {
    delays.push_back(fail_and_delay(rig, "a", Outcome::temporary_failure));
    rig.follow_until(3000s);  // exactly the next retry, nothing else
  }
  // 5 s · 2^(n-1), capped at 60 s, times the jitter factor 0.5 + 0.5/2 = 0.75.
  EXPECT_EQ(delays,
            (std::vector<milliseconds>{3750ms, 7500ms, 15000ms, 30000ms, 45000ms, 45000ms}));
  ASSERT_EQ(rig.runner.started.size(), 7u);
  for (std::uint32_t i = 0; i < 7; ++i) EXPECT_EQ(rig.runner.started[i].request.attempt, i + 1);
  EXPECT_EQ(rig.runner.count("a", RunReason::retry), 6u);
  EXPECT_EQ(rig.runner.times("a")[1], 3750ms);
  EXPECT_EQ(rig.runner.times("a")[2], 11250ms);
  EXPECT_FALSE(rig.status("a")->unhealthy);  // still within the retry budget
}

TEST(SchedulerFailure, JitterIsClampedToItsRange) {
  const auto first_delay = [](double jitter) {
    Rig rig({job("a")}, retry_config(3), jitter);
    rig.start();
    return fail_and_delay(rig, "a", Outcome::temporary_failure);
  };
  EXPECT_EQ(first_delay(0.0), 2500ms);
  EXPECT_EQ(first_delay(-3.0), 2500ms);
  EXPECT_EQ(first_delay(std::numeric_limits<double>::quiet_NaN()), 2500ms);
  EXPECT_EQ(first_delay(0.999), 4998ms);
  EXPECT_EQ(first_delay(7.0), 5000ms);
}

TEST(SchedulerFailure, RetriesUsedUpMeanUnhealthyUntilTheNextSuccess) {
  Rig rig({job("a", Direction::bidirectional, 600s)}, retry_config(2), 0.5);
  rig.start();
  fail_and_delay(rig, "a", Outcome::temporary_failure);
  rig.follow_until(100s);
  fail_and_delay(rig, "a", Outcome::temporary_failure);
  rig.follow_until(100s);
  EXPECT_EQ(rig.runner.count("a"), 3u);
  rig.runner.fail("a", Outcome::temporary_failure, "network down");
  rig.at(12s);

  auto st = *rig.status("a");
  EXPECT_TRUE(st.unhealthy);
  EXPECT_EQ(st.consecutive_failures, 3u);
  EXPECT_EQ(st.last_error, "network down");
  EXPECT_EQ(st.last_outcome, Outcome::temporary_failure);
  // Back to the interval, counted from the last attempt's start (11.25 s).
  EXPECT_EQ(st.next_run, t0 + 611250ms);
  EXPECT_EQ(st.next_reason, RunReason::interval);

  // A temporary failure at the interval no longer retries quickly.
  rig.follow_until(700s);
  rig.runner.fail("a", Outcome::temporary_failure);
  rig.at(700s);
  EXPECT_EQ(rig.status("a")->next_run, t0 + 1211250ms);

  rig.follow_until(1300s);
  rig.runner.finish("a", RunReport{Outcome::ok, "", 3, 1024, 2s, {}, {}});
  rig.at(1300s);
  st = *rig.status("a");
  EXPECT_FALSE(st.unhealthy);
  EXPECT_EQ(st.consecutive_failures, 0u);
  EXPECT_EQ(st.last_error, "");
  EXPECT_EQ(st.last_success, t0 + 1300s);
  EXPECT_EQ(st.last_report.files, 3u);
}

TEST(SchedulerFailure, HardFailureIsNotRetriedAndHoldsChangesUntilTheInterval) {
  Rig rig({job("a", Direction::bidirectional, 600s)}, retry_config(5));
  rig.start();
  rig.runner.fail("a", Outcome::failure, "rclone missing");
  rig.at(1s);
  EXPECT_TRUE(rig.status("a")->unhealthy);
  EXPECT_EQ(rig.status("a")->next_run, t0 + 600s);
  rig.scheduler.on_local_change("a", t0 + 2s);
  rig.run_until(599s, 1s);
  EXPECT_EQ(rig.runner.count("a"), 1u);
  rig.at(600s);
  EXPECT_EQ(rig.runner.count("a"), 2u);
}

TEST(SchedulerFailure, ChangesDuringBackoffWaitForTheRetry) {
  Rig rig({job("a", Direction::bidirectional, 600s)}, retry_config(5), 0.5);
  rig.start();
  rig.runner.fail("a", Outcome::temporary_failure);
  rig.at(0s);
  rig.scheduler.on_local_change("a", t0 + 1s);
  rig.follow_until(100s);
  EXPECT_EQ(rig.runner.times("a"), (std::vector<milliseconds>{0ms, 3750ms}));
}

TEST(SchedulerFailure, RefusedNeedsAttentionIsNotRetriedButChangesTryAgain) {
  Rig rig({job("a", Direction::bidirectional, 600s)}, retry_config(5));
  rig.start();
  rig.runner.fail("a", Outcome::refused, "local root is empty");
  rig.at(1s);
  auto st = *rig.status("a");
  EXPECT_TRUE(st.needs_attention);
  EXPECT_FALSE(st.unhealthy);
  EXPECT_EQ(st.next_run, t0 + 600s);
  EXPECT_EQ(st.next_reason, RunReason::interval);

  rig.scheduler.on_local_change("a", t0 + 10s);
  rig.follow_until(20s);
  EXPECT_EQ(rig.runner.count("a", RunReason::local_change), 1u);
  EXPECT_EQ(rig.runner.times("a").back(), 10300ms);
  rig.runner.finish("a");
  rig.at(11s);
  EXPECT_FALSE(rig.status("a")->needs_attention);
}

TEST(SchedulerFailure, HeldBackDeletionsNeedAttentionButCountAsASuccess) {
  Rig rig({job("a", Direction::push_only, 600s)}, retry_config(5));
  rig.start();
  RunReport held;
  held.notes.held_back.count = 3;
  held.notes.held_back.reason = "3 deletions held back";
  rig.runner.finish("a", held);
  rig.at(1s);
  auto st = *rig.status("a");
  // What it could copy is across: a success, no failure, no retry; but a person decides.
  EXPECT_TRUE(st.needs_attention);
  EXPECT_FALSE(st.unhealthy);
  EXPECT_EQ(st.consecutive_failures, 0u);
  EXPECT_TRUE(st.last_success.has_value());
  EXPECT_EQ(st.last_report.notes.held_back.count, 3u);
  EXPECT_EQ(st.next_run, t0 + 600s);
  // Warnings alone ask nothing of anyone.
  rig.follow_until(600s);
  RunReport warned;
  warned.notes.warnings.emplace_back("the remote holds no files");
  rig.runner.finish("a", warned);
  rig.at(601s);
  EXPECT_FALSE(rig.status("a")->needs_attention);
  EXPECT_EQ(rig.status("a")->last_report.notes.warnings.size(), 1u);
}

TEST(SchedulerFailure, NeedsResyncWaitsForTheInterval) {
  Rig rig({job("a", Direction::bidirectional, 600s)}, retry_config(5));
  rig.start();
  rig.runner.fail("a", Outcome::needs_resync, "Must run --resync");
  rig.at(1s);
  EXPECT_TRUE(rig.status("a")->needs_attention);
  rig.scheduler.on_local_change("a", t0 + 10s);
  rig.follow_until(599s);
  EXPECT_EQ(rig.runner.count("a"), 1u);
  rig.follow_until(600s);
  EXPECT_EQ(rig.runner.count("a"), 2u);
  EXPECT_EQ(rig.runner.times("a").back(), 600s);
  EXPECT_EQ(rig.runner.started.back().request.attempt, 2u);
}

TEST(SchedulerFailure, ObserverSeesEveryReportWithUpdatedState) {
  Rig rig({job("a"), job("b")}, SchedulerConfig{});
  std::vector<std::string> seen;
  rig.scheduler.set_observer([&](const std::string& action, const RunReport& report) {
    const auto st = status_of(rig.scheduler, action);
    seen.push_back(action + ":" + to_string(report.outcome) + ":" +
                   std::to_string(st->consecutive_failures));
  });
  rig.start();
  rig.runner.fail("b", Outcome::failure);
  rig.runner.finish("a");
  rig.at(1s);
  EXPECT_EQ(seen, (std::vector<std::string>{"b:failure:1", "a:ok:0"}));
}

}  // namespace
}  // namespace coltec::testing
