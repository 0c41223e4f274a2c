// The executor's chain of steps, driven by a FakeProcessRunner (tests/fakes) that records each
// argv and answers with scripted output and exit codes on the same io_context. No rclone, no
// sleeps.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <coltec/disk.hpp>
#include <coltec/executor.hpp>

#include "executor_fixture.hpp"

namespace coltec {
namespace {

TEST_F(ExecutorTest, PushRunsADryRunPreCheckThenTheSyncWithATrashDir) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run") ? Script{0, {skipped("copy"), stats_line(5, 0)}, {}}
                                      : Script{0, {stats_line(5, 2)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 3U);
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
  EXPECT_FALSE(has_arg(runner.calls[1], "--dry-run"));
  EXPECT_TRUE(has_arg(runner.calls[1], "--backup-dir"));
  EXPECT_TRUE(has_arg(runner.calls[1], "--max-delete"));
  EXPECT_EQ(r.stats.transfers, 2U);
  // The trash keeps what the push replaced or deleted; its retention is enforced daily.
  EXPECT_EQ(runner.calls[2][1], "delete");
  EXPECT_TRUE(has_arg(runner.calls[2], "--min-age"));
  EXPECT_EQ(runner.calls[2][2], "r:bucket/ws/.coltec-trash/code");
  runner.calls.clear();
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  EXPECT_EQ(runner.calls.size(), 2U);  // pruned at most once a day
}

TEST_F(ExecutorTest, ARootThatBecameASymlinkToTheRootIsRefusedBeforeAnyStep) {
  fs::remove_all(root + "/local");
  fs::create_symlink("/", root + "/local");  // e.g. `rm -rf code && ln -s / code`
  for (const auto d : {Direction::push_only, Direction::pull_only, Direction::bidirectional}) {
    runner.calls.clear();
    Executor ex(runner, *log, settings, {action(d)});
    const auto r = run(ex);
    EXPECT_EQ(r.failure, RcloneFailure::refused);
    EXPECT_NE(r.error.find("resolves to /, the root of the file system"), std::string::npos)
        << r.error;
    EXPECT_TRUE(runner.calls.empty());  // nothing was listed, restored or synced
  }
}

TEST_F(ExecutorTest, TheStateDirectoryIsNeverASyncRoot) {
  auto a = action(Direction::pull_only);
  a.local_path = root;  // holds root + "/state"
  Executor ex(runner, *log, settings, {a});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::refused);
  EXPECT_NE(r.error.find("holds the daemon's state directory"), std::string::npos) << r.error;
  EXPECT_TRUE(runner.calls.empty());
}

TEST_F(ExecutorTest, AFewChangesFoundByThePreCheckAreUploadedByName) {
  add_local_file();
  pushed_before();
  settings.keep_fds = {7};  // the config's descriptor, inherited by every step
  std::string listed;
  std::string list_path;
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--dry-run")) {
      return Script{0,
                    {R"j({"skipped":"copy","object":"file.txt"})j",
                     R"j({"skipped":"copy","object":"sub dir/new.txt"})j", stats_line(100, 0)},
                    {}};
    }
    if (has_arg(argv, "--files-from-raw")) {
      // The list is an in-memory file the child inherits; read it as rclone would.
      list_path = arg_after(argv, "--files-from-raw");
      listed = test::read_file(list_path);
    }
    return Script{0, {stats_line(0, 2)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 3U);     // pre-check, upload, trash retention
  EXPECT_EQ(runner.calls[1][1], "copy");  // never "sync": nothing is deleted
  EXPECT_TRUE(has_arg(runner.calls[1], "--files-from-raw"));
  EXPECT_TRUE(has_arg(runner.calls[1], "--no-traverse"));
  EXPECT_TRUE(has_arg(runner.calls[1], "--backup-dir"));  // replaced remote files are kept
  EXPECT_EQ(listed, "file.txt\nsub dir/new.txt\n");
  ASSERT_GE(proc_fd(list_path), 3) << list_path;
  EXPECT_EQ(runner.kept_fds[1], (std::vector<int>{7, proc_fd(list_path)}));
  EXPECT_EQ(runner.kept_fds[0], std::vector<int>{7});
  EXPECT_EQ(runner.kept_fds[2], std::vector<int>{7});
  // Nothing was written next to the state: the list only ever lived in memory.
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    EXPECT_EQ(entry.path().filename().string().find(".files"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(runner.calls[2][1], "delete");
  EXPECT_EQ(r.stats.transfers, 2U);
}

TEST_F(ExecutorTest, TrashRetentionRunsDailyAcrossProcesses) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto& argv) {
    return has_arg(argv, "--dry-run") ? Script{0, {skipped("delete"), stats_line(10, 0)}, {}}
                                      : Script{0, {stats_line(10, 0)}, {}};
  };
  {
    Executor ex(runner, *log, settings, {action(Direction::push_only)});
    ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  }
  ASSERT_EQ(runner.calls.size(), 3U);
  EXPECT_EQ(runner.calls[2][1], "delete");
  runner.calls.clear();
  {
    Executor again(runner, *log, settings, {action(Direction::push_only)});  // a new --once
    ASSERT_EQ(run(again).failure, RcloneFailure::none);
  }
  EXPECT_EQ(runner.calls.size(), 2U);  // pre-check and sync; pruned less than a day ago
  // A day later (by the executor's clock, not the machine's) it is due again.
  ExecutorSeams tomorrow;
  // The marker's own time, as the system disk reports it, is "when it was pruned".
  const auto pruned = make_system_disk()->stat(root + "/state/code.trash-pruned");
  ASSERT_EQ(pruned.kind, EntryKind::file);
  const auto then = pruned.state.mtime_ns / 1'000'000'000;
  tomorrow.unix_now = [then] { return then + std::int64_t{25} * 3600; };
  runner.calls.clear();
  Executor later(runner, *log, settings, {action(Direction::push_only)}, tomorrow);
  ASSERT_EQ(run(later).failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 3U);
  EXPECT_EQ(runner.calls[2][1], "delete");
}

TEST_F(ExecutorTest, ANoOpPushStopsAfterTheDryRun) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto&) { return Script{0, {stats_line(5, 0)}, {}}; };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run(ex).failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 1U);
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
}

