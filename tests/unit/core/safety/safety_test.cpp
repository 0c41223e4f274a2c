#include <gtest/gtest.h>

#include <coltec/safety.hpp>

namespace coltec {
namespace {

SourceCheck check(Direction d, SideState local, SideState remote, bool startup) {
  SourceCheck c;
  c.direction = d;
  c.local = local;
  c.remote = remote;
  c.startup = startup;
  return c;
}

const SideState k_missing{false, 0};
const SideState k_empty{true, 0};
const SideState k_full{true, 20};

TEST(SafetyTest, FreshContainerRestoresBeforePushOrBisync) {
  for (auto d : {Direction::push_only, Direction::bidirectional}) {
    EXPECT_EQ(check_sources(check(d, k_empty, k_full, true)).verdict, Verdict::restore_first);
    EXPECT_EQ(check_sources(check(d, k_missing, k_full, true)).verdict, Verdict::restore_first);
  }
}

TEST(SafetyTest, EmptiedWhileRunningIsRefused) {
  for (auto d : {Direction::push_only, Direction::bidirectional}) {
    const auto decision = check_sources(check(d, k_empty, k_full, false));
    EXPECT_EQ(decision.verdict, Verdict::refuse);
    EXPECT_NE(decision.reason.find("20 files"), std::string::npos);
    EXPECT_EQ(check_sources(check(d, k_missing, k_full, false)).verdict, Verdict::refuse);
  }
}

TEST(SafetyTest, OptOutLetsEmptySourceRun) {
  auto c = check(Direction::push_only, k_empty, k_full, false);
  c.allow_empty_source = true;
  EXPECT_EQ(check_sources(c).verdict, Verdict::proceed);
}

TEST(SafetyTest, NothingOnEitherSideProceeds) {
  EXPECT_EQ(check_sources(check(Direction::push_only, k_empty, k_empty, false)).verdict,
            Verdict::proceed);
  EXPECT_EQ(check_sources(check(Direction::push_only, k_full, k_empty, false)).verdict,
            Verdict::proceed);
}

TEST(SafetyTest, PullFromMissingOrEmptyRemoteIsSkippedWithAWarning) {
  for (const auto& remote : {k_missing, k_empty}) {
    for (const auto& local : {k_full, k_empty, k_missing}) {
      auto c = check(Direction::pull_only, local, remote, true);
      c.remote_spec = "r2:bucket/ws/notse";
      const auto d = check_sources(c);
      EXPECT_EQ(d.verdict, Verdict::skip);
      // The warning names the remote (it may be misspelt) and says nothing was lost.
      EXPECT_NE(d.reason.find("r2:bucket/ws/notse"), std::string::npos) << d.reason;
      EXPECT_NE(d.reason.find("typo"), std::string::npos) << d.reason;
    }
  }
  auto full = check(Direction::pull_only, k_full, k_empty, false);
  EXPECT_NE(check_sources(full).reason.find("nothing was pulled and no local file was deleted"),
            std::string::npos)
      << check_sources(full).reason;
  EXPECT_EQ(check_sources(check(Direction::pull_only, k_full, k_full, false)).verdict,
            Verdict::proceed);
  EXPECT_EQ(check_sources(check(Direction::pull_only, k_empty, k_full, false)).verdict,
            Verdict::proceed);
}

TEST(SafetyTest, PullOptOutMirrorsAnEmptyRemoteButNotAMissingOne) {
  auto empty = check(Direction::pull_only, k_full, k_empty, false);
  empty.allow_empty_source = true;
  EXPECT_EQ(check_sources(empty).verdict, Verdict::proceed);
  auto missing = check(Direction::pull_only, k_full, k_missing, false);
  missing.allow_empty_source = true;
  EXPECT_EQ(check_sources(missing).verdict, Verdict::skip);  // nothing to sync from
}

TEST(SafetyTest, CountsDeletesFromDryRunJson) {
  const std::vector<std::string> lines = {
      R"j({"level":"warning","msg":"Skipped delete as --dry-run is set (size 3)","object":"v18","skipped":"delete"})j",
      R"j({"level":"warning","msg":"Skipped delete as --dry-run is set (size 3)","object":"v19","skipped":"delete"})j",
      R"j({"level":"warning","msg":"Skipped copy as --dry-run is set","object":"n1","skipped":"copy"})j",
      "2026/11/22 plain text line",
      "{broken json",
      // rclone counts deleted files among its checks: 10 files at the destination.
      R"j({"level":"warning","msg":"stats","stats":{"checks":10,"deletes":2}})j",
  };
  const auto plan = count_planned_deletes(lines);
  EXPECT_EQ(plan.deletes, 2U);
  EXPECT_EQ(plan.dest_files, 10U);
}

TEST(SafetyTest, DeleteCapRefusesAboveThePercentage) {
  EXPECT_EQ(check_delete_cap({5, 10}, 50, false).verdict, Verdict::proceed);
  const auto refused = check_delete_cap({8, 10}, 50, false);
  EXPECT_EQ(refused.verdict, Verdict::refuse);
  EXPECT_NE(refused.reason.find("8 files of 10"), std::string::npos);
  EXPECT_NE(refused.reason.find("--force-deletes"), std::string::npos);
  EXPECT_EQ(check_delete_cap({8, 10}, 50, true).verdict, Verdict::proceed);
  EXPECT_EQ(check_delete_cap({0, 0}, 0, false).verdict, Verdict::proceed);
  EXPECT_EQ(check_delete_cap({1, 1}, 0, false).verdict, Verdict::refuse);
}

TEST(SafetyTest, TrashIsASiblingOutsideTheSyncedTree) {
  Action a;
  a.name = "code";
  a.remote_name = "r2";
  a.remote_path = "bucket/ws/code";
  EXPECT_EQ(trash_dir_for(a, "20261123T120000Z"),
            "r2:bucket/ws/.coltec-trash/code/20261123T120000Z");
  a.remote_path = "bucket";
  EXPECT_EQ(trash_dir_for(a, "x"), "");
}

}  // namespace
}  // namespace coltec

