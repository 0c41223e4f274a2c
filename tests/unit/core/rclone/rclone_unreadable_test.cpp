// Unreadable paths in rclone's log lines (copied from rclone 1.60.1's output) and the exclude
// rules that leave exactly those paths out.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/rclone_filter.hpp>
#include <coltec/rclone_unreadable.hpp>

namespace coltec {
namespace {

std::optional<UnreadablePath> parse_unreadable(std::string_view line) {
  return coltec::parse_unreadable(parse_rclone_line(line));
}

TEST(ParseUnreadable, AFolderRcloneCannotOpen) {
  const auto p = parse_unreadable(
      R"({"level":"error","msg":"failed to open directory \"we[ir]d*dir\": open /w/src/we[ir]d*dir: permission denied","object":"we[ir]d*dir","objectType":"string","source":"local/local.go:460"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (UnreadablePath{"we[ir]d*dir", true}));
}

TEST(ParseUnreadable, AFileItCannotCopyOrHash) {
  const auto copy = parse_unreadable(
      R"({"level":"error","msg":"Failed to copy: failed to open source object: open /w/src/sub/secret: permission denied","object":"sub/secret","objectType":"*local.Object"})");
  ASSERT_TRUE(copy);
  EXPECT_EQ(*copy, (UnreadablePath{"sub/secret", false}));
  const auto hash = parse_unreadable(
      R"({"level":"error","msg":"Failed to calculate src hash: hash: failed to open: open /w/src/cr\r: permission denied","object":"cr␍","objectType":"*local.Object"})");
  ASSERT_TRUE(hash);
  EXPECT_EQ(*hash, (UnreadablePath{"cr␍", false}));
  const auto listed = parse_unreadable(
      R"({"level":"error","msg":"Failed to read hash: hash: failed to open: open /w/a: operation not permitted","object":"a"})");
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, (UnreadablePath{"a", false}));
}

TEST(ParseUnreadable, IgnoresEverythingElse) {
  const std::vector<std::string> lines = {
      // a vanished file is not unreadable: the next run deletes its remote copy as usual
      R"({"level":"error","msg":"Failed to copy: failed to open source object: open /w/a: no such file or directory","object":"a"})",
      // the summary lines name no path of ours
      R"({"level":"error","msg":"not deleting files as there were IO errors","object":"Local file system at /w/dst"})",
      R"({"level":"error","msg":"Attempt 1/1 failed with 2 errors and: failed to open source object: open /w/a: permission denied"})",
      // S3 refusing us is a credentials problem, not a file to skip
      R"({"level":"error","msg":"Failed to copy: AccessDenied: Access Denied status code: 403","object":"a"})",
      // a notice, not an error
      R"({"level":"notice","msg":"failed to open directory \"b\": permission denied","object":"b"})",
      // a destination rclone cannot write: the run fails as before
      R"({"level":"error","msg":"Failed to copy: open /w/dst/a: permission denied","object":"a"})",
      R"({"level":"error","msg":"failed to open directory \"b\": permission denied","object":"/etc"})",
      "2026/12/02 05:11:17 Failed to sync: failed to open source object: permission denied",
      "{not json", ""};
  for (const auto& line : lines) EXPECT_FALSE(parse_unreadable(line)) << line;
}

TEST(ExcludeRule, MatchesExactlyThePathEvenWithGlobCharacters) {
  struct Case {
    UnreadablePath path;
    std::vector<std::string> matched;
    std::vector<std::string> spared;
  };
  const std::vector<Case> cases = {
      {{"secret", false}, {"secret"}, {"sub/secret", "secret2", "xsecret"}},
      {{"sec[1]*", false}, {"sec[1]*"}, {"sec1", "sec[1]x", "sec1x"}},
      {{"a\\b?{c,d}", false}, {"a\\b?{c,d}"}, {"a\\bx{c,d}", "a\\b?c", "a\\b?d"}},
      {{"sub/we[ir]d*dir", true},
       {"sub/we[ir]d*dir/f", "sub/we[ir]d*dir/deep/g"},
       {"sub/wed*dir/f", "sub/weidxdir/f", "we[ir]d*dir/f", "sub/we[ir]d*dirx/f"}},
      {{"cr␍", false}, {"cr␍"}, {"cr", "cr␍x"}},
  };
  for (const auto& c : cases) {
    const auto rule = exclude_rule(c.path);
    const auto compiled = RclonePattern::compile(rule);
    ASSERT_TRUE(compiled) << rule;
    for (const auto& m : c.matched) {
      EXPECT_TRUE(is_excluded({rule}, m, false)) << rule << " should match " << m;
    }
    for (const auto& s : c.spared) {
      EXPECT_FALSE(is_excluded({rule}, s, false)) << rule << " should spare " << s;
    }
  }
}

TEST(ExcludeRule, AFolderRuleAppliesToTheFolderItself) {
  const auto rule = exclude_rule({"a/b", true});
  EXPECT_EQ(rule, "/a/b/**");
  EXPECT_TRUE(is_excluded({rule}, "a/b", true));
  EXPECT_FALSE(is_excluded({rule}, "a", true));
}

TEST(RetryWithoutUnreadable, OnlyAfterARealFailureThatFoundSomethingNew) {
  EXPECT_TRUE(retry_without_unreadable(RcloneFailure::fatal, 1, 0));
  EXPECT_TRUE(retry_without_unreadable(RcloneFailure::temporary, 2, k_max_unreadable_rounds - 1));
  EXPECT_FALSE(retry_without_unreadable(RcloneFailure::fatal, 0, 0));
  EXPECT_FALSE(retry_without_unreadable(RcloneFailure::fatal, 1, k_max_unreadable_rounds));
  EXPECT_FALSE(retry_without_unreadable(RcloneFailure::killed, 1, 0));
  EXPECT_FALSE(retry_without_unreadable(RcloneFailure::refused, 1, 0));
  EXPECT_FALSE(retry_without_unreadable(RcloneFailure::none, 1, 0));
}

TEST(UnreadableWarning, NamesThePath) {
  EXPECT_NE(unreadable_warning({"sub/secret", false}).find("file sub/secret"), std::string::npos);
  EXPECT_NE(unreadable_warning({"bad", true}).find("folder bad"), std::string::npos);
}

}  // namespace
}  // namespace coltec
