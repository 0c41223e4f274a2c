// rclone filter semantics, checked against the rules in rclone's filtering docs.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/rclone_filter.hpp>

namespace coltec {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool matches;
};

class PatternTable : public ::testing::TestWithParam<Case> {};

TEST_P(PatternTable, MatchesLikeRclone) {
  const Case& c = GetParam();
  EXPECT_EQ(rclone_pattern_matches(c.pattern, c.path), c.matches)
      << "pattern " << c.pattern << " path " << c.path;
}

INSTANTIATE_TEST_SUITE_P(
    Rclone, PatternTable,
    ::testing::Values(
        // Without a leading '/', a pattern matches at any depth, at the end of the path.
        Case{"*.pyc", "c.pyc", true}, Case{"*.pyc", "a/b/c.pyc", true},
        Case{"*.pyc", "c.pyco", false}, Case{"*.pyc", "a.pyc/x", false},
        Case{"file.jpg", "file.jpg", true}, Case{"file.jpg", "dir/file.jpg", true},
        Case{"file.jpg", "afile.jpg", false}, Case{"file.jpg", "dir/mfile.jpg", false},
        // '*' stays within one segment, '**' crosses them.
        Case{"dir/*", "dir/x", true}, Case{"dir/*", "dir/x/y", false},
        Case{"dir/**", "dir/x/y", true}, Case{"a*", "ab/c", false}, Case{"*", "anything", true},
        Case{"*", "a/b", true}, Case{"a/**/b", "a/x/y/b", true}, Case{"a/**/b", "a/b", false},
        Case{"**", "a/b/c", true},
        // Subtree patterns.
        Case{".git/**", ".git/x", true}, Case{".git/**", "sub/.git/x", true},
        Case{".git/**", ".git/", true}, Case{".git/**", "x.git/y", false},
        Case{".git/**", ".gitignore", false}, Case{"node_modules/**", "node_modules/a/b.js", true},
        Case{"node_modules/**", "pkg/node_modules/x", true},
        Case{"__pycache__/**", "src/__pycache__/m.cpython-311.pyc", true},
        // A leading '/' anchors to the root.
        Case{"/build/**", "build/x", true}, Case{"/build/**", "sub/build/x", false},
        Case{"/file.jpg", "file.jpg", true}, Case{"/file.jpg", "dir/file.jpg", false},
        Case{"/a/*.o", "a/x.o", true}, Case{"/a/*.o", "b/a/x.o", false},
        // A '/' inside a pattern still matches at any depth.
        Case{"dir/file.txt", "top/dir/file.txt", true},
        Case{"dir/file.txt", "topdir/file.txt", false},
        // '?' is one character other than '/'; it counts characters, not bytes.
        Case{"a?c", "abc", true}, Case{"a?c", "a/c", false}, Case{"a?c", "abbc", false},
        Case{"a?c",
             "a\xc3\xa9"
             "c",
             true},
        // Character classes.
        Case{"file[12].txt", "file1.txt", true}, Case{"file[12].txt", "file3.txt", false},
        Case{"[a-c]x", "bx", true}, Case{"[a-c]x", "dx", false}, Case{"[^a]x", "bx", true},
        Case{"[^a]x", "ax", false}, Case{"[[:digit:]]*", "7z", true},
        Case{"[[:digit:]]*", "z7", false}, Case{"[\\]]", "]", true},
        // Alternatives, nested too.
        Case{"*.{jpg,png}", "x.png", true}, Case{"*.{jpg,png}", "d/x.jpg", true},
        Case{"*.{jpg,png}", "x.gif", false}, Case{"{a,b{c,d}}.txt", "bd.txt", true},
        Case{"{a,b{c,d}}.txt", "b.txt", false}, Case{"a,b", "a,b", true},
        // Escapes and regexp metacharacters are literal.
        Case{"\\*.txt", "*.txt", true}, Case{"\\*.txt", "a.txt", false},
        Case{"a+b(c)|$^", "a+b(c)|$^", true}, Case{"*.tmp", "xtmp", false},
        // Directories are matched with a trailing '/'.
        Case{"build/", "build/", true}, Case{"build/", "build", false},
        // Invalid patterns match nothing.
        Case{"[abc", "a", false}, Case{"{a,b", "a", false}, Case{"***", "a", false},
        Case{"a]", "a]", false}, Case{"", "", false}, Case{"a\\", "a", false},
        Case{"{{a.*}}", "a", false}, Case{"[]", "x", false}));

