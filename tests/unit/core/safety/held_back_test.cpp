// A sync whose deletions the delete cap refuses still copies what is new or changed; these
// decide how, and what the run reports about the deletions it held back.

#include <gtest/gtest.h>

#include <coltec/safety.hpp>

namespace coltec {
namespace {

std::string line(const char* skipped, const std::string& object) {
  return std::string(R"j({"level":"warning","msg":"Skipped","skipped":")j") + skipped +
         R"j(","object":")j" + object + "\"}";
}

std::string stats(std::uint64_t checks) {
  return R"j({"msg":"stats","stats":{"checks":)j" + std::to_string(checks) + "}}";
}

Action action(Direction d) {
  Action a;
  a.name = "notes";
  a.direction = d;
  return a;
}

TEST(HeldBackTest, TheTallyKeepsTheFirstNamesOfWhatItWouldDelete) {
  DryRunTally t;
  for (int i = 0; i < 25; ++i) t.add(line("delete", "gone" + std::to_string(i) + ".txt"));
  EXPECT_EQ(t.deletes, 25U);
  ASSERT_EQ(t.delete_objects.size(), HeldBackDeletes::k_max_named);  // bounded memory
  EXPECT_EQ(t.delete_objects.front(), "gone0.txt");
}

TEST(HeldBackTest, OnlyDeletionsLeaveNothingToCopy) {
  DryRunTally t;
  t.add(line("delete", "a"));
  t.add(stats(1));
  EXPECT_EQ(held_back_copy(t, Direction::push_only), HeldBackCopy::nothing);
  EXPECT_EQ(held_back_copy(t, Direction::pull_only), HeldBackCopy::nothing);
  t.add(line("update modification time", "b"));  // still a change a copy makes
  EXPECT_EQ(held_back_copy(t, Direction::pull_only), HeldBackCopy::full);
}

TEST(HeldBackTest, TheOneFileCaseCopiesTheNewFile) {
  // The remote holds one file the local side lacks, and the local side has a new one: the
  // sync would delete 1 of 1 (over the cap); the new file must still reach the remote.
  DryRunTally t;
  t.add(line("copy", "new.txt"));
  t.add(line("delete", "old.txt"));
  t.add(stats(1));
  EXPECT_EQ(held_back_copy(t, Direction::push_only), HeldBackCopy::full);
  EXPECT_EQ(held_back_copy(t, Direction::pull_only), HeldBackCopy::full);
}

TEST(HeldBackTest, AFewNamedCopiesOfAPushAreUploadedByName) {
  DryRunTally t;
  t.add(line("copy", "a.txt"));
  for (int i = 0; i < 30; ++i) t.add(line("delete", std::to_string(i)));
  t.add(stats(40));
  EXPECT_EQ(held_back_copy(t, Direction::push_only), HeldBackCopy::listed);
  // A pull has no upload by name: it copies the remote over.
  EXPECT_EQ(held_back_copy(t, Direction::pull_only), HeldBackCopy::full);
  t.add(line("copy", "bad\\nname"));  // a JSON-escaped line break
  EXPECT_EQ(held_back_copy(t, Direction::push_only), HeldBackCopy::full);
}

TEST(HeldBackTest, TheReportCountsNamesAndSaysHowToApplyThem) {
  DryRunTally t;
  for (const char* name : {"a.txt", "b.txt", "c.txt", "d.txt"}) t.add(line("delete", name));
  t.add(stats(5));
  const auto push = held_back_deletes(t, action(Direction::push_only), 50, true);
  EXPECT_EQ(push.count, 4U);
  EXPECT_EQ(push.files, (std::vector<std::string>{"a.txt", "b.txt", "c.txt", "d.txt"}));
  for (const char* part :
       {"4 deletions held back", "the local folder no longer has 4 of the remote's 5 files",
        "(a.txt, b.txt, c.txt, …)", "50% delete cap", "were uploaded",
        "coltec-daemon --once --force-deletes --only notes", "goes to the trash",
        "max_delete_percent"}) {
    EXPECT_NE(push.reason.find(part), std::string::npos) << part << "\n" << push.reason;
  }
  const auto pull = held_back_deletes(t, action(Direction::pull_only), 50, true);
  EXPECT_NE(pull.reason.find("the remote no longer has 4 of the local folder's 5 files"),
            std::string::npos)
      << pull.reason;
  EXPECT_NE(pull.reason.find("the local copies stay"), std::string::npos) << pull.reason;
  EXPECT_EQ(pull.reason.find("trash"), std::string::npos) << pull.reason;  // pulls have none
}

TEST(HeldBackTest, OneDeletionReadsAsOne) {
  DryRunTally t;
  t.add(line("delete", "old.txt"));
  t.add(stats(1));
  const auto h = held_back_deletes(t, action(Direction::push_only), 50, false);
  EXPECT_EQ(h.count, 1U);
  EXPECT_NE(h.reason.find("1 deletion held back"), std::string::npos) << h.reason;
  EXPECT_NE(h.reason.find("1 of the remote's 1 file (old.txt)"), std::string::npos) << h.reason;
  EXPECT_EQ(h.reason.find("trash"), std::string::npos) << h.reason;
}

TEST(HeldBackTest, HostileNamesCannotDriveATerminal) {
  DryRunTally t;
  t.add(line("delete", "\\u001b[2Jwipe\\u0007"));  // JSON escapes: ESC and BEL in the name
  t.add(line("delete", "c1\\u009bx"));             // a C1 control (CSI)
  t.add(line("delete", std::string(5000, 'n')));
  t.add(stats(3));
  const auto h = held_back_deletes(t, action(Direction::push_only), 50, true);
  ASSERT_EQ(h.files.size(), 3U);
  EXPECT_EQ(h.files[0], "?[2Jwipe?");
  EXPECT_EQ(h.files[1], "c1?x");
  EXPECT_LE(h.files[2].size(), 256U);
  EXPECT_EQ(h.reason.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace coltec
