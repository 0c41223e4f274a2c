// adopt_sent: what a stopped run was sending counts as sent only when the remote shows
// nothing else happened since.

#include <gtest/gtest.h>

#include <coltec/twoway_flow.hpp>

namespace coltec {
namespace {

Baseline sending() {
  Baseline b;
  b.files["a.txt"] = {{2, 10, ""}, {2, 11, "md5-v1"}};
  b.sent["a.txt"] = {3, 20, ""};
  b.sent["new.txt"] = {5, 21, ""};
  b.sent_under = "gen-1";
  return b;
}

const ControlState k_same{{"gen-1"}, {}};

TEST(TwoWayAdoptSent, TheRemoteHoldingWhatWasSentIsTakenAsSynced) {
  auto b = sending();
  const Listing remote{{"a.txt", {3, 30, "md5-v2"}}, {"new.txt", {5, 31, "md5-n"}}};
  EXPECT_EQ(adopt_sent(b, remote, k_same, ""), (std::vector<std::string>{"a.txt", "new.txt"}));
  EXPECT_EQ(b.files.at("a.txt"), (BaselineEntry{{3, 20, ""}, {3, 30, "md5-v2"}}));
  EXPECT_EQ(b.files.at("new.txt").local, (FileState{5, 21, ""}));
  EXPECT_TRUE(b.sent.empty());
  EXPECT_TRUE(b.sent_under.empty());
}

TEST(TwoWayAdoptSent, OurOwnOwedMarkerDoesNotCountAsSomeoneElsesRun) {
  auto b = sending();
  const Listing remote{{"a.txt", {3, 30, "md5-v2"}}};
  EXPECT_EQ(adopt_sent(b, remote, ControlState{{"gen-1", "gen-ours"}, {}}, "gen-ours").size(), 1U);
  auto c = sending();
  EXPECT_TRUE(adopt_sent(c, remote, ControlState{{"gen-1", "gen-theirs"}, {}}, "gen-ours").empty())
      << "another run since: compare instead";
  EXPECT_EQ(c.files.at("a.txt").local, (FileState{2, 10, ""}));
  EXPECT_TRUE(c.sent.empty());
}

TEST(TwoWayAdoptSent, WhatNeverArrivedOrIsNotWhatWasSentIsLeftToTheComparison) {
  auto b = sending();
  const Listing remote{{"a.txt", {2, 11, "md5-v1"}},    // still the old version
                       {"new.txt", {6, 31, "md5-x"}}};  // another size: not ours
  EXPECT_TRUE(adopt_sent(b, remote, k_same, "").empty());
  EXPECT_EQ(b.files.at("a.txt").local, (FileState{2, 10, ""}));
  EXPECT_EQ(b.files.count("new.txt"), 0U);
  auto gone = sending();
  EXPECT_TRUE(adopt_sent(gone, {}, k_same, "").empty());
}

// Soak seed 309: the stopped run had listed another daemon's version and was replacing it
// with ours, of the same size. The remote still holding that version is not ours arriving.
TEST(TwoWayAdoptSent, AVersionTheStoppedRunHadListedIsNotTakenForOursOfTheSameSize) {
  auto b = sending();
  b.sent_replaces["a.txt"] = {3, 25, "md5-theirs"};  // theirs, listed before sending
  const Listing still_theirs{{"a.txt", {3, 25, "md5-theirs"}}};
  EXPECT_TRUE(adopt_sent(b, still_theirs, k_same, "").empty());
  EXPECT_EQ(b.files.at("a.txt").local, (FileState{2, 10, ""})) << "left to the comparison";
  EXPECT_TRUE(b.sent_replaces.empty());

  auto landed = sending();
  landed.sent_replaces["a.txt"] = {3, 25, "md5-theirs"};
  const Listing ours{{"a.txt", {3, 30, "md5-ours"}}};
  EXPECT_EQ(adopt_sent(landed, ours, k_same, ""), std::vector<std::string>{"a.txt"});
  EXPECT_EQ(landed.files.at("a.txt"), (BaselineEntry{{3, 20, ""}, {3, 30, "md5-ours"}}));
}

}  // namespace
}  // namespace coltec
