// The upgrade path: rclone bisync's listings (as rclone 1.60.1 wrote them here) become the
// first baseline, and the session's file is found by name.

#include <gtest/gtest.h>

#include <coltec/twoway.hpp>

namespace coltec {
namespace {

const char* k_path1 =
    "# bisync listing v1 from 2026-12-01T23:00:32.385713176+0000\n"
    "-        2 md5:60b725f10c9c85c70d97880dfe8191b3 - 2026-12-01T23:00:31.970036173+0000 "
    "\"a.txt\"\n"
    "-        1 md5:4a8a08f09d37b73795649038408b5f33 - 2026-12-01T23:00:31.970036173+0000 "
    "\"n\xE2\x90\x89l\"\n"
    "-        2 md5:3b5d5c3712955042212316173ccf37be - 2026-12-01T23:00:31.970036173+0000 "
    "\"sub/q\\\"uo te\"\n"
    "-        9 - - 2026-12-01T23:00:31.970036173+0000 \"only-local\"\n";
const char* k_path2 =
    "# bisync listing v1 from 2026-12-01T23:00:33.060101192+0000\n"
    "-        2 - - 2026-12-01T23:00:31.970036173+0000 \"a.txt\"\n"
    "-        1 - - 2026-12-01T23:00:31.970036173+0000 \"n\xE2\x90\x89l\"\n"
    "-        2 - - 2026-12-01T23:00:31.970036173+0000 \"sub/q\\\"uo te\"\n";

TEST(TwoWayImport, BisyncListingsBecomeABaselineInMetadataTimes) {
  const auto b = import_bisync_listings(k_path1, k_path2);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->remote_times, RemoteTimes::metadata);
  ASSERT_EQ(b->files.size(), 3U);  // "only-local" was mid-change: compared, not assumed
  const auto& q = b->files.at("sub/q\"uo te");
  EXPECT_EQ(q.local.size, 2U);
  EXPECT_EQ(q.local.md5, "3b5d5c3712955042212316173ccf37be");
  EXPECT_EQ(q.local.mtime_ns, 1796166031970036173LL);
  EXPECT_TRUE(q.remote.md5.empty());
  EXPECT_TRUE(b->files.count("n\xE2\x90\x89l"));
}

TEST(TwoWayImport, DamagedListingsAreRefused) {
  EXPECT_FALSE(import_bisync_listings("", k_path2).ok());
  EXPECT_FALSE(import_bisync_listings(std::string(k_path1) + "garbage\n", k_path2).ok());
  EXPECT_FALSE(import_bisync_listings(k_path1, "# bisync listing v1\n- x - - t \"a\"\n").ok());
}

TEST(TwoWayImport, FindsTheSessionOfTheseRoots) {
  EXPECT_TRUE(is_bisync_session_listing("tmp_exp_bl..t{cJ9V2}_testbucket_bl.path1.lst",
                                        "/tmp/exp/bl", "t", "testbucket/bl"));
  EXPECT_TRUE(is_bisync_session_listing("tmp_exp_bl..t_testbucket_bl.path1.lst", "/tmp/exp/bl", "t",
                                        "testbucket/bl"));
  EXPECT_TRUE(is_bisync_session_listing("tmp_exp_bl..here__tmp_exp_blr_x_y.path1.lst",
                                        "/tmp/exp/bl", "here", "/tmp/exp/blr x:y"));
  EXPECT_FALSE(is_bisync_session_listing("tmp_exp_bl..t_testbucket_bl.path2.lst", "/tmp/exp/bl",
                                         "t", "testbucket/bl"));
  EXPECT_FALSE(is_bisync_session_listing("tmp_exp_bl..t_testbucket_other.path1.lst", "/tmp/exp/bl",
                                         "t", "testbucket/bl"));
  EXPECT_FALSE(is_bisync_session_listing("tmp_exp_bl..tt_testbucket_bl.path1.lst", "/tmp/exp/bl",
                                         "t", "testbucket/bl"));
}

}  // namespace
}  // namespace coltec
