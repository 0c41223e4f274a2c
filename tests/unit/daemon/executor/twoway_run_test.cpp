// The two-way run against an in-memory disk and a scripted rclone that plays the remote:
// which commands run, what ends up where, what the baseline records. No rclone, no sleeps.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/executor.hpp>
#include <coltec/twoway.hpp>
#include <coltec/twoway_control.hpp>

#include "twoway_run_fixture.hpp"

namespace coltec {
namespace {

TEST_F(TwoWayRunTest, AFreshContainerGetsTheRemoteThroughStagingAndRecordsABaseline) {
  rclone.remote["a.txt"] = {"remote-a", 10};
  rclone.remote["sub/b.txt"] = {"remote-b", 11};
  Executor ex(runner, *log, settings, {action()}, seams);
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "remote-a");
  EXPECT_EQ(disk.bytes(k_local + "/sub/b.txt"), "remote-b");
  // Downloads land in staging and are renamed into place; staging is removed afterwards.
  for (const auto& [from, to] : disk.moves) {
    EXPECT_EQ(from.rfind(k_local + "/.coltec-sync/staging-", 0), 0U) << from;
  }
  EXPECT_TRUE(std::none_of(disk.files.begin(), disk.files.end(), [](const auto& f) {
    return f.first.find("staging") != std::string::npos;
  }));
  // The whole tree is fetched with one plain copy (no file list); no upload, no generation.
  const auto fetch = std::find_if(runner.calls.begin(), runner.calls.end(),
                                  [](const auto& a) { return a[1] == "copy"; });
  ASSERT_NE(fetch, runner.calls.end());
  EXPECT_FALSE(has(*fetch, "--files-from-raw"));
  const auto b = baseline();
  ASSERT_EQ(b.files.size(), 2U);
  EXPECT_EQ(b.files.at("a.txt").remote.md5, "md5-remote-a");
  EXPECT_TRUE(rclone.control.empty()) << "the claim was released";
}

TEST_F(TwoWayRunTest, AnIdleIntervalReadsOnlyTheControlFolder) {
  disk.put(k_local + "/a.txt", "same", 1);
  rclone.remote["a.txt"] = {"same", 10};
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);  // start-up: a full run
  const auto idle = run(ex, RunKind::interval);
  EXPECT_EQ(idle.failure, RcloneFailure::none);
  EXPECT_TRUE(idle.unchanged);
  EXPECT_EQ(commands(), (Commands{"lsjson control"}));
  // Another daemon's run leaves a new generation: the next interval lists both sides.
  rclone.control.insert("gen-other");
  rclone.remote["a.txt"] = {"theirs", 20};
  const auto after_other = run(ex, RunKind::interval);
  EXPECT_FALSE(after_other.unchanged);
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "theirs");
}

TEST_F(TwoWayRunTest, LocalChangesAreSentWithoutListingWhenTheGenerationHolds) {
  disk.put(k_local + "/a.txt", "v1", 1);
  disk.put(k_local + "/b.txt", "b", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  const auto gen = baseline().generation;
  ASSERT_FALSE(gen.empty());
  disk.put(k_local + "/a.txt", "v2", 2);
  disk.files.erase(k_local + "/b.txt");
  ex.note_changes("code", {{"a.txt", false}, {"b.txt", false}}, true);
  const auto r = run(ex, RunKind::local_changes);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  EXPECT_EQ(commands(), (Commands{"touch " + k_control + "/lease-000001000900-me", "lsjson control",
                                  "copy local", "move remote", "lsjson remote",
                                  "touch " + k_control + "/gen-id2", "delete control"}));
  EXPECT_EQ(rclone.remote.at("a.txt").bytes, "v2");
  EXPECT_EQ(rclone.remote.count("b.txt"), 0U);
  EXPECT_EQ(rclone.trash.at("b.txt"), "b");
  EXPECT_EQ(rclone.control, (std::set<std::string>{"gen-id2"}));
  EXPECT_EQ(baseline().files.at("a.txt").remote.md5, "md5-v2");
}

TEST_F(TwoWayRunTest, OwnChangesSeenAgainByTheWatcherCostNothing) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  ex.note_changes("code", {{"a.txt", false}}, true);
  const auto r = run(ex, RunKind::local_changes);
  EXPECT_TRUE(r.unchanged);
  EXPECT_TRUE(runner.calls.empty());
}

