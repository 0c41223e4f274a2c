// Generations and claims in the shared control folder.

#include <gtest/gtest.h>

#include <coltec/twoway_control.hpp>

namespace coltec {
namespace {

ListedEntry file(const std::string& name) {
  ListedEntry e;
  e.path = name;
  return e;
}

TEST(TwoWayControl, ReadsGenerationsAndClaimsAndIgnoresTheRest) {
  const auto s = parse_control({file("gen-b"), file("gen-a"), file(claim_name(2000, "me")),
                                file(claim_name(1000, "you")), file("lease-bad"), file("other"),
                                file("sub/gen-x")});
  EXPECT_EQ(s.generations, (std::vector<std::string>{"gen-a", "gen-b"}));
  ASSERT_EQ(s.claims.size(), 2U);
  EXPECT_EQ(s.claims[0].owner, "you");
  EXPECT_EQ(s.claims[0].expiry, 1000);
  EXPECT_EQ(generation_of(s), "gen-a,gen-b");
  EXPECT_EQ(generation_of({}), "");
  EXPECT_EQ(claim_name(42, "o"), "lease-000000000042-o");
}

TEST(TwoWayControl, TheEarliestValidClaimHasTheTurn) {
  const auto s = parse_control({file(claim_name(2000, "me")), file(claim_name(1000, "you"))});
  EXPECT_EQ(whose_turn(s, "me", 500), Turn::other);
  EXPECT_EQ(whose_turn(s, "you", 500), Turn::mine);
  EXPECT_EQ(whose_turn(s, "me", 1500), Turn::mine);  // "you" expired
  EXPECT_EQ(whose_turn(s, "me", 2500), Turn::free);
  ASSERT_TRUE(first_other_claim(s, "me", 500));
  EXPECT_EQ(first_other_claim(s, "me", 500)->owner, "you");
  EXPECT_FALSE(first_other_claim(s, "me", 1500));
}

// Two claims written within one second (or one landing late) can each sort first in their
// owner's view; after claiming, any other valid claim means "not yet".
TEST(TwoWayControl, AfterClaimingEveryOtherValidClaimWinsWhateverItsName) {
  const auto s = parse_control({file(claim_name(1000, "me")), file(claim_name(1000, "you"))});
  EXPECT_EQ(whose_turn(s, "me", 500), Turn::mine);
  EXPECT_EQ(turn_after_claiming(s, "me", 500), Turn::other);
  EXPECT_EQ(turn_after_claiming(s, "you", 500), Turn::other);
  const auto alone = parse_control({file(claim_name(1000, "me")), file(claim_name(400, "you"))});
  EXPECT_EQ(turn_after_claiming(alone, "me", 500), Turn::mine);    // theirs expired
  EXPECT_EQ(turn_after_claiming(alone, "you", 500), Turn::other);  // ours expired, theirs not
  EXPECT_EQ(turn_after_claiming({}, "me", 500), Turn::free);
}

TEST(TwoWayControl, ReleaseRemovesOurClaimsOfAnyAgeAndTheOldGeneration) {
  const auto s = parse_control({file(claim_name(10, "me")), file(claim_name(20, "me")),
                                file(claim_name(30, "you")), file("gen-old")});
  EXPECT_EQ(release_names(s, "me", {"gen-old"}),
            (std::vector<std::string>{"gen-old", claim_name(10, "me"), claim_name(20, "me")}));
}

}  // namespace
}  // namespace coltec
