// A delete cap that refuses a sync's deletions never holds back new work: the run copies
// what is new or changed instead (rclone copy, which never deletes) and reports the
// deletions it held back. A pull-only remote that holds nothing ends with a warning.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "executor_fixture.hpp"

namespace coltec {
namespace {

std::string named(const char* what, const std::string& object) {
  return std::string(R"j({"level":"warning","msg":"Skipped","skipped":")j") + what +
         R"j(","object":")j" + object + "\"}";
}

// The dry run of the one-file case: the other side holds one file this side lacks (a sync
// would delete 1 of 1, over the 50 % cap) and this side has a new file.
Script one_file_dry_run() {
  return Script{0, {named("copy", "new.txt"), named("delete", "old.txt"), stats_line(1, 0)}, {}};
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// A sync that is not the pre-check's dry run.
bool real_sync(const std::vector<std::string>& argv) {
  return argv[1] == "sync" && !has_arg(argv, "--dry-run");
}

class HeldBackTest : public ExecutorTest {};

TEST_F(HeldBackTest, APushStillUploadsTheNewFileWhenTheCapHoldsDeletionsBack) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run") ? one_file_dry_run() : Script{0, {stats_line(0, 1)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 3U);  // pre-check, copy, trash retention
  const auto& copy = runner.calls[1];
  EXPECT_EQ(copy[1], "copy");  // never "sync": nothing is deleted
  EXPECT_EQ(copy[2], root + "/local");
  EXPECT_EQ(copy[3], "r:bucket/ws/code");
  EXPECT_FALSE(has_arg(copy, "--dry-run"));
  EXPECT_TRUE(has_arg(copy, "--backup-dir"));  // what it overwrites goes to the trash
  EXPECT_EQ(r.stats.transfers, 1U);
  EXPECT_EQ(r.notes.held_back.count, 1U);
  EXPECT_EQ(r.notes.held_back.files, std::vector<std::string>{"old.txt"});
  EXPECT_NE(r.notes.held_back.reason.find("--force-deletes"), std::string::npos);
  EXPECT_NE(logged.find("deletions held back"), std::string::npos) << logged;
  EXPECT_NE(logged.find("held_back_deletes=1"), std::string::npos) << logged;
  EXPECT_TRUE(fs::exists(root + "/state/code.pushed"));
}

TEST_F(HeldBackTest, TheSameHeldBackDeletionsWarnOnceThenEveryRunStillSaysSo) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run") ? one_file_dry_run() : Script{0, {stats_line(0, 1)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::pull_only)});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run(ex).notes.held_back.count, 1U);
  EXPECT_EQ(occurrences(logged, "warn  deletions held back"), 1U) << logged;
  EXPECT_EQ(occurrences(logged, "held_back_deletes=1"), 4U) << logged;  // 1 warning + 3 runs
}

TEST_F(HeldBackTest, APullStillPullsTheNewFileAndKeepsTheLocalOne) {
  add_local_file();
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run") ? one_file_dry_run() : Script{0, {stats_line(0, 1)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::pull_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 2U);  // pre-check, copy
  const auto& copy = runner.calls[1];
  EXPECT_EQ(copy[1], "copy");
  EXPECT_EQ(copy[2], "r:bucket/ws/code");
  EXPECT_EQ(copy[3], root + "/local");
  EXPECT_FALSE(has_arg(copy, "--backup-dir"));  // as before: a pull has no trash
  EXPECT_EQ(r.notes.held_back.count, 1U);
  EXPECT_NE(r.notes.held_back.reason.find("the local copies stay"), std::string::npos);
}

TEST_F(HeldBackTest, AFewNewFilesAreUploadedByNameWhileDeletionsWait) {
  add_local_file();
  pushed_before();
  settings.config_path = root + "/state/rclone.conf";
  runner.script = [](const auto& argv) {
    if (!has_arg(argv, "--dry-run")) return Script{0, {stats_line(0, 1)}, {}};
    Script s{0, {named("copy", "file.txt")}, {}};
    for (int i = 0; i < 30; ++i) s.err.push_back(named("delete", "gone" + std::to_string(i)));
    s.err.push_back(stats_line(40, 0));
    return s;
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_GE(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[1][1], "copy");
  EXPECT_TRUE(has_arg(runner.calls[1], "--files-from-raw"));
  EXPECT_TRUE(std::none_of(runner.calls.begin(), runner.calls.end(),
                           [](const auto& argv) { return real_sync(argv); }));
  EXPECT_EQ(r.notes.held_back.count, 30U);
  EXPECT_EQ(r.notes.held_back.files.size(), HeldBackDeletes::k_max_named);
}

TEST_F(HeldBackTest, ForceDeletesRunsTheSyncAndHoldsNothingBack) {
  add_local_file();
  pushed_before();
  settings.force_deletes = true;
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run") ? one_file_dry_run() : Script{0, {stats_line(1, 1)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_GE(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[1][1], "sync");
  EXPECT_EQ(r.notes.held_back.count, 0U);
}

TEST_F(HeldBackTest, AFailedCopyIsAFailureThatStillNamesTheHeldBackDeletions) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto& argv) {
    if (has_arg(argv, "--dry-run")) return one_file_dry_run();
    return Script{
        1,
        {R"j({"level":"error","msg":"dial tcp 127.0.0.1:9: connect: connection refused"})j"},
        {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::temporary);
  EXPECT_NE(r.error.find("copying new and changed files"), std::string::npos) << r.error;
  EXPECT_EQ(r.notes.held_back.count, 1U);
  EXPECT_EQ(runner.calls.size(), 2U);  // no trash retention after a failed copy
}

TEST_F(HeldBackTest, AMissingPullRemoteEndsWithAWarningSaidOncePerDaemon) {
  add_local_file();
  runner.script = [](const auto&) {
    return Script{3, {R"j({"level":"error","msg":"directory not found"})j"}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::pull_only)});
  for (int i = 0; i < 2; ++i) {
    const auto r = run(ex);
    EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
    ASSERT_EQ(r.notes.warnings.size(), 1U);  // every run's report carries it (status)
    EXPECT_NE(r.notes.warnings[0].find("r:bucket/ws/code does not exist"), std::string::npos)
        << r.notes.warnings[0];
  }
  EXPECT_EQ(runner.calls.size(), 2U);  // one dry run per run; never a sync
  EXPECT_EQ(occurrences(logged, "does not exist"), 1U) << logged;
  EXPECT_EQ(logged.find("directory not found"), std::string::npos) << logged;  // not a warning
}

TEST_F(HeldBackTest, AnEmptyPullRemoteWithTheOptOutIsMirrored) {
  add_local_file();
  settings.allow_empty_source = true;
  settings.safety.max_delete_percent = 100;
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run")
               ? Script{0, {named("delete", "file.txt"), stats_line(1, 0)}, {}}
               : Script{0, {stats_line(1, 0)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::pull_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[1][1], "sync");  // asked for explicitly
  EXPECT_TRUE(r.notes.warnings.empty());
}

}  // namespace
}  // namespace coltec