TEST_F(TwoWayRunTest, AnotherDaemonsClaimDefersTheRun) {
  const auto r = run_among_claims({claim_name(2'000'000, "other-host")});
  EXPECT_EQ(r.failure, RcloneFailure::deferred);
  EXPECT_NE(r.error.find("other-host"), std::string::npos) << r.error;
  EXPECT_EQ(commands(), (Commands{"lsjson control"}));
  EXPECT_TRUE(rclone.remote.empty());
}

// Found by the fault soak (tests/e2e/soak_test.sh, seed 5): a daemon killed under its claim
// and another whose release failed left a claim each; each then waited for the other's,
// and neither synced until the claims expired (15 minutes). Now the run yields to the other
// claim but takes its own leftover away, so the other daemon goes next, then this one.
TEST_F(TwoWayRunTest, OurOwnLeftoverClaimBeforeAnothersIsReleasedSoBothGetATurn) {
  const auto r =
      run_among_claims({claim_name(1'000'500, "me"), claim_name(1'000'600, "other-host")});
  EXPECT_EQ(r.failure, RcloneFailure::deferred) << r.error;
  EXPECT_TRUE(rclone.remote.empty());
  EXPECT_EQ(rclone.control.count(claim_name(1'000'500, "me")), 0U) << "the leftover went too";
  EXPECT_EQ(rclone.control.count(claim_name(1'000'600, "other-host")), 1U);
  rclone.control.erase(claim_name(1'000'600, "other-host"));  // the other daemon's run ends
  Executor ex(runner, *log, settings, {action()}, seams);
  EXPECT_EQ(run(ex).failure, RcloneFailure::none);
  EXPECT_EQ(rclone.remote.at("a.txt").bytes, "mine");
}