TEST_F(ExecutorTest, FirstPushIntoAnEmptyRemoteSkipsThePreCheck) {
  add_local_file();
  runner.script = [](const auto& argv) {
    if (argv[1] == "lsjson") return Script{0, {}, {"[", "]"}};
    return Script{0, {stats_line(0, 1)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 3U);  // probe, sync, trash retention
  EXPECT_EQ(runner.calls[0][1], "lsjson");
  EXPECT_TRUE(has_arg(runner.calls[0], "--max-depth"));
  EXPECT_FALSE(has_arg(runner.calls[0], "--fast-list"));  // would list the whole tree
  EXPECT_EQ(runner.calls[1][1], "sync");
  EXPECT_FALSE(has_arg(runner.calls[1], "--dry-run"));
  // Files that appear on the remote after the probe are still never deleted.
  const auto& sync = runner.calls[1];
  const auto cap = std::find(sync.begin(), sync.end(), "--max-delete");
  ASSERT_NE(cap, sync.end());
  EXPECT_EQ(*std::next(cap), "0");
  EXPECT_TRUE(fs::exists(root + "/state/code.pushed"));
  // Once it has pushed, the remote holds files: every later push is pre-checked, unprobed.
  runner.calls.clear();
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
}

TEST_F(ExecutorTest, AMissingRemoteFolderCountsAsEmpty) {
  add_local_file();
  runner.script = [](const auto& argv) {
    if (argv[1] == "lsjson")
      return Script{3, {R"j({"level":"error","msg":"directory not found"})j"}, {}};
    return Script{0, {stats_line(0, 1)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run(ex).failure, RcloneFailure::none);
  ASSERT_GE(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[1][1], "sync");
  EXPECT_FALSE(has_arg(runner.calls[1], "--dry-run"));
  EXPECT_EQ(logged.find("directory not found"), std::string::npos) << logged;  // not a warning
}

TEST_F(ExecutorTest, FirstPushIntoARemoteWithFilesIsPreChecked) {
  add_local_file();
  runner.script = [](const auto& argv) {
    if (argv[1] == "lsjson") return Script{0, {}, {"[", R"({"Path":"old","IsDir":true})", "]"}};
    Script s;
    for (int i = 0; i < 8; ++i) s.err.push_back(skipped("delete"));
    s.err.push_back(stats_line(10, 0));
    return s;
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  // The cap decided it, before any delete: the deletions are held back, and as the dry run
  // found nothing else to do, nothing more runs.
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  EXPECT_EQ(r.notes.held_back.count, 8U);
  ASSERT_EQ(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[0][1], "lsjson");
  EXPECT_TRUE(has_arg(runner.calls[1], "--dry-run"));
  EXPECT_FALSE(fs::exists(root + "/state/code.pushed"));  // nothing was pushed
}

TEST_F(ExecutorTest, AFailedProbeRunsNothingElse) {
  add_local_file();
  runner.script = [](const auto&) {
    return Script{
        1,
        {R"j({"level":"error","msg":"dial tcp 127.0.0.1:9: connect: connection refused"})j"},
        {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_NE(r.failure, RcloneFailure::none);
  EXPECT_EQ(runner.calls.size(), 1U);
}

TEST_F(ExecutorTest, FreshContainerRestoresBeforeThePush) {
  runner.script = [](const auto& argv) {
    if (argv[1] == "lsjson")
      return Script{0, {}, {"[", R"({"Path":"a"},)", R"({"Path":"b"})", "]"}};
    if (argv[1] == "copy") return Script{0, {stats_line(0, 2)}, {}};
    return Script{0, {skipped("copy"), stats_line(2, 0)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(runner.calls.size(), 5U);  // list, restore, pre-check, sync, trash retention
  EXPECT_EQ(runner.calls[0][1], "lsjson");
  EXPECT_EQ(runner.calls[1][1], "copy");
  EXPECT_EQ(r.restored, 2U);
  EXPECT_NE(logged.find("restored from the remote"), std::string::npos);
}

TEST_F(ExecutorTest, LocalEmptiedAfterASuccessIsRefusedAndNothingRuns) {
  add_local_file();
  runner.script = [](const auto& argv) {
    if (argv[1] == "lsjson") return Script{0, {}, {R"({"Path":"a"})"}};
    return Script{0, {stats_line(1, 0)}, {}};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  fs::remove(root + "/local/file.txt");
  runner.calls.clear();
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::refused);
  ASSERT_EQ(runner.calls.size(), 1U);  // only the listing
  EXPECT_EQ(runner.calls[0][1], "lsjson");
}

TEST_F(ExecutorTest, DeleteCapRefusesBeforeAnythingIsDeleted) {
  add_local_file();
  pushed_before();
  runner.script = [](const auto&) {
    Script s;
    for (int i = 0; i < 8; ++i) s.err.push_back(skipped("delete"));
    s.err.push_back(stats_line(10, 0));  // rclone counts deleted files as checked
    return s;
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;  // nothing new was left behind
  EXPECT_EQ(r.notes.held_back.count, 8U);
  EXPECT_NE(r.notes.held_back.reason.find("8 of the remote's 10 files"), std::string::npos)
      << r.notes.held_back.reason;
  EXPECT_EQ(runner.calls.size(), 1U);  // only deletions were found: no copy, no sync
}

TEST_F(ExecutorTest, PullFromAnEmptyRemoteDeletesNothingAndWarns) {
  add_local_file();
  runner.script = [](const auto&) { return Script{0, {skipped("delete"), stats_line(0, 0)}, {}}; };
  settings.safety.max_delete_percent = 100;  // the empty-source guard, not the cap, decides
  Executor ex(runner, *log, settings, {action(Direction::pull_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(r.notes.warnings.size(), 1U);
  EXPECT_NE(r.notes.warnings[0].find("r:bucket/ws/code"), std::string::npos);
  EXPECT_EQ(runner.calls.size(), 1U);  // the dry run only: no sync that would delete
}

TEST_F(ExecutorTest, CancellingASyncTerminatesIt) {
  add_local_file();
  runner.hold = true;
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  ex.run("code", [](const SyncReport&) {});
  ex.cancel("code");
  EXPECT_EQ(runner.last->terminated, 1);
  EXPECT_EQ(runner.last->killed, 0);
  runner.release();
  io.run();
}

TEST_F(ExecutorTest, DryRunNeverRestoresOrPreChecksAndWritesNoState) {
  settings.dry_run = true;
  runner.script = [](const auto& argv) {
    if (argv[1] == "lsjson") return Script{0, {}, {R"({"Path":"a"})"}};
    return Script{};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  EXPECT_EQ(run(ex).failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 2U);
  EXPECT_EQ(runner.calls[0][1], "lsjson");
  EXPECT_EQ(runner.calls[1][1], "sync");
  EXPECT_TRUE(has_arg(runner.calls[1], "--dry-run"));
  EXPECT_FALSE(fs::exists(root + "/state/code.pushed"));
}

TEST_F(ExecutorTest, SpawnFailureIsAClearFatalError) {
  add_local_file();
  class Missing final : public ProcessRunner {
   public:
    explicit Missing(boost::asio::io_context& io) : m_io(io) {}
    std::shared_ptr<RunningProcess> start(const ProcessSpec&, LineHandler,
                                          ExitHandler on_exit) override {
      boost::asio::post(m_io, [on_exit] {
        ProcessResult r;
        r.spawn_failed = true;
        r.spawn_error = "rclone: No such file or directory";
        on_exit(r);
      });
      return std::make_shared<FakeRunning>();
    }
    boost::asio::io_context& m_io;
  } missing(io);
  Executor ex(missing, *log, settings, {action(Direction::push_only)});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::fatal);
  EXPECT_NE(r.error.find("No such file"), std::string::npos);
}

TEST_F(ExecutorTest, AnUnmountedVolumeIsRefusedBeforeAnythingRuns) {
  add_local_file();
  auto a = action(Direction::push_only);
  a.expect_mount = true;  // the spec mounts a volume here, but nothing is mounted
  Executor ex(runner, *log, settings, {a});
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::refused);
  EXPECT_NE(r.error.find("mounted volume"), std::string::npos) << r.error;
  EXPECT_TRUE(runner.calls.empty());
}

class ExecutorQuickTest : public ExecutorTest {
 protected:
  // A first (full) run, so the action is past start-up.
  void prime(Executor& ex) {
    add_local_file();
    ASSERT_EQ(run(ex).failure, RcloneFailure::none);
    runner.calls.clear();
  }
  SyncReport run_changes(Executor& ex) { return run(ex, RunKind::local_changes); }
};

TEST_F(ExecutorQuickTest, ChangedFilesAloneAreUploadedWithoutListing) {
  std::string listed;
  runner.script = [&](const auto& argv) {
    if (has_arg(argv, "--files-from-raw"))
      listed = test::read_file(arg_after(argv, "--files-from-raw"));
    return Script{};
  };
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  prime(ex);
  std::ofstream(root + "/local/new.txt") << "new";
  ex.note_changes("code", {{"new.txt", false}, {"file.txt", false}, {"new.txt", false}}, true);
  EXPECT_EQ(run_changes(ex).failure, RcloneFailure::none);
  ASSERT_EQ(runner.calls.size(), 1U);
  EXPECT_EQ(runner.calls[0][1], "copy");
  EXPECT_TRUE(has_arg(runner.calls[0], "--files-from-raw"));
  EXPECT_TRUE(has_arg(runner.calls[0], "--no-traverse"));
  EXPECT_TRUE(has_arg(runner.calls[0], "--backup-dir"));
  EXPECT_EQ(listed, "file.txt\nnew.txt\n");
}

TEST_F(ExecutorQuickTest, ADeletionOrADirectoryTakesTheFullSync) {
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  prime(ex);
  ex.note_changes("code", {{"gone.txt", false}}, true);  // does not exist: a deletion
  run_changes(ex);
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));  // the full sync's pre-check
  runner.calls.clear();
  ex.note_changes("code", {{"dir", true}}, true);
  run_changes(ex);
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
  runner.calls.clear();
  ex.note_changes("code", {{"file.txt", false}}, false);  // a truncated batch
  run_changes(ex);
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
}

TEST_F(ExecutorQuickTest, IntervalRunsAndStartUpAreAlwaysFull) {
  Executor ex(runner, *log, settings, {action(Direction::push_only)});
  add_local_file();
  pushed_before();
  ex.note_changes("code", {{"file.txt", false}}, true);
  run_changes(ex);  // start-up: full even when only files changed
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
  runner.calls.clear();
  ex.note_changes("code", {{"file.txt", false}}, true);
  run(ex);  // not triggered by changes
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls[0], "--dry-run"));
}

}  // namespace
}  // namespace coltec
