// Push-only runs past what rclone cannot read (executor_unreadable.cpp), and the quick upload
// with names a line-based list cannot hold as they are. rclone's lines are copied from
// rclone 1.60.1's output for a mode-000 file and folder. The tests run as root, which reads
// a mode-000 file, so the refusals are played (fakes/played_disk.hpp).

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <coltec/disk.hpp>

#include "executor_fixture.hpp"
#include "fakes/played_disk.hpp"

namespace coltec {
namespace {

ExecutorSeams seams_with(Disk& disk) {
  ExecutorSeams seams;
  seams.disk = &disk;
  return seams;
}

const std::string k_bad_dir =
    R"j({"level":"error","msg":"failed to open directory \"bad\": open /w/bad: permission denied","object":"bad","objectType":"string"})j";

std::string copy_denied(const std::string& name) {
  return R"j({"level":"error","msg":"Failed to copy: failed to open source object: open /w/)j" +
         name + R"j(: permission denied","object":")j" + name +
         R"j(","objectType":"*local.Object"})j";
}

bool is_sync(const std::vector<std::string>& argv) {
  return argv.size() > 1 && argv[1] == "sync" && !has_arg(argv, "--dry-run");
}

bool has_warning(const SyncReport& r, const std::string& text) {
  for (const auto& w : r.notes.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_F(ExecutorTest, AnUnreadableFolderInThePreCheckIsLeftOutAndTheRestSyncs) {
  add_local_file();
  pushed_before();
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--dry-run") && !has_arg(argv, "/bad/**")) {
      return Script{1, {k_bad_dir, stats_line(1, 0)}, {}};
    }
    return Script{0, {stats_line(1, 0)}, {}};  // nothing else to do
  };
  PlayedDisk disk;
  disk.refused = {root + "/local/bad"};
  Executor ex(runner, *log, settings, {action(Direction::push_only)}, seams_with(disk));
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 2U);
  EXPECT_TRUE(has_arg(runner.calls[1], "--dry-run"));
  EXPECT_EQ(arg_after(runner.calls[1], "--exclude"), "/bad/**");
  EXPECT_FALSE(has_arg(runner.calls[1], "--delete-excluded"));  // its remote copy stays
  EXPECT_TRUE(has_warning(r, "cannot read the folder bad")) << logged;
}

TEST_F(ExecutorTest, AFileThatCannotBeOpenedIsLeftOutOfTheNextRound) {
  add_local_file();
  pushed_before();
  int syncs = 0;
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--dry-run")) {
      // The dry run never opens a file: it only plans the copies (more than a list takes).
      return Script{0, {skipped("copy"), skipped("copy"), stats_line(2, 0)}, {}};
    }
    if (is_sync(argv)) {
      ++syncs;
      if (!has_arg(argv, "/sec\\[1\\]\\*")) return Script{1, {copy_denied("sec[1]*")}, {}};
    }
    return Script{0, {stats_line(0, 1)}, {}};
  };
  PlayedDisk disk;
  disk.refused = {root + "/local/sec[1]*"};
  Executor ex(runner, *log, settings, {action(Direction::push_only)}, seams_with(disk));
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  EXPECT_EQ(syncs, 2);  // the failed round and the one without the file
  EXPECT_TRUE(has_warning(r, "cannot read the file sec[1]*")) << logged;
  EXPECT_NE(logged.find("running the sync again without what rclone cannot read"),
            std::string::npos);
}

TEST_F(ExecutorTest, RoundsWithoutUnreadablePathsAreBounded) {
  add_local_file();
  pushed_before();
  int syncs = 0;
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--dry-run")) return Script{0, {skipped("copy"), stats_line(1, 0)}, {}};
    if (is_sync(argv)) return Script{1, {copy_denied("f" + std::to_string(++syncs))}, {}};
    return Script{};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::fatal);
  EXPECT_EQ(syncs, k_max_unreadable_rounds + 1);
}

TEST_F(ExecutorTest, OtherFailuresAreNotRunAgain) {
  add_local_file();
  pushed_before();
  const std::string refused =
      R"j({"level":"error","msg":"Failed to copy: open /dst/a: permission denied","object":"a"})j";
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--dry-run")) return Script{0, {skipped("copy"), stats_line(1, 0)}, {}};
    if (is_sync(argv)) return Script{1, {refused}, {}};
    return Script{};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run(ex).failure, RcloneFailure::fatal);
  EXPECT_EQ(runner.calls.size(), 2U);
}

TEST_F(ExecutorTest, ASkippedPathSyncsAgainOnceItIsReadable) {
  add_local_file();
  pushed_before();
  PlayedDisk disk;
  disk.refused = {root + "/local/bad"};
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--dry-run") && !disk.refused.empty() && !has_arg(argv, "/bad/**")) {
      return Script{1, {k_bad_dir}, {}};
    }
    return Script{0, {stats_line(1, 0)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)}, seams_with(disk));
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  runner.calls.clear();
  const auto again = run(ex);  // still unreadable: left out from the start, named again
  ASSERT_EQ(again.failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 1U);
  EXPECT_TRUE(has_arg(runner.calls[0], "/bad/**"));
  EXPECT_TRUE(has_warning(again, "cannot read the folder bad"));
  disk.refused.clear();
  runner.calls.clear();
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_FALSE(has_arg(runner.calls[0], "/bad/**"));  // readable: synced like the rest
}

class ExecutorQuickNamesTest : public ExecutorTest {
 protected:
  void SetUp() override {
    ExecutorTest::SetUp();
    runner.script = [this](const auto& argv) {
      if (has_arg(argv, "--files-from-raw"))
        listed = test::read_file(arg_after(argv, "--files-from-raw"));
      return Script{};
    };
  }
  // One full run first, so that a change afterwards takes the quick path.
  SyncReport run_changed(Executor& ex, const std::string& name) {
    add_local_file();
    EXPECT_EQ(run(ex).failure, RcloneFailure::none);
    runner.calls.clear();
    std::ofstream(root + "/local/" + name) << "x";
    ex.note_changes("code", {{name, false}}, true);
    return run(ex, RunKind::local_changes);
  }
  std::string listed;
};

TEST_F(ExecutorQuickNamesTest, ANameEndingInCarriageReturnIsListedByItsRcloneName) {
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run_changed(ex, "cr\r").failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 1U);
  EXPECT_TRUE(has_arg(runner.calls[0], "--files-from-raw"));
  EXPECT_EQ(listed, "cr\xE2\x90\x8D\n");  // U+240D: rclone's line reader cannot drop it
}

TEST_F(ExecutorQuickNamesTest, ANameWithALineBreakIsOneLineOfTheList) {
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run_changed(ex, "two\nlines").failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 1U);
  EXPECT_EQ(listed, "two\xE2\x90\x8Alines\n");  // U+240A
}

TEST_F(ExecutorQuickNamesTest, ANameThatIsNotUtf8TakesTheFullSyncAtOnce) {
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run_changed(ex, "bad\xFFname").failure, RcloneFailure::none);
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_FALSE(has_arg(runner.calls[0], "--files-from-raw"));
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));  // the full sync's pre-check
}

TEST_F(ExecutorQuickNamesTest, AnUnreadableFileTakesTheFullSync) {
  PlayedDisk disk;
  disk.refused = {root + "/local/secret"};
  Executor ex(runner, *log, settings, {action(Direction::push_only)}, seams_with(disk));
  add_local_file();
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  runner.calls.clear();
  std::ofstream(root + "/local/secret") << "x";
  ex.note_changes("code", {{"secret", false}}, true);
  ex.run(
      "code", [](const SyncReport&) {}, RunKind::local_changes);
  io.restart();
  io.run();
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
}

}  // namespace
}  // namespace coltec