// Another daemon claimed within the same second, and its check ran before our claim landed:
// it is already changing the remote, although our claim's name sorts first.
TEST_F(TwoWayRunTest, AClaimThatAppearsBesideOursMakesTheRunYieldWhateverItsName) {
  auto play = runner.script;
  runner.script = [this, play](const std::vector<std::string>& argv) {
    if (argv[1] == "touch" && argv[2].find("/lease-") != std::string::npos)
      rclone.control.insert(claim_name(1'000'900, "other-host"));
    return play(argv);
  };
  disk.put(k_local + "/a.txt", "mine", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  EXPECT_EQ(run(ex).failure, RcloneFailure::deferred);
  EXPECT_TRUE(rclone.remote.empty());
  EXPECT_EQ(rclone.control, (std::set<std::string>{claim_name(1'000'900, "other-host")}));
}

TEST_F(TwoWayRunTest, AnothersClaimBeforeOurLeftoverOneStillDefers) {
  const auto r =
      run_among_claims({claim_name(1'000'400, "other-host"), claim_name(1'000'500, "me")});
  EXPECT_EQ(r.failure, RcloneFailure::deferred);
  // Our leftover goes, though: the other daemon yields to every claim but its own.
  EXPECT_EQ(commands(), (Commands{"lsjson control", "delete control"}));
  EXPECT_EQ(rclone.control, (std::set<std::string>{claim_name(1'000'400, "other-host")}));
  EXPECT_TRUE(rclone.remote.empty());
}

TEST_F(TwoWayRunTest, DifferentEditsOnBothSidesKeepBothVersions) {
  disk.put(k_local + "/n.md", "base", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  disk.put(k_local + "/n.md", "local edit", 2);  // mtime 2
  rclone.remote["n.md"] = {"remote edit", 99};   // fetched with mtime 7: newer
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  ASSERT_EQ(r.conflicts.size(), 1U);
  const auto copy = r.conflicts[0];
  EXPECT_NE(copy.find("n.conflict-"), std::string::npos);
  EXPECT_NE(copy.find("-local.md"), std::string::npos);
  EXPECT_EQ(disk.bytes(k_local + "/n.md"), "remote edit");
  EXPECT_EQ(disk.bytes(k_local + "/" + copy), "local edit");
  EXPECT_EQ(rclone.remote.at(copy).bytes, "local edit");
  EXPECT_EQ(baseline().conflicts, (std::vector<std::string>{copy}));
  EXPECT_NE(logged.find("conflict"), std::string::npos);
  // The person deletes the conflict copy on one side: resolved everywhere, nothing lost.
  disk.files.erase(k_local + "/" + copy);
  const auto later = run(ex);
  EXPECT_TRUE(later.conflicts.empty()) << later.error << "\n" << logged;
  EXPECT_EQ(rclone.remote.count(copy), 0U);
  EXPECT_EQ(rclone.trash.at(copy), "local edit");
}

TEST_F(TwoWayRunTest, AnInterruptedRunIsFinishedByTheNextWithoutConflicts) {
  disk.put(k_local + "/a.txt", "a", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  const auto before = baseline();
  disk.put(k_local + "/a.txt", "a2", 2);
  rclone.remote["r.txt"] = {"r", 50};
  rclone.fail_steps.insert("upload");
  const auto failed = run(ex);
  EXPECT_NE(failed.failure, RcloneFailure::none);
  EXPECT_EQ(disk.bytes(k_local + "/r.txt"), "r");  // the download went through
  // Only what a step confirmed is recorded (the download was placed, the upload never
  // confirmed), and the run owes the others a marker, since the remote may have changed.
  const auto owing = baseline();
  EXPECT_EQ(owing.files.at("a.txt"), before.files.at("a.txt"));
  EXPECT_EQ(owing.files.count("r.txt"), 1U);
  EXPECT_TRUE(owing.owes_generation);
  EXPECT_TRUE(std::none_of(rclone.control.begin(), rclone.control.end(), [](const std::string& n) {
    return n.rfind("lease-", 0) == 0;
  })) << "the claim was released after the failure";
  // The upload happened after all (the failure came later), so both sides look changed.
  rclone.fail_steps.clear();
  rclone.remote["a.txt"] = {"a2", 60};
  const auto next = run(ex);
  EXPECT_EQ(next.failure, RcloneFailure::none) << next.error;
  EXPECT_TRUE(next.conflicts.empty());
  EXPECT_TRUE(std::none_of(disk.files.begin(), disk.files.end(), [](const auto& f) {
    return f.first.find("conflict") != std::string::npos;
  }));
  EXPECT_EQ(baseline().files.size(), 2U);
}

TEST_F(TwoWayRunTest, AFailedDownloadLeavesTheLocalFileAlone) {
  disk.put(k_local + "/a.txt", "good", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  rclone.remote["a.txt"] = {"newer remote", 70};
  rclone.fail_steps.insert("copy-down");
  EXPECT_NE(run(ex).failure, RcloneFailure::none);
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "good");
}

TEST_F(TwoWayRunTest, ALocalEditDuringTheRunIsNotOverwritten) {
  disk.put(k_local + "/a.txt", "v1", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  rclone.remote["a.txt"] = {"remote v2", 80};
  // The person saves again between our listing and the placement.
  auto play = runner.script;
  runner.script = [this, play](const std::vector<std::string>& argv) {
    if (argv[1] == "copy") disk.put(k_local + "/a.txt", "local v3", 3);
    return play(argv);
  };
  (void)run(ex);
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "local v3");
  runner.script = play;
  const auto next = run(ex);
  EXPECT_EQ(next.conflicts.size(), 1U) << "now both changed: the next run keeps both";
}

TEST_F(TwoWayRunTest, AnEmptiedLocalFolderIsRefusedAndNothingIsDeleted) {
  disk.put(k_local + "/a.txt", "a", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  disk.files.erase(k_local + "/a.txt");
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::refused);
  EXPECT_EQ(rclone.remote.count("a.txt"), 1U);
}

TEST_F(TwoWayRunTest, S3FoldersAreListedWithATrailingSlashSoRcloneSendsNoHeadFirst) {
  disk.put(k_local + "/a.txt", "a", 1);
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  std::size_t remote_listings = 0;
  for (const auto& argv : runner.calls) {
    if (argv[1] != "lsjson" || argv[2].rfind("r:", 0) != 0) continue;
    ++remote_listings;
    EXPECT_EQ(argv[2].back(), '/') << argv[2];
  }
  EXPECT_GE(remote_listings, 2U);  // the control folder and the tree
}

TEST_F(TwoWayRunTest, DeletionsOverTheCapAreHeldBackWhileNewWorkStillUploads) {
  for (const char* name : {"a.txt", "b.txt", "c.txt", "d.txt"}) {
    disk.put(k_local + "/" + name, name, 1);
  }
  settings.safety.max_delete_percent = 50;
  Executor ex(runner, *log, settings, {action()}, seams);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  for (const char* name : {"a.txt", "b.txt", "c.txt"}) disk.files.erase(k_local + "/" + name);
  disk.put(k_local + "/new.txt", "new work", 2);
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;  // what could be copied is across
  EXPECT_EQ(r.notes.held_back.count, 3U);
  EXPECT_EQ(r.notes.held_back.files.size(), 3U);
  EXPECT_FALSE(r.notes.held_back.reason.empty());
  EXPECT_EQ(rclone.remote.count("a.txt"), 1U) << "the held-back deletion was not made";
  ASSERT_EQ(rclone.remote.count("new.txt"), 1U) << "new work is never held back";
}

TEST_F(TwoWayRunTest, AnEmptyFolderAtStartUpIsRestoredNotMirrored) {
  disk.put(k_local + "/a.txt", "a", 1);
  disk.put(k_local + "/sub/b.txt", "b", 1);
  {
    Executor ex(runner, *log, settings, {action()}, seams);
    ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  }
  // A new container on the same state volume: the workspace is empty.
  std::erase_if(disk.files, [](const auto& f) { return f.first.rfind(k_local + "/", 0) == 0; });
  ASSERT_TRUE(disk.read_file("/state/code.baseline", 1 << 20).ok()) << "the state survives";
  Executor fresh(runner, *log, settings, {action()}, seams);
  const auto r = run(fresh);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  EXPECT_EQ(disk.bytes(k_local + "/a.txt"), "a");
  EXPECT_EQ(disk.bytes(k_local + "/sub/b.txt"), "b");
  EXPECT_EQ(rclone.remote.size(), 2U) << "nothing was deleted on the remote";
}

TEST_F(TwoWayRunTest, TheUpgradeFromBisyncListingsSeesOnlyRealChanges) {
  disk.put(k_local + "/same.txt", "s", 1'000'000'000);  // as the listing says
  disk.put(k_local + "/edited.txt", "new", 5);
  rclone.remote["same.txt"] = {"s", 10};
  rclone.remote["edited.txt"] = {"old", 10};
  const std::string session = "/state/bisync/w_code..r_bucket_ws_code";
  disk.put(session + ".path1.lst",
           "# bisync listing v1 from 2026-12-01T23:00:32.385713176+0000\n"
           "-        1 md5:md5-s - 1970-01-01T00:00:01.000000000+0000 \"same.txt\"\n"
           "-        3 md5:md5-old - 1970-01-01T00:00:01.000000000+0000 \"edited.txt\"\n",
           0);
  disk.put(session + ".path2.lst",
           "# bisync listing v1 from 2026-12-01T23:00:32.385713176+0000\n"
           "-        1 md5:md5-s - 1970-01-01T00:00:01.000000000+0000 \"same.txt\"\n"
           "-        3 md5:md5-old - 1970-01-01T00:00:01.000000000+0000 \"edited.txt\"\n",
           0);
  Executor ex(runner, *log, settings, {action()}, seams);
  const auto r = run(ex);
  EXPECT_EQ(r.failure, RcloneFailure::none) << r.error;
  EXPECT_TRUE(r.conflicts.empty());
  EXPECT_EQ(rclone.remote.at("edited.txt").bytes, "new");
  EXPECT_EQ(rclone.trash.count("same.txt"), 0U) << "unchanged files are not sent again";
  EXPECT_EQ(r.stats.transfers, 1U);
  EXPECT_EQ(baseline().remote_times, RemoteTimes::server);
}

TEST_F(TwoWayRunTest, ADryRunListsAndChangesNothing) {
  settings.dry_run = true;
  disk.put(k_local + "/a.txt", "a", 1);
  rclone.remote["b.txt"] = {"b", 1};
  Executor ex(runner, *log, settings, {action()}, seams);
  EXPECT_EQ(run(ex).failure, RcloneFailure::none);
  EXPECT_EQ(commands(), (Commands{"lsjson control", "lsjson remote", "lsjson local"}));
  EXPECT_FALSE(disk.has("/state/code.baseline"));
  EXPECT_FALSE(disk.has(k_local + "/b.txt"));
  EXPECT_NE(logged.find("would upload"), std::string::npos);
  EXPECT_NE(logged.find("would download"), std::string::npos);
}

}  // namespace
}  // namespace coltec
