// A two-way run that could not finish everything, or could not tell the other daemons what
// it changed, never lets its next interval take "generation unchanged" for "nothing to do":
// the file left behind is synced at the next interval (not at the hourly reconcile), and a
// marker that was not written is written by the next run, first.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/executor.hpp>
#include <coltec/twoway.hpp>
#include <coltec/twoway_flow.hpp>

#include "twoway_run_fixture.hpp"

namespace coltec {
namespace {

bool any_gen(const std::set<std::string>& control) {
  return std::any_of(control.begin(), control.end(),
                     [](const std::string& n) { return n.rfind("gen-", 0) == 0; });
}

TEST_F(TwoWayRunTest, AFileLeftForLaterIsSyncedAtTheNextIntervalNotTheReconcile) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  // Another daemon's version arrives; the person saves again while it is being fetched, so
  // this run leaves a.txt alone.
  rclone.remote["a.txt"] = {"remote v2", 80};
  rclone.control = {"gen-other"};
  auto play = runner.script;
  runner.script = [this, play](const std::vector<std::string>& argv) {
    if (argv[1] == "copy") disk.put(k_local + "/a.txt", "local v3", 3);
    return play(argv);
  };
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  runner.script = play;
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "local v3");
  EXPECT_EQ(baseline().generation, k_unsettled_generation);
  // Nothing changes any more on the remote: the interval still lists and keeps both versions.
  const auto next = run(ex, RunKind::interval);
  EXPECT_FALSE(next.unchanged);
  EXPECT_EQ(next.conflicts.size(), 1U);
  EXPECT_NE(baseline().generation, k_unsettled_generation);
  // Settled now: the interval after that is one listing again.
  const auto idle = run(ex, RunKind::interval);
  EXPECT_TRUE(idle.unchanged);
  EXPECT_EQ(commands(), (Commands{"lsjson control"}));
}

TEST_F(TwoWayRunTest, AMarkerThatCouldNotBeWrittenIsOwedAndWrittenFirstNextRun) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  const auto first = rclone.control;
  ASSERT_TRUE(any_gen(first));
  disk.put(k_local + "/a.txt", "v2", 2);
  rclone.fail_steps.insert("touch-gen");
  const auto r = run(ex);
  EXPECT_EQ(rclone.remote.at("a.txt").bytes, "v2");
  EXPECT_NE(std::find_if(r.notes.warnings.begin(), r.notes.warnings.end(),
                         [](const std::string& w) {
                           return w.find("generation marker") != std::string::npos;
                         }),
            r.notes.warnings.end());
  // The old marker stays: taking it away without a new one would hide the change too.
  EXPECT_EQ(rclone.control, first);
  EXPECT_TRUE(baseline().owes_generation);
  rclone.fail_steps.clear();
  const auto next = run(ex, RunKind::interval);
  EXPECT_EQ(next.failure, RcloneFailure::none) << next.error;
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_EQ(commands().front().rfind("touch " + k_control + "/gen-", 0), 0U) << commands().front();
  EXPECT_NE(rclone.control, first) << "the other daemons see a new generation";
  EXPECT_FALSE(baseline().owes_generation);
}

TEST_F(TwoWayRunTest, ARunThatStopsAfterTheRemoteChangedStillTellsTheOthersNextTime) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  const auto first = rclone.control;
  // The upload lands, then the run dies before its marker (as a SIGKILL would leave it).
  disk.put(k_local + "/a.txt", "v2", 2);
  auto play = runner.script;
  runner.script = [play](const std::vector<std::string>& argv) {
    auto s = play(argv);
    if (argv[1] == "copy") s.exit_code = 1;  // uploaded, but rclone ends in an error
    return s;
  };
  EXPECT_NE(run(ex).failure, RcloneFailure::none);
  runner.script = play;
  EXPECT_EQ(rclone.remote.at("a.txt").bytes, "v2");
  EXPECT_EQ(rclone.control, first) << "no marker yet";
  const auto owing = baseline();
  EXPECT_TRUE(owing.owes_generation);
  EXPECT_EQ(owing.generation, k_unsettled_generation);
  const auto next = run(ex, RunKind::interval);
  EXPECT_EQ(next.failure, RcloneFailure::none) << next.error;
  EXPECT_NE(rclone.control, first);
  EXPECT_FALSE(baseline().owes_generation);
  EXPECT_EQ(baseline().files.at("a.txt").remote.md5, "md5-v2") << "compared, found equal";
}