TEST(RclonePattern, RejectsWhatRcloneRejects) {
  for (const char* bad : {"[abc", "{a,b", "a}", "***", "x]", "", "a\\", "{{re}}", "[z-a]"}) {
    auto compiled = RclonePattern::compile(bad);
    ASSERT_FALSE(compiled.ok()) << bad;
    EXPECT_NE(compiled.error().message.find("invalid filter pattern"), std::string::npos);
  }
}

TEST(RclonePattern, KnowsWhichRulesApplyToDirectories) {
  EXPECT_TRUE(RclonePattern::compile("node_modules/**")->is_dir_rule());
  EXPECT_TRUE(RclonePattern::compile("node_modules/**")->is_file_rule());
  EXPECT_TRUE(RclonePattern::compile("build/")->is_dir_rule());
  EXPECT_FALSE(RclonePattern::compile("build/")->is_file_rule());
  EXPECT_FALSE(RclonePattern::compile("*.pyc")->is_dir_rule());
}

TEST(RclonePattern, StaysLinearOnPathologicalPatterns) {
  // A backtracking matcher needs ~n^k steps here; the NFA finishes instantly.
  const std::string pattern = "**a**a**a**a**a**a**a**a**a**a**b";
  const std::string path(20000, 'a');
  EXPECT_FALSE(rclone_pattern_matches(pattern, path));
}

TEST(IsExcluded, SubtreePatternsExcludeTheDirectoryAndEverythingBelow) {
  const std::vector<std::string> patterns{"node_modules/**", ".git/**", "/build/**"};
  EXPECT_TRUE(is_excluded(patterns, "node_modules", true));
  EXPECT_TRUE(is_excluded(patterns, "web/node_modules", true));
  EXPECT_TRUE(is_excluded(patterns, "web/node_modules/react/index.js", false));
  EXPECT_TRUE(is_excluded(patterns, "sub/.git/HEAD", false));
  EXPECT_TRUE(is_excluded(patterns, "build", true));
  EXPECT_TRUE(is_excluded(patterns, "build/out/app.o", false));
  EXPECT_FALSE(is_excluded(patterns, "src/build", true));
  EXPECT_FALSE(is_excluded(patterns, "src/build/x.o", false));
  EXPECT_FALSE(is_excluded(patterns, "src/main.cpp", false));
}

TEST(IsExcluded, DirectoryOnlyRulesExcludeContentsButNotFilesOfThatName) {
  const std::vector<std::string> patterns{"cache/"};
  EXPECT_TRUE(is_excluded(patterns, "cache", true));
  EXPECT_TRUE(is_excluded(patterns, "a/cache", true));
  EXPECT_TRUE(is_excluded(patterns, "a/cache/x/y.bin", false));
  EXPECT_FALSE(is_excluded(patterns, "cache", false));
}

TEST(IsExcluded, FileRulesDoNotExcludeDirectories) {
  // rclone applies a pattern that ends neither in '/' nor '**' to files only.
  EXPECT_TRUE(is_excluded({"*.tmp"}, "a/b.tmp", false));
  EXPECT_FALSE(is_excluded({"*.tmp"}, "a.tmp", true));
  EXPECT_FALSE(is_excluded({"*.tmp"}, "a.tmp/keep.txt", false));
  EXPECT_FALSE(is_excluded({"node_modules"}, "node_modules", true));
  EXPECT_TRUE(is_excluded({"node_modules"}, "node_modules", false));
}

TEST(IsExcluded, EmptyAndInvalidListsExcludeNothing) {
  EXPECT_FALSE(is_excluded({}, "a/b", false));
  EXPECT_FALSE(is_excluded({"[broken"}, "[broken", false));
  const ExcludeFilter filter = ExcludeFilter::build({"[broken", "*.pyc"});
  ASSERT_EQ(filter.problems().size(), 1u);
  EXPECT_NE(filter.problems()[0].message.find("[broken"), std::string::npos);
  EXPECT_TRUE(filter.excluded("x.pyc", false));
}

}  // namespace
}  // namespace coltec
