// The order of a push-only or pull-only run, stepped with plain data as the executor would:
// each step's observation comes from a small description of the two sides.

#include <gtest/gtest.h>

#include <coltec/oneway_flow.hpp>

namespace coltec {
namespace {

using S = OneWayStep;

// What the steps would find.
struct World {
  OneWayInspection inspection{true, {true, 1}, true};
  std::uint64_t probed = 5;   ///< files at the remote's top level
  SideState remote{true, 5};  ///< list_remote
  OneWayPrecheck precheck;    ///< nothing to do unless a test says otherwise
  bool list_sendable = true;  ///< a --files-from-raw list can be handed to rclone
};

OneWayProgress push() {
  OneWayProgress p;
  p.direction = Direction::push_only;
  p.local_path = "/w/notes";
  p.remote_spec = "r2:bucket/ws/notes";
  return p;
}

OneWayProgress pull() {
  auto p = push();
  p.direction = Direction::pull_only;
  return p;
}

void observe(OneWayProgress& p, const OneWayNext& next, const World& w) {
  switch (next.step) {
    case S::upload_changed:
    case S::upload_listed:
      (w.list_sendable ? p.transferred : p.list_unsendable) = true;
      return;
    case S::inspect:
      p.inspection = w.inspection;
      return;
    case S::probe_remote:
      p.probed = w.probed;
      return;
    case S::list_remote:
      p.remote = w.remote;
      return;
    case S::make_local_dir:
      p.local_dir_made = true;
      return;
    case S::restore:
      p.restored = true;
      return;
    case S::precheck:
      p.precheck = w.precheck;
      return;
    case S::copy_held_back:
    case S::sync:
      p.transferred = true;
      return;
    case S::mark_pushed:
      p.marked_pushed = true;
      return;
    case S::prune_trash:
      p.pruned = true;
      return;
    case S::done:
      return;
  }
}

// Every answer of next_oneway_step until done (the last one), each step carried out in `w`.
std::vector<OneWayNext> run(OneWayProgress p, const World& w) {
  std::vector<OneWayNext> seen;
  for (int i = 0; i < 40; ++i) {
    seen.push_back(next_oneway_step(p));
    if (seen.back().step == S::done) return seen;
    observe(p, seen.back(), w);
  }
  ADD_FAILURE() << "the run never ended";
  return seen;
}

std::vector<S> steps(const std::vector<OneWayNext>& seen) {
  std::vector<S> out;
  out.reserve(seen.size());
  for (const auto& n : seen) out.push_back(n.step);
  return out;
}

DryRunTally tally(std::uint64_t copies, std::uint64_t deletes, std::uint64_t dest_files) {
  DryRunTally t;
  t.copies = copies;
  t.deletes = deletes;
  t.checks = dest_files;
  for (std::uint64_t i = 0; i < copies; ++i) t.copy_objects.push_back("f" + std::to_string(i));
  return t;
}

TEST(OneWayFlow, ARootProblemRefusesBeforeAnythingIsLookedAt) {
  auto p = push();
  p.root_problem = "the local folder /w/notes resolves to /";
  p.quick = true;
  const auto seen = run(p, World{});
  ASSERT_EQ(steps(seen), std::vector<S>{S::done});
  EXPECT_EQ(seen.back().end, OneWayEnd::refused);
  EXPECT_EQ(seen.back().reason, "the local folder /w/notes resolves to /");
}

TEST(OneWayFlow, WatchedFilesAloneAreUploadedWithoutListingOrMarking) {
  auto p = push();
  p.quick = true;
  p.prune_due = true;
  const auto seen = run(p, World{});
  EXPECT_EQ(steps(seen), (std::vector<S>{S::upload_changed, S::done}));
  EXPECT_EQ(seen.back().end, OneWayEnd::ok);
}

TEST(OneWayFlow, AWatchedListThatCannotBeHandedOverTakesTheFullRun) {
  auto p = push();
  p.quick = true;
  World w;
  w.list_sendable = false;
  w.precheck.tally = tally(1, 0, 100);  // would be listed too, but lists cannot be sent
  EXPECT_EQ(steps(run(p, w)),
            (std::vector<S>{S::upload_changed, S::inspect, S::precheck, S::sync, S::done}));
}

TEST(OneWayFlow, AFirstPushIntoAnEmptyRemoteSkipsThePrecheckButMayDeleteNothing) {
  auto p = push();
  p.prune_due = true;
  World w;
  w.inspection.pushed_before = false;
  w.probed = 0;
  const auto seen = run(p, w);
  EXPECT_EQ(steps(seen), (std::vector<S>{S::inspect, S::probe_remote, S::sync, S::mark_pushed,
                                         S::prune_trash, S::done}));
  EXPECT_EQ(seen[2].max_delete, std::optional<std::uint64_t>(0));
}

TEST(OneWayFlow, AFirstPushIntoARemoteWithFilesRunsThePrecheck) {
  World w;
  w.inspection.pushed_before = false;
  w.probed = 3;
  EXPECT_EQ(steps(run(push(), w)),
            (std::vector<S>{S::inspect, S::probe_remote, S::precheck, S::mark_pushed, S::done}));
}

TEST(OneWayFlow, APrecheckThatFindsNothingEndsTheRun) {
  EXPECT_EQ(steps(run(push(), World{})), (std::vector<S>{S::inspect, S::precheck, S::done}));
  EXPECT_EQ(steps(run(pull(), World{})), (std::vector<S>{S::inspect, S::precheck, S::done}));
}

TEST(OneWayFlow, DeletionsUnderTheCapSyncWithTheCapAsMaxDelete) {
  auto p = push();
  p.max_delete_percent = 50;
  World w;
  w.precheck.tally = tally(0, 3, 100);
  const auto seen = run(p, w);
  ASSERT_EQ(steps(seen), (std::vector<S>{S::inspect, S::precheck, S::sync, S::done}));
  // Deletions that appear between the pre-check and the sync still stop at the cap.
  EXPECT_EQ(seen[2].max_delete, std::optional<std::uint64_t>(50));
  EXPECT_FALSE(seen[2].held_back);

  p.force_deletes = true;
  w.precheck.tally = tally(0, 90, 100);
  const auto forced = run(p, w);
  ASSERT_EQ(steps(forced), (std::vector<S>{S::inspect, S::precheck, S::sync, S::done}));
  EXPECT_EQ(forced[2].max_delete, std::nullopt);
}

TEST(OneWayFlow, AFewNewFilesAreUploadedByNameAfterThePrecheck) {
  auto p = push();
  p.prune_due = true;
  World w;
  w.precheck.tally = tally(2, 0, 100);
  EXPECT_EQ(steps(run(p, w)),
            (std::vector<S>{S::inspect, S::precheck, S::upload_listed, S::prune_trash, S::done}));
  // Too many for the destination's size: the whole sync.
  w.precheck.tally = tally(10, 0, 100);
  EXPECT_EQ(steps(run(p, w)),
            (std::vector<S>{S::inspect, S::precheck, S::sync, S::prune_trash, S::done}));
  // A pull never uploads.
  w.precheck.tally = tally(2, 0, 100);
  EXPECT_EQ(steps(run(pull(), w)), (std::vector<S>{S::inspect, S::precheck, S::sync, S::done}));
}

TEST(OneWayFlow, DeletionsOverTheCapAreHeldBackAndTheNewFilesCopied) {
  World w;
  w.precheck.tally = tally(2, 80, 100);
  const auto listed = run(push(), w);
  ASSERT_EQ(steps(listed), (std::vector<S>{S::inspect, S::precheck, S::upload_listed, S::done}));
  EXPECT_TRUE(listed[2].held_back);
  EXPECT_TRUE(listed[3].held_back);

  w.list_sendable = false;
  EXPECT_EQ(steps(run(push(), w)), (std::vector<S>{S::inspect, S::precheck, S::upload_listed,
                                                   S::copy_held_back, S::done}));

  w.list_sendable = true;
  const auto pulled = run(pull(), w);
  ASSERT_EQ(steps(pulled), (std::vector<S>{S::inspect, S::precheck, S::copy_held_back, S::done}));
  EXPECT_TRUE(pulled[2].held_back);

  w.precheck.tally = tally(0, 80, 100);  // only deletions: nothing to copy
  const auto only = run(push(), w);
  ASSERT_EQ(steps(only), (std::vector<S>{S::inspect, S::precheck, S::done}));
  EXPECT_TRUE(only.back().held_back);
  EXPECT_EQ(only.back().end, OneWayEnd::ok);
}

TEST(OneWayFlow, AnEmptyFolderAtStartUpIsRestoredBeforeThePrecheck) {
  auto p = push();
  p.startup = true;
  World w;
  w.inspection.local = {true, 0};
  const auto seen = run(p, w);
  ASSERT_EQ(steps(seen),
            (std::vector<S>{S::inspect, S::list_remote, S::restore, S::precheck, S::done}));
  EXPECT_FALSE(seen[2].reason.empty());

  w.inspection.local = {false, 0};  // missing: created first
  EXPECT_EQ(steps(run(p, w)), (std::vector<S>{S::inspect, S::list_remote, S::make_local_dir,
                                              S::restore, S::precheck, S::done}));
}

TEST(OneWayFlow, AFolderEmptiedLaterIsRefusedUnlessAllowed) {
  auto p = push();
  World w;
  w.inspection.local = {true, 0};
  const auto seen = run(p, w);
  ASSERT_EQ(steps(seen), (std::vector<S>{S::inspect, S::list_remote, S::done}));
  EXPECT_EQ(seen.back().end, OneWayEnd::refused);

  p.allow_empty_source = true;
  w.precheck.tally = tally(0, 5, 5);
  p.force_deletes = true;
  EXPECT_EQ(steps(run(p, w)),
            (std::vector<S>{S::inspect, S::list_remote, S::precheck, S::sync, S::done}));
}

TEST(OneWayFlow, ADryRunCreatesNothingAndItsSyncIsThePrecheck) {
  auto p = push();
  p.dry_run = true;
  p.startup = true;
  p.prune_due = true;
  World w;
  w.inspection.local = {false, 0};
  const auto seen = run(p, w);
  // The restore step of a dry run only says it would restore.
  ASSERT_EQ(steps(seen),
            (std::vector<S>{S::inspect, S::list_remote, S::restore, S::sync, S::done}));
  EXPECT_EQ(seen[3].max_delete, std::nullopt);

  w.inspection = {true, {true, 1}, false};  // never pushed, but a dry run probes nothing
  EXPECT_EQ(steps(run(p, w)), (std::vector<S>{S::inspect, S::sync, S::done}));
}

TEST(OneWayFlow, AnUnmountedVolumeIsRefusedUnlessAllowed) {
  auto p = push();
  p.expect_mount = true;
  World w;
  w.inspection.mounted = false;
  const auto seen = run(p, w);
  ASSERT_EQ(steps(seen), (std::vector<S>{S::inspect, S::done}));
  EXPECT_EQ(seen.back().end, OneWayEnd::refused);
  EXPECT_NE(seen.back().reason.find("/w/notes should be a mounted volume"), std::string::npos);

  p.allow_empty_source = true;
  EXPECT_EQ(steps(run(p, w)), (std::vector<S>{S::inspect, S::precheck, S::done}));
}

TEST(OneWayFlow, APullFromAMissingOrEmptyRemoteIsSkippedWithAWarning) {
  World w;
  w.precheck.remote_missing = true;
  const auto missing = run(pull(), w);
  ASSERT_EQ(steps(missing), (std::vector<S>{S::inspect, S::precheck, S::done}));
  EXPECT_EQ(missing.back().end, OneWayEnd::skipped);
  EXPECT_NE(missing.back().reason.find("r2:bucket/ws/notes"), std::string::npos);

  w.precheck = {false, tally(0, 4, 4)};  // exists, holds nothing: would delete every file
  const auto empty = run(pull(), w);
  EXPECT_EQ(empty.back().end, OneWayEnd::skipped);
  EXPECT_EQ(steps(empty), (std::vector<S>{S::inspect, S::precheck, S::done}));
}

TEST(OneWayFlow, EveryStepHasAName) {
  EXPECT_STREQ(to_string(S::probe_remote), "probe_remote");
  EXPECT_STREQ(to_string(S::copy_held_back), "copy_held_back");
  EXPECT_STREQ(to_string(S::done), "done");
}

}  // namespace
}  // namespace coltec