// #17: a file sent by a run that then stopped, and deleted locally before the next run, is
// not brought back as if another writer had changed it.
TEST_F(TwoWayRunTest, AFileSentByAStoppedRunAndThenDeletedStaysDeleted) {
  disk.put(k_local + "/a.txt", "v1", 1);
  disk.put(k_local + "/b.txt", "b", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  disk.put(k_local + "/a.txt", "v2", 2);
  auto play = runner.script;
  runner.script = [play](const std::vector<std::string>& argv) {
    auto s = play(argv);
    if (argv[1] == "copy") s.exit_code = 1;  // sent, then the run stops
    return s;
  };
  EXPECT_NE(run(ex).failure, RcloneFailure::none);
  runner.script = play;
  ASSERT_EQ(rclone.remote.at("a.txt").bytes, "v2");
  EXPECT_EQ(baseline().sent.count("a.txt"), 1U);
  disk.files.erase(k_local + "/a.txt");  // the person deletes it before the next run
  const auto next = run(ex);
  EXPECT_EQ(next.failure, RcloneFailure::none) << next.error;
  EXPECT_FALSE(disk.has(k_local + "/a.txt")) << "the deletion was undone";
  EXPECT_EQ(rclone.remote.count("a.txt"), 0U);
  EXPECT_EQ(rclone.trash.at("a.txt"), "v2") << "the last version is in the trash";
  EXPECT_TRUE(baseline().sent.empty());
}

// Soak seed 328: b's release failed while the S3 server was away, and b then had nothing to
// do, so its claim held a back until it expired. b's next check removes it.
TEST_F(TwoWayRunTest, AnIdleDaemonRemovesItsLeftoverClaimAtItsNextCheck) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  const auto settled = rclone.control;
  rclone.control.insert(claim_name(1'000'500, "me"));  // the release that failed
  const auto check = run(ex, RunKind::interval);
  EXPECT_EQ(check.failure, RcloneFailure::none) << check.error;
  EXPECT_TRUE(check.unchanged);
  EXPECT_EQ(commands(), (Commands{"lsjson control", "delete control"}));
  EXPECT_EQ(rclone.control, settled) << "only the leftover claim went";
  EXPECT_TRUE(run(ex, RunKind::interval).unchanged);
  EXPECT_EQ(commands(), (Commands{"lsjson control"})) << "no request more while none is left";
}

// Soak seed 339: the S3 server went away during the remote deletion; rclone's only error
// named the remote, not the file, and the run took the file as deleted. The next run then
// brought the deleted file back from the remote. Now the run fails, and the next deletes it.
TEST_F(TwoWayRunTest, ADeletionWhoseStepFailedAsAWholeIsNotTakenAsDone) {
  disk.put(k_local + "/a.txt", "a", 1);
  disk.put(k_local + "/b.txt", "b", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  disk.files.erase(k_local + "/a.txt");
  rclone.fail_steps.insert("delete-root");
  EXPECT_NE(run(ex).failure, RcloneFailure::none);
  EXPECT_EQ(rclone.remote.count("a.txt"), 1U);
  rclone.fail_steps.clear();
  const auto next = run(ex);
  EXPECT_EQ(next.failure, RcloneFailure::none) << next.error;
  EXPECT_FALSE(disk.has(k_local + "/a.txt")) << "the deleted file came back";
  EXPECT_EQ(rclone.remote.count("a.txt"), 0U);
  EXPECT_EQ(rclone.trash.at("a.txt"), "a");
}

// Soak seed 309: the stopped run was replacing another daemon's version of the same size.
// The next run must not take that version for its own upload: it compares again, and ours
// reaches the remote (theirs stays as a conflict copy).
TEST_F(TwoWayRunTest, AnotherDaemonsVersionOfTheSameSizeIsNotTakenForOurStoppedUpload) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  rclone.remote["a.txt"] = {"theirs", 80};  // another daemon's, and its marker
  rclone.control.insert("gen-other");
  disk.put(k_local + "/a.txt", "ours-2", 90'000'000'000);  // newer, and of the same size
  rclone.fail_steps.insert("upload");                      // the run stops before ours lands
  EXPECT_NE(run(ex).failure, RcloneFailure::none);
  ASSERT_EQ(baseline().sent.count("a.txt"), 1U);
  EXPECT_EQ(baseline().sent_replaces["a.txt"].md5, "md5-theirs") << "the version it replaces";
  rclone.fail_steps.clear();
  const auto next = run(ex);
  EXPECT_EQ(next.failure, RcloneFailure::none) << next.error;
  EXPECT_EQ(rclone.remote.at("a.txt").bytes, "ours-2") << "ours never reached the remote";
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "ours-2");
  EXPECT_TRUE(std::any_of(rclone.remote.begin(), rclone.remote.end(), [](const auto& o) {
    return o.first.find(".conflict-") != std::string::npos && o.second.bytes == "theirs";
  })) << "their version is kept as a conflict copy";
}

}  // namespace
}  // namespace coltec
