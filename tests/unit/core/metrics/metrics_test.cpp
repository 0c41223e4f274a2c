// The metrics registry: what each call counts and the exact exposition text.

#include <gtest/gtest.h>

#include <coltec/metrics.hpp>

namespace coltec {
namespace {

using std::chrono::milliseconds;

RunReport report(Outcome outcome, std::uint64_t files, std::uint64_t bytes, int ms) {
  RunReport r;
  r.outcome = outcome;
  r.files = files;
  r.bytes = bytes;
  r.duration = milliseconds(ms);
  return r;
}

ActionStatus status(const std::string& name) {
  ActionStatus s;
  s.name = name;
  return s;
}

bool contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, EmptyRegistryRendersOnlyWatches) {
  const Metrics metrics;
  EXPECT_EQ(metrics.render(),
            "# HELP coltec_watches Filesystem watches held by the watcher.\n"
            "# TYPE coltec_watches gauge\n"
            "coltec_watches 0\n");
}

TEST(MetricsTest, RendersKnownSequenceExactly) {
  Metrics metrics;
  metrics.set_build_info("0.1.0", "v1.60.1");
  metrics.set_watches(12);
  metrics.record_run("code", report(Outcome::ok, 3, 2048, 1200), 1700000000.5);
  metrics.record_retry("code");
  metrics.record_run("code", report(Outcome::temporary_failure, 0, 100, 400), 1700000100);
  metrics.record_run("agent", report(Outcome::refused, 0, 0, 20), 1700000200);
  ActionStatus code = status("code");
  code.consecutive_failures = 1;
  code.pending_changes = true;
  ActionStatus agent = status("agent");
  agent.consecutive_failures = 1;
  agent.needs_attention = true;
  code.last_report.conflicts = {"notes.conflict-20261201T120000Z-remote.md"};
  agent.last_report.notes.held_back.count = 2;
  metrics.set_actions_status({code, agent});

  const std::string expected =
      R"(# HELP coltec_build_info Build of the daemon and the rclone it runs; always 1.
# TYPE coltec_build_info gauge
coltec_build_info{version="0.1.0",rclone="v1.60.1"} 1
# HELP coltec_watches Filesystem watches held by the watcher.
# TYPE coltec_watches gauge
coltec_watches 12
# HELP coltec_runs_total Finished sync runs by action and result.
# TYPE coltec_runs_total counter
coltec_runs_total{action="agent",result="ok"} 0
coltec_runs_total{action="agent",result="temporary_failure"} 0
coltec_runs_total{action="agent",result="failure"} 0
coltec_runs_total{action="agent",result="refused"} 1
coltec_runs_total{action="agent",result="needs_resync"} 0
coltec_runs_total{action="agent",result="cancelled"} 0
coltec_runs_total{action="agent",result="deferred"} 0
coltec_runs_total{action="code",result="ok"} 1
coltec_runs_total{action="code",result="temporary_failure"} 1
coltec_runs_total{action="code",result="failure"} 0
coltec_runs_total{action="code",result="refused"} 0
coltec_runs_total{action="code",result="needs_resync"} 0
coltec_runs_total{action="code",result="cancelled"} 0
coltec_runs_total{action="code",result="deferred"} 0
# HELP coltec_retries_total Runs started as a retry after a temporary failure.
# TYPE coltec_retries_total counter
coltec_retries_total{action="agent"} 0
coltec_retries_total{action="code"} 1
# HELP coltec_refusals_total Runs refused by a safety guard.
# TYPE coltec_refusals_total counter
coltec_refusals_total{action="agent"} 1
coltec_refusals_total{action="code"} 0
# HELP coltec_transferred_bytes_total Bytes transferred by rclone.
# TYPE coltec_transferred_bytes_total counter
coltec_transferred_bytes_total{action="agent"} 0
coltec_transferred_bytes_total{action="code"} 2148
# HELP coltec_transferred_files_total Files transferred by rclone.
# TYPE coltec_transferred_files_total counter
coltec_transferred_files_total{action="agent"} 0
coltec_transferred_files_total{action="code"} 3
# HELP coltec_last_success_timestamp_seconds Unix time of the last successful run since the daemon started.
# TYPE coltec_last_success_timestamp_seconds gauge
coltec_last_success_timestamp_seconds{action="code"} 1700000000.5
# HELP coltec_run_duration_seconds Wall time of finished sync runs.
# TYPE coltec_run_duration_seconds histogram
coltec_run_duration_seconds_bucket{action="agent",le="0.5"} 1
coltec_run_duration_seconds_bucket{action="agent",le="1"} 1
coltec_run_duration_seconds_bucket{action="agent",le="5"} 1
coltec_run_duration_seconds_bucket{action="agent",le="15"} 1
coltec_run_duration_seconds_bucket{action="agent",le="60"} 1
coltec_run_duration_seconds_bucket{action="agent",le="300"} 1
coltec_run_duration_seconds_bucket{action="agent",le="1800"} 1
coltec_run_duration_seconds_bucket{action="agent",le="+Inf"} 1
coltec_run_duration_seconds_sum{action="agent"} 0.02
coltec_run_duration_seconds_count{action="agent"} 1
coltec_run_duration_seconds_bucket{action="code",le="0.5"} 1
coltec_run_duration_seconds_bucket{action="code",le="1"} 1
coltec_run_duration_seconds_bucket{action="code",le="5"} 2
coltec_run_duration_seconds_bucket{action="code",le="15"} 2
coltec_run_duration_seconds_bucket{action="code",le="60"} 2
coltec_run_duration_seconds_bucket{action="code",le="300"} 2
coltec_run_duration_seconds_bucket{action="code",le="1800"} 2
coltec_run_duration_seconds_bucket{action="code",le="+Inf"} 2
coltec_run_duration_seconds_sum{action="code"} 1.6
coltec_run_duration_seconds_count{action="code"} 2
# HELP coltec_consecutive_failures Failed runs since the last success.
# TYPE coltec_consecutive_failures gauge
coltec_consecutive_failures{action="agent"} 1
coltec_consecutive_failures{action="code"} 1
# HELP coltec_action_healthy 1 when the action is neither unhealthy nor waiting for a person.
# TYPE coltec_action_healthy gauge
coltec_action_healthy{action="agent"} 0
coltec_action_healthy{action="code"} 1
# HELP coltec_action_needs_attention 1 when a safety refusal or a broken bisync state waits for a person.
# TYPE coltec_action_needs_attention gauge
coltec_action_needs_attention{action="agent"} 1
coltec_action_needs_attention{action="code"} 0
# HELP coltec_pending_changes 1 when local changes are not yet synced.
# TYPE coltec_pending_changes gauge
coltec_pending_changes{action="agent"} 0
coltec_pending_changes{action="code"} 1
# HELP coltec_conflicts Conflict copies that wait for a person to keep one version.
# TYPE coltec_conflicts gauge
coltec_conflicts{action="agent"} 0
coltec_conflicts{action="code"} 1
# HELP coltec_held_back_deletes Deletions the last run held back (delete cap).
# TYPE coltec_held_back_deletes gauge
coltec_held_back_deletes{action="agent"} 2
coltec_held_back_deletes{action="code"} 0
)";
  EXPECT_EQ(metrics.render(), expected);
}

