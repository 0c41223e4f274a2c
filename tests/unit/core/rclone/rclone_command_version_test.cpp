// rclone version parsing and the capabilities each version unlocks.

#include <gtest/gtest.h>

#include <coltec/rclone_command.hpp>

namespace coltec {
namespace {

const RcloneVersion k_v160{1, 60, 1};
const RcloneVersion k_v166{1, 66, 0};

TEST(RcloneVersionParse, RealDebianOutput) {
  const auto v = parse_rclone_version(
      "rclone v1.60.1-DEV\n- os/version: debian 12.11 (64 bit)\n- os/kernel: 6.1.0 (x86_64)\n"
      "- os/type: linux\n- go/version: go1.19.8\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value(), (RcloneVersion{1, 60, 1}));
  EXPECT_EQ(to_string(v.value()), "1.60.1");
}

TEST(RcloneVersionParse, ReleaseAndLaterLine) {
  EXPECT_EQ(parse_rclone_version("rclone v1.66.0").value(), (RcloneVersion{1, 66, 0}));
  EXPECT_EQ(parse_rclone_version("NOTICE: something\nrclone v1.64.2\n").value(),
            (RcloneVersion{1, 64, 2}));
}

TEST(RcloneVersionParse, GarbageIsAnErrorWithAPrintableExcerpt) {
  for (const char* text : {"", "rclone", "rclone v", "rclone v1", "rclone v1.60", "rclone v1.x.1",
                           "Rclone v1.60.1", " rclone v1.60.1", "rclone v1234567.1.1",
                           "bash: rclone: command not found", "rclone v1..1"}) {
    const auto v = parse_rclone_version(text);
    EXPECT_FALSE(v.ok()) << text;
  }
  const auto v = parse_rclone_version(std::string("\x1b[31mboom\n") + std::string(500, 'x'));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message.find('\x1b'), std::string::npos);
  EXPECT_LT(v.error().message.size(), 200u);
}

TEST(RcloneCapsFor, KeepsTheVersion) {
  EXPECT_EQ(caps_for(k_v160), (RcloneCaps{k_v160}));
  EXPECT_EQ(caps_for(k_v166), (RcloneCaps{k_v166}));
}

}  // namespace
}  // namespace coltec
