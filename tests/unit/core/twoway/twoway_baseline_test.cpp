// The baseline file round-trips every name and refuses damage.

#include <gtest/gtest.h>

#include <coltec/twoway.hpp>

namespace coltec {
namespace {

TEST(TwoWayBaseline, RoundTripsAnyName) {
  Baseline b;
  b.generation = "gen-abc,gen-def";
  b.remote_times = RemoteTimes::metadata;
  b.conflicts = {"notes.conflict-S-local.md"};
  b.files["plain.txt"] = {{1, 2, ""}, {3, 4, "d41d8cd98f00b204e9800998ecf8427e"}};
  b.files[std::string("tab\there\nnew\\line\x01\x7f\0", 20)] = {{5, -6, ""}, {7, 8, ""}};
  b.files["\xE2\x90\x8A encoded"] = {{0, 0, ""}, {0, 0, ""}};
  b.sent["tab\tsent"] = {9, 10, "d41d8cd98f00b204e9800998ecf8427e"};
  b.sent["replacing"] = {11, 12, ""};
  b.sent_replaces["replacing"] = {11, 13, "md5-theirs"};  // the remote's version, listed
  b.sent_under = "";                                      // a control folder with no generation yet
  const auto text = format_baseline(b);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 8);
  const auto back = parse_baseline(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), b);
}

TEST(TwoWayBaseline, AnOwedMarkerRoundTripsAndOlderFilesOweNothing) {
  Baseline b;
  b.generation = "unsettled";
  b.owes_generation = true;
  const auto back = parse_baseline(format_baseline(b));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back.value().owes_generation);
  EXPECT_EQ(back.value(), b);
  const auto older = parse_baseline("coltec-baseline\t1\ttimes=server\tgeneration=gen-a\n");
  ASSERT_TRUE(older.ok());
  EXPECT_FALSE(older.value().owes_generation);
  EXPECT_FALSE(
      parse_baseline("coltec-baseline\t1\ttimes=server\tgeneration=gen-a\towes-what\n").ok());
}

TEST(TwoWayBaseline, ASentFileFromBeforeTheReplacedVersionWasRecordedStillReads) {
  const auto older = parse_baseline(
      "coltec-baseline\t1\ttimes=server\tgeneration=unsettled\towes-generation\n"
      "U\tgen-a\n"
      "S\ta\t3\t4\t-\n");
  ASSERT_TRUE(older.ok()) << older.error().message;
  EXPECT_EQ(older.value().sent.at("a"), (FileState{3, 4, ""}));
  EXPECT_TRUE(older.value().sent_replaces.empty());
}

TEST(TwoWayBaseline, DamageIsAnErrorNotAGuess) {
  Baseline b;
  b.files["a"] = {{1, 2, ""}, {3, 4, ""}};
  const auto text = format_baseline(b);
  EXPECT_FALSE(parse_baseline(text.substr(0, text.size() - 1)).ok());  // cut short
  EXPECT_FALSE(parse_baseline("").ok());
  EXPECT_FALSE(parse_baseline("coltec-baseline\t2\ttimes=server\tgeneration=\n").ok());
  auto bad_number = text;
  bad_number.replace(bad_number.find("\t1\t"), 3, "\tx\t");
  EXPECT_FALSE(parse_baseline(bad_number).ok());
  EXPECT_FALSE(parse_baseline(text + "F\tonly\t1\n").ok());
  EXPECT_FALSE(parse_baseline(text + "F\tbad\\q\t1\t2\t-\t3\t4\t-\n").ok());
  EXPECT_FALSE(parse_baseline(text + "S\tsent\t1\t2\n").ok());
  EXPECT_FALSE(parse_baseline(text + "S\tsent\t1\t2\t-\t3\t4\n").ok());
  EXPECT_FALSE(parse_baseline(text + "U\tgen\\q\n").ok());
}

}  // namespace
}  // namespace coltec