namespace coltec {
namespace {

TEST(SafetyTest, DryRunTallyKnowsWhenThereIsNothingToDo) {
  DryRunTally t;
  t.add(R"j({"level":"warning","msg":"stats","stats":{"checks":8}})j");
  EXPECT_TRUE(t.nothing_to_do());
  t.add(
      R"j({"msg":"Skipped update modification time as --dry-run is set","skipped":"update modification time"})j");
  EXPECT_FALSE(t.nothing_to_do());
  DryRunTally c;
  c.add(R"j({"msg":"Skipped copy as --dry-run is set","skipped":"copy"})j");
  EXPECT_FALSE(c.nothing_to_do());
  EXPECT_EQ(c.source_files(), 1U);
}

std::string copy_line(const std::string& object) {
  return R"j({"msg":"Skipped copy as --dry-run is set","skipped":"copy","object":")j" + object +
         "\"}";
}

DryRunTally tally_of(std::uint64_t checks, const std::vector<std::string>& copies) {
  DryRunTally t;
  for (const auto& c : copies) t.add(copy_line(c));
  t.add(R"j({"msg":"stats","stats":{"checks":)j" + std::to_string(checks) + "}}");
  return t;
}

TEST(SafetyTest, AFewChangedFilesAreUploadedByName) {
  const auto t = tally_of(100, {"a.txt", "dir/b.txt"});
  EXPECT_EQ(t.copy_objects, (std::vector<std::string>{"a.txt", "dir/b.txt"}));
  EXPECT_TRUE(upload_listed_only(t));
  EXPECT_TRUE(upload_listed_only(tally_of(40, {"a", "b"})));   // exactly 1 in 20
  EXPECT_FALSE(upload_listed_only(tally_of(39, {"a", "b"})));  // more: listing is cheaper
  EXPECT_FALSE(upload_listed_only(tally_of(100, {})));         // nothing to upload
}

TEST(SafetyTest, AnythingButNamedCopiesTakesTheWholeSync) {
  auto deletes = tally_of(100, {"a"});
  deletes.add(R"j({"skipped":"delete","object":"old"})j");
  EXPECT_FALSE(upload_listed_only(deletes));
  auto modtime = tally_of(100, {"a"});
  modtime.add(R"j({"skipped":"update modification time","object":"b"})j");
  EXPECT_FALSE(upload_listed_only(modtime));
  auto unnamed = tally_of(100, {"a"});
  unnamed.add(R"j({"skipped":"copy"})j");
  EXPECT_FALSE(upload_listed_only(unnamed));
  EXPECT_FALSE(upload_listed_only(tally_of(100, {"line\nbreak"})));
  EXPECT_FALSE(upload_listed_only(tally_of(100, {"carriage\rreturn"})));
  EXPECT_FALSE(upload_listed_only(tally_of(100, {"not\xEF\xBF\xBDutf8"})));  // rclone's U+FFFD
  EXPECT_TRUE(upload_listed_only(tally_of(100, {"cr\xE2\x90\x8D"})));        // U+240D: a CR
  std::vector<std::string> many;
  for (std::size_t i = 0; i <= DryRunTally::k_max_listed; ++i) many.push_back(std::to_string(i));
  const auto big = tally_of(1'000'000, many);
  EXPECT_EQ(big.copy_objects.size(), DryRunTally::k_max_listed);  // bounded memory
  EXPECT_EQ(big.copies, DryRunTally::k_max_listed + 1);
  EXPECT_FALSE(upload_listed_only(big));
}

}  // namespace
}  // namespace coltec
