// A step that runs past its own timeout is reported with that timeout: the checks (probe,
// listing, pre-check) have check_timeout, the transfers run_timeout.

#include <gtest/gtest.h>

#include "executor_fixture.hpp"

namespace coltec {
namespace {

using std::chrono::minutes;

class ExecutorTimeoutTest : public ExecutorTest {
 protected:
  void SetUp() override {
    ExecutorTest::SetUp();
    settings.check_timeout = minutes(2);
    settings.run_timeout = minutes(7);
  }
  // Every step succeeds except the first whose rclone command is `command`, which times out.
  void time_out_on(const std::string& command, bool dry_run_too) {
    runner.script = [command, dry_run_too](const auto& argv) {
      Script s;
      s.timed_out = argv[1] == command && (dry_run_too || !has_arg(argv, "--dry-run"));
      if (argv[1] == "lsjson") s.out = {R"({"Path":"a"})"};  // the remote holds a file
      if (argv[1] == "sync" && has_arg(argv, "--dry-run")) s.err = {skipped("copy")};
      return s;
    };
  }
};

TEST_F(ExecutorTimeoutTest, ACheckStepReportsTheCheckTimeout) {
  add_local_file();  // a first push: the remote is probed
  time_out_on("lsjson", true);
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::temporary);
  EXPECT_EQ(r.error, "probe remote timed out after 120 s");
  ASSERT_EQ(runner.timeouts.size(), 1U);
  EXPECT_EQ(runner.timeouts[0], minutes(2));
}

TEST_F(ExecutorTimeoutTest, ThePreCheckReportsTheCheckTimeout) {
  add_local_file();
  pushed_before();
  time_out_on("sync", true);
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.error, "delete pre-check timed out after 120 s");
}

TEST_F(ExecutorTimeoutTest, TheSyncReportsTheRunTimeout) {
  add_local_file();
  pushed_before();
  time_out_on("sync", false);
  Executor ex(runner, *log, settings, {action(Direction::pull_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::temporary);
  EXPECT_EQ(r.error, "sync timed out after 420 s");
  ASSERT_EQ(runner.timeouts.size(), 2U);
  EXPECT_EQ(runner.timeouts[0], minutes(2));  // the pre-check
  EXPECT_EQ(runner.timeouts[1], minutes(7));
}

}  // namespace
}  // namespace coltec