TEST(MetricsTest, HeldBackDeletionsCountAsARefusalOfAnOkRun) {
  Metrics metrics;
  auto held = report(Outcome::ok, 1, 10, 100);
  held.notes.held_back.count = 1;
  metrics.record_run("code", held, 1700000000);
  const auto text = metrics.render();
  EXPECT_TRUE(contains(text, R"(coltec_refusals_total{action="code"} 1)")) << text;
  EXPECT_TRUE(contains(text, R"(coltec_runs_total{action="code",result="ok"} 1)")) << text;
}

TEST(MetricsTest, BucketBoundsAreInclusiveAndSlowRunsOnlyReachInf) {
  Metrics metrics;
  metrics.record_run("a", report(Outcome::ok, 0, 0, 500), 1);        // exactly 0.5 s
  metrics.record_run("a", report(Outcome::ok, 0, 0, 3'600'000), 2);  // one hour
  const std::string text = metrics.render();
  EXPECT_TRUE(contains(text, R"(coltec_run_duration_seconds_bucket{action="a",le="0.5"} 1)"));
  EXPECT_TRUE(contains(text, R"(coltec_run_duration_seconds_bucket{action="a",le="1800"} 1)"));
  EXPECT_TRUE(contains(text, R"(coltec_run_duration_seconds_bucket{action="a",le="+Inf"} 2)"));
  EXPECT_TRUE(contains(text, R"(coltec_run_duration_seconds_sum{action="a"} 3600.5)"));
}

TEST(MetricsTest, NegativeDurationCountsAsZero) {
  Metrics metrics;
  metrics.record_run("a", report(Outcome::ok, 0, 0, -5), 1);
  const std::string text = metrics.render();
  EXPECT_TRUE(contains(text, R"(coltec_run_duration_seconds_sum{action="a"} 0)"));
  EXPECT_TRUE(contains(text, R"(coltec_run_duration_seconds_bucket{action="a",le="0.5"} 1)"));
}

