// What --once and --dry-run report: the exit code of a pass, the summary, the plan table and
// health.json, from a scheduler driven by the shared FakeJobRunner.

#include "app_report.hpp"

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/fake_job_runner.hpp"

namespace coltec {
namespace {

using testing::FakeJobRunner;
using testing::job;
using testing::t0;

// A --once pass over `names` where each action ends as `outcomes` says (nullopt: never ran).
class OncePass : public ::testing::Test {
 protected:
  void run(const std::vector<std::pair<std::string, std::optional<Outcome>>>& actions) {
    std::vector<JobSpec> jobs;
    jobs.reserve(actions.size());
    for (const auto& [name, outcome] : actions) jobs.push_back(job(name, Direction::push_only));
    SchedulerConfig config;
    config.once = true;
    config.max_parallel = actions.size();
    scheduler = std::make_unique<Scheduler>(jobs, config, runner, [] { return 0.0; });
    scheduler->start(t0);
    for (const auto& [name, outcome] : actions) {
      if (outcome)
        runner.finish(name, RunReport{*outcome,
                                      *outcome == Outcome::ok ? "" : "boom",
                                      4,
                                      2048,
                                      std::chrono::milliseconds(1500),
                                      {},
                                      {}});
    }
    scheduler->tick(t0 + std::chrono::seconds(2));
  }
  FakeJobRunner runner;
  std::unique_ptr<Scheduler> scheduler;
};

TEST_F(OncePass, AllOkExitsZero) {
  run({{"a", Outcome::ok}, {"b", Outcome::ok}});
  EXPECT_EQ(exit_code_for(*scheduler), ExitCode::ok);
}

TEST_F(OncePass, ARefusalWinsOverEverythingElse) {
  run({{"a", Outcome::failure}, {"b", Outcome::needs_resync}, {"c", Outcome::refused}});
  EXPECT_EQ(exit_code_for(*scheduler), ExitCode::safety_refused);
}

TEST_F(OncePass, ANeededResyncWinsOverAFailure) {
  run({{"a", Outcome::temporary_failure}, {"b", Outcome::needs_resync}});
  EXPECT_EQ(exit_code_for(*scheduler), ExitCode::needs_resync);
}

TEST_F(OncePass, FailuresCancellationsAndActionsThatNeverRanAreRuntimeErrors) {
  run({{"a", Outcome::ok}, {"b", Outcome::failure}});
  EXPECT_EQ(exit_code_for(*scheduler), ExitCode::runtime_error);
  run({{"a", Outcome::cancelled}});
  EXPECT_EQ(exit_code_for(*scheduler), ExitCode::runtime_error);
  run({{"a", Outcome::ok}, {"b", std::nullopt}});
  EXPECT_EQ(exit_code_for(*scheduler), ExitCode::runtime_error);
}

TEST_F(OncePass, TheSummaryTableShowsEveryAction) {
  run({{"code", Outcome::ok}, {"notes", Outcome::refused}});
  std::ostringstream out;
  print_summary(*scheduler, Options{}, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("ACTION"), std::string::npos);
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\ncode +ok +1\.5s +4 +2\.0 KiB *\n)"))) << text;
  EXPECT_TRUE(
      std::regex_search(text, std::regex(R"(\nnotes +refused +1\.5s +4 +2\.0 KiB +boom\n)")))
      << text;
}

TEST_F(OncePass, TheJsonSummaryIsOneObjectPerAction) {
  run({{"code", Outcome::temporary_failure}});
  Options o;
  o.log_format = LogFormat::json;
  std::ostringstream out;
  print_summary(*scheduler, o, out);
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j.at("action"), "code");
  EXPECT_EQ(j.at("result"), "failed");
  EXPECT_EQ(j.at("error"), "boom");
  EXPECT_EQ(j.at("files"), 4);
  EXPECT_EQ(j.at("bytes"), 2048);
  EXPECT_EQ(j.at("duration_ms"), 1500);
}

TEST_F(OncePass, HealthSaysWhatFailedAndWhatNeedsAttention) {
  run({{"code", Outcome::ok}, {"notes", Outcome::refused}});
  Plan plan;
  plan.workspace = "ws";
  const Health h = health_from(plan, *scheduler);
  EXPECT_EQ(h.workspace, "ws");
  EXPECT_FALSE(h.healthy);
  ASSERT_EQ(h.actions.size(), 2u);
  EXPECT_EQ(h.actions[0].name, "code");
  EXPECT_EQ(h.actions[0].last_result, "ok");
  EXPECT_TRUE(h.actions[0].last_success.has_value());
  EXPECT_EQ(h.actions[0].bytes, 2048u);
  EXPECT_EQ(h.actions[1].last_result, "refused");
  EXPECT_TRUE(h.actions[1].needs_attention);
  EXPECT_EQ(h.last_error, "notes: boom");
  EXPECT_EQ(h.consecutive_failures, 1u);
}

TEST_F(OncePass, AllOkIsHealthy) {
  run({{"code", Outcome::ok}});
  const Health h = health_from(Plan{}, *scheduler);
  EXPECT_TRUE(h.healthy);
  EXPECT_TRUE(h.last_success.has_value());
  EXPECT_TRUE(h.last_error.empty());
}

TEST(PrintPlan, ATableForPeopleAndJsonForScripts) {
  Plan plan;
  plan.workspace = "ws";
  Action a;
  a.name = "code";
  a.direction = Direction::push_only;
  a.local_path = "/w/code";
  a.remote_name = "r2";
  a.remote_path = "bucket/code";
  a.interval = std::chrono::seconds(60);
  a.priority = 1;
  a.remote_type = "s3";
  a.reason = "declared in sync[]";
  plan.actions = {a};
  std::ostringstream text;
  print_plan(plan, text, Options{});
  EXPECT_NE(text.str().find("Plan for workspace 'ws' (1 action):"), std::string::npos);
  EXPECT_TRUE(std::regex_search(
      text.str(), std::regex(R"(\ncode +push-only +/w/code +r2:bucket/code +60s +1 +s3\n)")))
      << text.str();
  Options o;
  o.log_format = LogFormat::json;
  std::ostringstream json;
  print_plan(plan, json, o);
  EXPECT_NE(json.str().find(R"("plan":"code")"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find(R"("reason":"declared in sync[]")"), std::string::npos);
}

}  // namespace
}  // namespace coltec
