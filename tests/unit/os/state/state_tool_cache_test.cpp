// The tool cache (rclone's version under the binary's identity): a hit only for exactly the
// same file, and nothing written by anything else is trusted.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

class ToolCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(tool) << "binary"; }
  test::TempDir m_tmp{"coltec-tool-cache"};
  std::string dir = m_tmp.str();
  std::string tool = m_tmp.path("rclone");
};

TEST_F(ToolCacheTest, RoundTripsForTheSameFile) {
  const auto id = identify_file(tool);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->path, tool);
  EXPECT_EQ(id->size, 6U);
  ASSERT_TRUE(write_tool_cache(dir + "/cache", *id, "rclone v1.60.1\nos/version: debian"));
  EXPECT_EQ(read_tool_cache(dir + "/cache", *id), "rclone v1.60.1");  // first line only
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/cache").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(ToolCacheTest, AnyChangeToTheFileMisses) {
  const auto id = *identify_file(tool);
  const auto text = tool_cache_text(id, "rclone v1.60.1");
  auto other = id;
  other.path = "/usr/local/bin/rclone";
  EXPECT_FALSE(tool_cache_fact(text, other));
  for (auto field : {&FileIdentity::dev, &FileIdentity::ino, &FileIdentity::size}) {
    other = id;
    ++(other.*field);
    EXPECT_FALSE(tool_cache_fact(text, other));
  }
  for (auto field : {&FileIdentity::mtime_ns, &FileIdentity::ctime_ns}) {
    other = id;
    ++(other.*field);
    EXPECT_FALSE(tool_cache_fact(text, other));
  }
  // A real upgrade: the file is rewritten (new size, mtime and ctime).
  ASSERT_TRUE(write_tool_cache(dir + "/cache", id, "rclone v1.60.1"));
  std::ofstream(tool, std::ios::app) << " upgraded";
  const auto now = identify_file(tool);
  ASSERT_TRUE(now);
  EXPECT_FALSE(read_tool_cache(dir + "/cache", *now));
}

TEST_F(ToolCacheTest, FollowsSymlinksAndRefusesNonFiles) {
  ASSERT_EQ(::symlink(tool.c_str(), (dir + "/link").c_str()), 0);
  const auto via_link = identify_file(dir + "/link");
  ASSERT_TRUE(via_link);
  EXPECT_EQ(via_link->ino, identify_file(tool)->ino);
  EXPECT_FALSE(identify_file(dir));
  EXPECT_FALSE(identify_file(dir + "/missing"));
}

TEST_F(ToolCacheTest, DistrustsAnythingElse) {
  const auto id = *identify_file(tool);
  const auto good = nlohmann::json::parse(tool_cache_text(id, "rclone v1.60.1"));
  ASSERT_EQ(tool_cache_fact(good.dump(), id), "rclone v1.60.1");
  EXPECT_FALSE(tool_cache_fact("", id));
  EXPECT_FALSE(tool_cache_fact("rclone v1.60.1\n", id));  // not JSON
  EXPECT_FALSE(tool_cache_fact("[1, 2]", id));
  EXPECT_FALSE(tool_cache_fact(tool_cache_text(id, ""), id));  // no fact
  for (const char* key : {"format", "path", "dev", "ino", "size", "mtime_ns", "ctime_ns", "fact"}) {
    auto missing = good;
    missing.erase(key);
    EXPECT_FALSE(tool_cache_fact(missing.dump(), id)) << key;
    auto mistyped = good;
    mistyped[key] = key == std::string("path") || key == std::string("fact") ? nlohmann::json(7)
                                                                             : nlohmann::json("7");
    EXPECT_FALSE(tool_cache_fact(mistyped.dump(), id)) << key;
  }
  auto other_format = good;
  other_format["format"] = 2;
  EXPECT_FALSE(tool_cache_fact(other_format.dump(), id));
  auto negative = good;
  negative["size"] = -6;
  EXPECT_FALSE(tool_cache_fact(negative.dump(), id));
  EXPECT_FALSE(read_tool_cache(dir + "/nothing-here", id));
}

TEST_F(ToolCacheTest, AnyPathRoundTrips) {
  auto id = *identify_file(tool);
  id.path = "/odd path/with \"quotes\"\nand a newline";
  EXPECT_EQ(tool_cache_fact(tool_cache_text(id, "rclone v1.66.0"), id), "rclone v1.66.0");
}

}  // namespace
}  // namespace coltec