TEST(MetricsTest, LastSuccessOnlyMovesForwardAndOnlyOnOk) {
  Metrics metrics;
  metrics.record_run("a", report(Outcome::ok, 0, 0, 1), 200);
  metrics.record_run("a", report(Outcome::ok, 0, 0, 1), 100);       // clock stepped back
  metrics.record_run("a", report(Outcome::failure, 0, 0, 1), 300);  // not a success
  metrics.set_last_success("a", 150);                               // older seed: ignored
  metrics.record_run("b", report(Outcome::cancelled, 0, 0, 1), 300);
  const std::string text = metrics.render();
  EXPECT_TRUE(contains(text, R"(coltec_last_success_timestamp_seconds{action="a"} 200)"));
  EXPECT_EQ(text.find(R"(coltec_last_success_timestamp_seconds{action="b"})"), std::string::npos);
}

TEST(MetricsTest, SeededLastSuccessIsRendered) {
  Metrics metrics;
  metrics.set_last_success("a", 1234.25);
  metrics.set_last_success("a", std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(
      contains(metrics.render(), R"(coltec_last_success_timestamp_seconds{action="a"} 1234.25)"));
}

TEST(MetricsTest, RecordStartCountsOnlyRetries) {
  Metrics metrics;
  metrics.record_start(RunRequest{"a", RunReason::interval, 1});
  metrics.record_start(RunRequest{"a", RunReason::retry, 2});
  metrics.record_start(RunRequest{"a", RunReason::retry, 3});
  EXPECT_TRUE(contains(metrics.render(), R"(coltec_retries_total{action="a"} 2)"));
}

TEST(MetricsTest, FailedRunsStillCountTransferredData) {
  Metrics metrics;
  metrics.record_run("a", report(Outcome::temporary_failure, 2, 10, 1), 1);
  metrics.record_run("a", report(Outcome::cancelled, 1, 5, 1), 2);
  const std::string text = metrics.render();
  EXPECT_TRUE(contains(text, R"(coltec_transferred_bytes_total{action="a"} 15)"));
  EXPECT_TRUE(contains(text, R"(coltec_transferred_files_total{action="a"} 3)"));
  EXPECT_TRUE(contains(text, R"(coltec_runs_total{action="a",result="cancelled"} 1)"));
}

TEST(MetricsTest, StatusReplacesGaugesButKeepsCounters) {
  Metrics metrics;
  ActionStatus a = status("a");
  a.unhealthy = true;
  a.consecutive_failures = 6;
  metrics.set_actions_status({a, status("b")});
  std::string text = metrics.render();
  EXPECT_TRUE(contains(text, R"(coltec_action_healthy{action="a"} 0)"));
  EXPECT_TRUE(contains(text, R"(coltec_action_needs_attention{action="a"} 0)"));
  EXPECT_TRUE(contains(text, R"(coltec_consecutive_failures{action="a"} 6)"));
  EXPECT_TRUE(contains(text, R"(coltec_runs_total{action="b",result="ok"} 0)"));

  metrics.set_actions_status({status("b")});  // "a" removed by a reload
  text = metrics.render();
  EXPECT_EQ(text.find(R"(coltec_action_healthy{action="a"})"), std::string::npos);
  EXPECT_TRUE(contains(text, R"(coltec_action_healthy{action="b"} 1)"));
  EXPECT_TRUE(contains(text, R"(coltec_runs_total{action="a",result="ok"} 0)"));
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics metrics;
  metrics.set_build_info("1.0 \"beta\"", "C:\\rclone\nv1");
  metrics.record_retry("we\"ird\\na\nme");
  const std::string text = metrics.render();
  EXPECT_TRUE(
      contains(text, R"(coltec_build_info{version="1.0 \"beta\"",rclone="C:\\rclone\nv1"} 1)"));
  EXPECT_TRUE(contains(text, R"(coltec_retries_total{action="we\"ird\\na\nme"} 1)"));
}

TEST(MetricsTest, ReplacesInvalidUtf8AndKeepsValidUtf8) {
  Metrics metrics;
  metrics.record_retry("caf\xC3\xA9");      // valid: kept
  metrics.record_retry("bad\xFF");          // stray byte
  metrics.record_retry("over\xC0\xAF");     // overlong '/'
  metrics.record_retry("sur\xED\xA0\x80");  // UTF-16 surrogate
  metrics.record_retry("cut\xE2\x82");      // truncated sequence at the end
  const std::string text = metrics.render();
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_TRUE(contains(text, "coltec_retries_total{action=\"caf\xC3\xA9\"} 1"));
  EXPECT_TRUE(contains(text, "coltec_retries_total{action=\"bad" + r + "\"} 1"));
  EXPECT_TRUE(contains(text, "coltec_retries_total{action=\"over" + r + r + "\"} 1"));
  EXPECT_TRUE(contains(text, "coltec_retries_total{action=\"sur" + r + r + r + "\"} 1"));
  EXPECT_TRUE(contains(text, "coltec_retries_total{action=\"cut" + r + r + "\"} 1"));
}

}  // namespace
}  // namespace coltec
