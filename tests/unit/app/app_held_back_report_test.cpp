// How held-back deletions and warnings reach people: the --once exit code and summary, and
// health.json (which `status` reads). A run that copied everything but held deletions back
// must never read as "ok, nothing to see".

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_report.hpp"
#include "fakes/fake_job_runner.hpp"

namespace coltec {
namespace {

using testing::FakeJobRunner;
using testing::job;
using testing::t0;

struct OnceRig {
  FakeJobRunner runner;
  Scheduler scheduler;
  Plan plan;

  explicit OnceRig(std::vector<JobSpec> jobs)
      : scheduler(std::move(jobs), once_config(), runner, [] { return 0.5; }) {
    plan.workspace = "ws";
    scheduler.start(t0);
  }
  static SchedulerConfig once_config() {
    SchedulerConfig c;
    c.once = true;
    return c;
  }
  void finish(const std::string& action, const RunReport& report) {
    runner.finish(action, report);
    scheduler.tick(t0);
  }
};

RunReport held_back(std::uint64_t count) {
  RunReport r;
  r.files = 1;
  r.notes.held_back.count = count;
  r.notes.held_back.files = {"old.txt"};
  r.notes.held_back.reason = "1 deletion held back: … --force-deletes …";
  return r;
}

RunReport warned() {
  RunReport r;
  r.notes.warnings.emplace_back("the remote r:x does not exist; nothing to pull");
  return r;
}

TEST(HeldBackReport, OnceExitsThreeWhenDeletionsWereHeldBack) {
  OnceRig rig({job("push", Direction::push_only), job("pull", Direction::pull_only)});
  rig.finish("push", held_back(1));
  rig.finish("pull", RunReport{});
  EXPECT_EQ(exit_code_for(rig.scheduler), ExitCode::safety_refused);
}

TEST(HeldBackReport, AWarningAloneStillExitsZero) {
  OnceRig rig({job("pull", Direction::pull_only)});
  rig.finish("pull", warned());
  EXPECT_EQ(exit_code_for(rig.scheduler), ExitCode::ok);
}

TEST(HeldBackReport, HealthShowsHeldBackDeletionsAsNeedingAttention) {
  OnceRig rig({job("push", Direction::push_only), job("pull", Direction::pull_only)});
  rig.finish("push", held_back(1));
  rig.finish("pull", warned());
  const Health h = health_from(rig.plan, rig.scheduler);
  EXPECT_FALSE(h.healthy);
  ASSERT_EQ(h.actions.size(), 2U);
  const auto& push = h.actions[0].name == "push" ? h.actions[0] : h.actions[1];
  const auto& pull = h.actions[0].name == "push" ? h.actions[1] : h.actions[0];
  EXPECT_EQ(push.last_result, "held-back");
  EXPECT_TRUE(push.needs_attention);
  EXPECT_EQ(push.held_back_deletes, 1U);
  EXPECT_EQ(push.held_back_files, std::vector<std::string>{"old.txt"});
  EXPECT_NE(push.last_error.find("--force-deletes"), std::string::npos);  // earlier tools read it
  EXPECT_NE(h.last_error.find("push: 1 deletion held back"), std::string::npos) << h.last_error;
  EXPECT_EQ(pull.last_result, "ok");
  EXPECT_FALSE(pull.needs_attention);
  ASSERT_EQ(pull.warnings.size(), 1U);
  EXPECT_TRUE(pull.last_error.empty());
}

TEST(HeldBackReport, OnlyWarningsKeepTheWorkspaceHealthy) {
  OnceRig rig({job("pull", Direction::pull_only)});
  rig.finish("pull", warned());
  EXPECT_TRUE(health_from(rig.plan, rig.scheduler).healthy);
}

TEST(HeldBackReport, TheSummaryNamesTheResultAndWhatToDo) {
  OnceRig rig({job("push", Direction::push_only), job("pull", Direction::pull_only)});
  rig.finish("push", held_back(1));
  rig.finish("pull", warned());
  Options text;
  std::ostringstream table;
  print_summary(rig.scheduler, text, table);
  EXPECT_NE(table.str().find("held-back"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("1 deletion held back"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("warning: the remote r:x does not exist"), std::string::npos)
      << table.str();
  Options json;
  json.log_format = LogFormat::json;
  std::ostringstream lines;
  print_summary(rig.scheduler, json, lines);
  std::istringstream in(lines.str());
  std::string line;
  int seen = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j.at("action") == "push") {
      EXPECT_EQ(j.at("result"), "held-back");
      EXPECT_EQ(j.at("held_back_deletes"), 1);
      EXPECT_EQ(j.at("held_back_files"), nlohmann::json::array({"old.txt"}));
      ++seen;
    } else {
      EXPECT_EQ(j.at("result"), "ok");
      EXPECT_EQ(j.at("warnings").size(), 1U);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace coltec
