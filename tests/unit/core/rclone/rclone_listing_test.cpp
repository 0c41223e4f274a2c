// lsjson entries, times, rclone's name encoding (as rclone 1.60 was seen to list names), and
// the listing problems a two-way run must not mistake for deletions.

#include <gtest/gtest.h>

#include <coltec/rclone_listing.hpp>

namespace coltec {
namespace {

TEST(RcloneListing, ParsesEntriesWithOrWithoutHashAndTheTrailingComma) {
  const auto e = parse_lsjson_line(
      R"({"Path":"d0/f0.txt","Name":"f0.txt","Size":200,"ModTime":"2026-12-01T22:23:52.000000000Z","IsDir":false,"Hashes":{"md5":"ceb5539d1011bb7e8d39a152256edf67"},"Tier":"STANDARD"},)");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "d0/f0.txt");
  EXPECT_EQ(e->state.size, 200U);
  EXPECT_EQ(e->state.md5, "ceb5539d1011bb7e8d39a152256edf67");
  EXPECT_EQ(e->state.mtime_ns, 1796163832LL * 1'000'000'000);
  EXPECT_FALSE(e->is_dir);
  const auto dir = parse_lsjson_line(
      R"({"Path":"sub","Name":"sub","Size":-1,"ModTime":"2026-12-01T22:23:52Z","IsDir":true})");
  ASSERT_TRUE(dir);
  EXPECT_TRUE(dir->is_dir);
  for (const char* bad :
       {"[", "]", "", "{", R"({"Path":"x"})",
        R"({"Path":"x","Size":-5,"ModTime":"2026-12-01T22:23:52Z","IsDir":false})",
        R"({"Path":"","Size":1,"ModTime":"2026-12-01T22:23:52Z","IsDir":false})",
        R"({"Path":"x","Size":1,"ModTime":"yesterday","IsDir":false})"}) {
    EXPECT_FALSE(parse_lsjson_line(bad)) << bad;
  }
}

TEST(RcloneListing, TimesKeepNanosecondsAndOffsets) {
  EXPECT_EQ(parse_time_ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_time_ns("1970-01-01T00:00:01.5Z"), 1'500'000'000);
  EXPECT_EQ(parse_time_ns("2026-12-01T22:27:29.102036173Z"), 1796164049102036173LL);
  EXPECT_EQ(parse_time_ns("2026-12-01T23:27:29.102036173+01:00"), 1796164049102036173LL);
  EXPECT_EQ(parse_time_ns("1969-12-31T23:59:59Z"), -1'000'000'000);
  for (const char* bad : {"2026-13-01T00:00:00Z", "2026-12-01 00:00:00Z", "2026-12-01T00:00:00",
                          "2026-12-01T00:00:00.1234567890Z", "2026-12-01T00:00:00+1:00"}) {
    EXPECT_FALSE(parse_time_ns(bad)) << bad;
  }
}

TEST(RcloneListing, NamesMapBothWaysAsRcloneShowsThem) {
  const std::pair<std::string, std::string> cases[] = {
      {"plain.txt", "plain.txt"},
      {"line\nbreak",
       "line\xE2\x90\x8A"
       "break"},                       // U+240A
      {"cr\r", "cr\xE2\x90\x8D"},      // U+240D
      {"del\x7f", "del\xE2\x90\xA1"},  // U+2421
      {"lit\xE2\x90\x8A"
       "eral",
       "lit\xE2\x80\x9B\xE2\x90\x8A"
       "eral"},                                                // quoted U+240A
      {"quo\xE2\x80\x9Bte", "quo\xE2\x80\x9B\xE2\x80\x9Bte"},  // quoted U+201B
      {"sp\xE2\x90\xA0"
       "ace",
       "sp\xE2\x90\xA0"
       "ace"},  // U+2420 is not special
      {"ful\xEF\xBC\x8Fslash", "ful\xEF\xBC\x8Fslash"},
      {"back\\slash", "back\\slash"},
  };
  for (const auto& [local, rclone] : cases) {
    EXPECT_EQ(rclone_name_of(local), rclone) << local;
    EXPECT_EQ(local_name_of(rclone), local) << rclone;
  }
  EXPECT_FALSE(rclone_name_of("bad\xff.txt"));
  EXPECT_FALSE(local_name_of("bad\xEF\xBF\xBD.txt"));  // U+FFFD: maybe invalid UTF-8
}

TEST(RcloneListing, ProblemsThatAreNotDeletions) {
  const auto dir = parse_listing_problem(
      R"({"level":"error","msg":"failed to open directory \"no\": open /tmp/ur/no: permission denied","object":"no","objectType":"string"})");
  ASSERT_TRUE(dir);
  EXPECT_EQ(*dir, (ListingProblem{ListingProblem::Kind::unreadable_dir, "no"}));
  const auto name = parse_listing_problem(
      R"({"level":"warning","msg":"Replacing invalid UTF-8 characters in \"a\u2409b\\xff\\xfe\"","object":"Local file system at /x"})");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->kind, ListingProblem::Kind::unrepresentable_name);
  EXPECT_EQ(name->path,
            "a\xE2\x90\x89"
            "b\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_FALSE(parse_listing_problem(
      R"({"level":"error","msg":"error listing: directory not found","object":""})"));
  EXPECT_FALSE(parse_listing_problem("plain text"));
  EXPECT_FALSE(parse_listing_problem(R"j({"level":"info","msg":"Copied (new)","object":"x"})j"));
}

}  // namespace
}  // namespace coltec
