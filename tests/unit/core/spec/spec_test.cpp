// The spelling of every enum: canonical names round-trip, accepted aliases parse, and
// anything else is refused.

#include <gtest/gtest.h>

#include <coltec/spec.hpp>

namespace coltec {
namespace {

TEST(Spec, DirectionSpellings) {
  for (const auto d : {Direction::bidirectional, Direction::push_only, Direction::pull_only}) {
    EXPECT_EQ(parse_direction(to_string(d)), d);
  }
  EXPECT_STREQ(to_string(Direction::push_only), "push-only");
  EXPECT_STREQ(to_string(Direction::pull_only), "pull-only");
  EXPECT_EQ(parse_direction("push_only"), Direction::push_only);
  EXPECT_EQ(parse_direction("pull_only"), Direction::pull_only);
  EXPECT_EQ(parse_direction("Push-Only"), std::nullopt);
  EXPECT_EQ(parse_direction(""), std::nullopt);
}

TEST(Spec, OtherEnumsRoundTrip) {
  for (const auto m : {PersistenceMode::mounted, PersistenceMode::replicated}) {
    EXPECT_EQ(parse_persistence_mode(to_string(m)), m);
  }
  for (const auto s : {PersistenceScope::project, PersistenceScope::environment}) {
    EXPECT_EQ(parse_persistence_scope(to_string(s)), s);
  }
  for (const auto t : {MountType::bind, MountType::volume, MountType::tmpfs, MountType::symlink}) {
    EXPECT_EQ(parse_mount_type(to_string(t)), t);
  }
  for (const auto e :
       {FilenameEncryption::standard, FilenameEncryption::obfuscate, FilenameEncryption::off}) {
    EXPECT_EQ(parse_filename_encryption(to_string(e)), e);
  }
  EXPECT_EQ(parse_persistence_mode("replicate"), std::nullopt);
  EXPECT_EQ(parse_persistence_scope("global"), std::nullopt);
  EXPECT_EQ(parse_mount_type("nfs"), std::nullopt);
  EXPECT_EQ(parse_filename_encryption("none"), std::nullopt);
}

TEST(Spec, ValuesCompareEqualByContent) {
  Spec a;
  Spec b;
  EXPECT_EQ(a, b);
  b.persistence.safety.trash = false;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace coltec
