// The two-way decision table, path by path, and the guards around it.

#include <gtest/gtest.h>

#include <coltec/twoway.hpp>

namespace coltec {
namespace {

FileState at(std::uint64_t size, std::int64_t t, std::string md5 = "") {
  return FileState{size, t, std::move(md5)};
}

// A baseline where "a", "b", "c" were synced: local times 100.., remote times 900...
Baseline three() {
  Baseline b;
  for (const char* p : {"a", "b", "c"}) b.files[p] = {at(1, 100), at(1, 900, "m1")};
  return b;
}

Listing local_of(const Baseline& b) {
  Listing l;
  for (const auto& [p, e] : b.files) l[p] = e.local;
  return l;
}

Listing remote_of(const Baseline& b) {
  Listing r;
  for (const auto& [p, e] : b.files) r[p] = e.remote;
  return r;
}

std::vector<std::pair<std::string, Op>> ops(const SyncPlan& plan) {
  std::vector<std::pair<std::string, Op>> out;
  for (const auto& a : plan.actions) out.emplace_back(a.path, a.op);
  return out;
}

ReconcileOptions cap(std::uint32_t percent, bool force = false) {
  ReconcileOptions o;
  o.max_delete_percent = percent;
  o.force_deletes = force;
  return o;
}

ReconcileOptions unreadable_local(const std::string& dir) {
  auto o = cap(100);
  o.local_unreadable = {dir};
  return o;
}

ReconcileOptions skipping(const std::string& path) {
  ReconcileOptions o;
  o.skipped = {path};
  return o;
}

ReconcileOptions allowing_empty() {
  ReconcileOptions o;
  o.allow_empty_source = true;
  return o;
}

ReconcileOptions metadata_times() {
  ReconcileOptions o;
  o.remote_listing_has_metadata_times = true;
  return o;
}

using Ops = std::vector<std::pair<std::string, Op>>;

TEST(TwoWayReconcile, NothingChangedPlansNothing) {
  const auto b = three();
  const auto plan = reconcile(b, local_of(b), remote_of(b), {});
  EXPECT_TRUE(plan.empty());
  EXPECT_FALSE(plan.refusal);
}

TEST(TwoWayReconcile, EachSingleSidedChangeGoesTheOtherWay) {
  const auto b = three();
  auto l = local_of(b);
  auto r = remote_of(b);
  l["a"] = at(2, 200);        // local edit
  r["b"] = at(1, 950, "m2");  // same-size remote edit: the md5 tells
  l.erase("c");               // local delete
  l["new-local"] = at(5, 300);
  r["new-remote"] = at(6, 960, "m3");
  const auto plan = reconcile(b, l, r, cap(100));
  EXPECT_EQ(ops(plan), (Ops{{"a", Op::upload},
                            {"b", Op::download},
                            {"c", Op::delete_remote},
                            {"new-local", Op::upload},
                            {"new-remote", Op::download}}));
}

TEST(TwoWayReconcile, ARemoteRewriteWithTheSameSizeAndMtimeIsSeen) {
  // Another container's rclone copy keeps the size and the file's own mtime; the server time
  // (and the md5) still change.
  auto b = three();
  for (auto& [p, e] : b.files) e.remote.md5.clear();
  auto r = remote_of(b);
  r["a"].mtime_ns = 901;
  EXPECT_EQ(ops(reconcile(b, local_of(b), r, {})), (Ops{{"a", Op::download}}));
}

TEST(TwoWayReconcile, TheSameBytesRewrittenAreOnlyRecorded) {
  const auto b = three();
  auto r = remote_of(b);
  r["a"].mtime_ns = 999;  // new server time, same md5
  EXPECT_EQ(ops(reconcile(b, local_of(b), r, {})), (Ops{{"a", Op::refresh}}));
}

TEST(TwoWayReconcile, BothSidesChangedIsCompared) {
  const auto b = three();
  auto l = local_of(b);
  auto r = remote_of(b);
  l["a"] = at(3, 300);
  r["a"] = at(3, 990, "m9");
  l["both-new"] = at(4, 1);
  r["both-new"] = at(4, 2, "m8");
  EXPECT_EQ(ops(reconcile(b, l, r, {})), (Ops{{"a", Op::compare}, {"both-new", Op::compare}}));
}

TEST(TwoWayReconcile, AnEditOutlivesADeletionOnTheOtherSide) {
  const auto b = three();
  auto l = local_of(b);
  auto r = remote_of(b);
  l["a"] = at(2, 200);
  r.erase("a");
  r["b"] = at(2, 990, "m5");
  l.erase("b");
  l.erase("c");
  r.erase("c");
  EXPECT_EQ(ops(reconcile(b, l, r, cap(100))),
            (Ops{{"a", Op::upload}, {"b", Op::download}, {"c", Op::forget}}));
}

TEST(TwoWayReconcile, NothingUnderAnUnreadableFolderCountsAsDeleted) {
  Baseline b;
  b.files["secret/x"] = {at(1, 1), at(1, 2, "m")};
  b.files["secretary"] = {at(1, 1), at(1, 2, "m")};
  b.files["open/y"] = {at(1, 1), at(1, 2, "m")};
  Listing l{{"open/y", at(1, 1)}};
  const auto plan = reconcile(b, l, remote_of(b), unreadable_local("secret"));
  EXPECT_EQ(ops(plan), (Ops{{"secretary", Op::delete_remote}}));
}

TEST(TwoWayReconcile, SkippedPathsAreLeftAlone) {
  const auto b = three();
  auto l = local_of(b);
  l.erase("a");
  EXPECT_TRUE(reconcile(b, l, remote_of(b), skipping("a")).empty());
}

TEST(TwoWayReconcile, AnEmptiedSideIsRefusedWhole) {
  const auto b = three();
  const auto plan = reconcile(b, {}, remote_of(b), {});
  ASSERT_TRUE(plan.refusal);
  EXPECT_NE(plan.refusal->find("local folder is empty"), std::string::npos);
  EXPECT_TRUE(plan.actions.empty());
  const auto remote_gone = reconcile(b, local_of(b), {}, {});
  ASSERT_TRUE(remote_gone.refusal);
  EXPECT_NE(remote_gone.refusal->find("remote folder is empty"), std::string::npos);
  EXPECT_FALSE(reconcile(b, {}, remote_of(b), allowing_empty()).refusal);
}

TEST(TwoWayReconcile, AFirstRunWithOneEmptySideCopiesEverything) {
  Listing r{{"x", at(1, 5, "m")}, {"y", at(2, 6, "n")}};
  EXPECT_EQ(ops(reconcile({}, {}, r, {})), (Ops{{"x", Op::download}, {"y", Op::download}}));
}

TEST(TwoWayReconcile, DeletionsPastTheCapAreHeldBackAndCopiesStillRun) {
  const auto b = three();
  auto l = local_of(b);
  l.erase("a");
  l.erase("b");
  l["c"] = at(9, 999);
  const auto plan = reconcile(b, l, remote_of(b), cap(50));
  EXPECT_EQ(ops(plan), (Ops{{"c", Op::upload}}));
  EXPECT_EQ(plan.held_back_deletes, (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(plan.held_back_reason.find("remote"), std::string::npos);
  const auto forced = reconcile(b, l, remote_of(b), cap(50, true));
  EXPECT_TRUE(forced.held_back_deletes.empty());
  EXPECT_EQ(forced.actions.size(), 3U);
}

TEST(TwoWayReconcile, AnImportedBaselineComparesRemoteBySizeAndMd5) {
  auto b = three();
  b.remote_times = RemoteTimes::metadata;
  auto r = remote_of(b);
  for (auto& [p, s] : r) s.mtime_ns += 12345;  // server times now
  r["b"].md5 = "changed";
  EXPECT_EQ(ops(reconcile(b, local_of(b), r, {})),
            (Ops{{"a", Op::refresh}, {"b", Op::download}, {"c", Op::refresh}}));
  // Without md5s the times must be comparable: the upgrade run lists metadata times.
  for (auto& [p, e] : b.files) e.remote.md5.clear();
  auto meta = remote_of(b);
  meta["c"].mtime_ns = 1;
  EXPECT_EQ(ops(reconcile(b, local_of(b), meta, metadata_times())), (Ops{{"c", Op::download}}));
}

TEST(TwoWayConflict, NewerWinsAndTheNameKeepsItsExtension) {
  EXPECT_EQ(conflict_winner(10, 20), Winner::remote);
  EXPECT_EQ(conflict_winner(20, 10), Winner::local);
  EXPECT_EQ(conflict_winner(10, 10), Winner::local);
  EXPECT_EQ(conflict_name("dir/notes.md", "20261201T120000Z", "remote"),
            "dir/notes.conflict-20261201T120000Z-remote.md");
  EXPECT_EQ(conflict_name(".bashrc", "S", "local"), ".bashrc.conflict-S-local");
  EXPECT_EQ(conflict_name("a.b/Makefile", "S", "local"), "a.b/Makefile.conflict-S-local");
  EXPECT_EQ(conflict_name("x.tar.gz", "S", "local"), "x.tar.conflict-S-local.gz");
}

}  // namespace
}  // namespace coltec
