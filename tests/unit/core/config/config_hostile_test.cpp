// Hostile and broken input: each gives a clear Problem (with a place where one exists),
// and never a crash, a hang or unbounded memory. Run under ASan in CI.

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/spec_file.hpp>

namespace coltec {
namespace {

namespace fs = std::filesystem;

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += format_problem(p, false) + "\n";
  return out;
}

class ConfigHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("coltec_config_hostile_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(m_dir / "secret.yaml", fs::perms::owner_all, ignored);
    fs::remove_all(m_dir, ignored);
  }
  std::string write(const std::string& name, const std::string& text) {
    auto path = (m_dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // Loads `path`, expects exactly one problem containing `part`. (How fast is a benchmark's
  // question, tests/bench/01_validate_only.sh; a hang is caught by the test's timeout.)
  Problem expect_one(const std::string& path, const std::string& part) {
    const auto r = load_spec_file(path);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.problems.size(), 1U) << dump(r);
    if (r.problems.empty()) return {};
    EXPECT_NE(r.problems[0].message.find(part), std::string::npos) << dump(r);
    EXPECT_EQ(r.problems[0].file, path);
    return r.problems[0];
  }
  fs::path m_dir;
};

const std::string k_valid_head =
    "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: img}}\n";

TEST_F(ConfigHostile, MissingFile) {
  const auto p = expect_one((m_dir / "missing.yaml").string(), "No such file");
  EXPECT_EQ(p.line, 0);
}

TEST_F(ConfigHostile, Directory) {
  expect_one(m_dir.string(), "is a directory");
}

TEST_F(ConfigHostile, FifoDoesNotBlock) {
  const auto path = (m_dir / "fifo.yaml").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  expect_one(path, "not a regular file");
}

TEST_F(ConfigHostile, NoPermission) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  const auto path = write("secret.yaml", k_valid_head);
  fs::permissions(path, fs::perms::none);
  expect_one(path, "Permission denied");
}

TEST_F(ConfigHostile, EmptyFile) {
  const auto p = expect_one(write("empty.yaml", ""), "empty");
  EXPECT_EQ(p.line, 1);
  expect_one(write("comments.yaml", "# nothing here\n\n"), "empty");
}

TEST_F(ConfigHostile, BinaryGarbage) {
  std::string garbage;
  unsigned state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1103515245U + 12345U;
    garbage += static_cast<char>((state >> 16) & 0xFF);
  }
  expect_one(write("garbage.yaml", garbage), "");
  expect_one(write("nul.yaml", std::string("name: a\0b\n", 10)), "control character 0x00");
}

TEST_F(ConfigHostile, InvalidUtf8WithLineAndColumn) {
  const auto p = expect_one(write("utf8.yaml", "name: ok\nmetadata: \"\xff\xfe\"\n"), "UTF-8");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 12);
  expect_one(write("overlong.yaml", "name: \xc0\xaf\n"), "UTF-8");
  expect_one(write("surrogate.yaml", "name: \xed\xa0\x80\n"), "UTF-8");
  expect_one(write("truncated.yaml", "name: \xe2\x82"), "UTF-8");
  EXPECT_TRUE(
      load_spec_text(k_valid_head + "# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n", "u").ok());
}

TEST_F(ConfigHostile, TenMegabytesIsRefusedUnread) {
  const auto path = write("big.yaml", std::string(std::size_t{10} * 1024 * 1024, 'a'));
  const auto p = expect_one(path, "workspace spec is 10.0 MiB; the limit is 1 MiB");
  EXPECT_EQ(p.line, 0);
  const auto text = load_spec_text(std::string((1 << 20) + 1, '#'), "t.yaml");
  ASSERT_EQ(text.problems.size(), 1U);
  EXPECT_NE(text.problems[0].message.find("the limit is 1 MiB"), std::string::npos);
}

TEST_F(ConfigHostile, BillionLaughs) {
  std::string text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char prev = static_cast<char>(c - 1);
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) text += std::string(i ? ", *" : "*") + prev;
    text += "]\n";
  }
  const auto p = expect_one(write("bomb.yaml", text), "YAML nodes");
  EXPECT_GT(p.line, 1);
}

TEST_F(ConfigHostile, AliasedLongStrings) {
  std::string text = "a: &a \"" + std::string(900000, 'x') + "\"\nb: [";
  for (int i = 0; i < 30; ++i) text += i ? ", *a" : "*a";
  expect_one(write("strings.yaml", text + "]\n"), "of text through aliases");
}

TEST_F(ConfigHostile, DeepFlowNesting) {
  const auto p =
      expect_one(write("deep.yaml", std::string(100000, '[') + std::string(100000, ']') + "\n"),
                 "nested more than 100 levels");
  EXPECT_EQ(p.line, 1);
}

TEST_F(ConfigHostile, DeepBlockNesting) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "- ";
  expect_one(write("deep-block.yaml", text + "x\n"), "nested more than 100 levels");
}

TEST_F(ConfigHostile, DeepNestingThroughAliases) {
  const std::string inner = std::string(90, '[') + std::string(90, ']');
  const std::string text = "a: &a " + inner + "\nb: [[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]\n";
  expect_one(write("deep-alias.yaml", text), "nested more than 100 levels");
}

TEST_F(ConfigHostile, DuplicateKeysPointAtTheSecond) {
  const auto p =
      expect_one(write("dup.yaml", "name: a\nmetadata: {org: o, project: p}\nname: b\n" +
                                       k_valid_head.substr(k_valid_head.find("devcontainer"))),
                 "duplicate key 'name' (first defined on line 1)");
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.path, "name");
  const auto nested = load_spec_text(
      k_valid_head + "persistence:\n  sync:\n    - {name: a, path: /a, path: /b, remote_path: x}\n",
      "t.yaml");
  ASSERT_EQ(nested.problems.size(), 1U) << dump(nested);
  EXPECT_EQ(nested.problems[0].path, "persistence.sync[0].path");
}

TEST_F(ConfigHostile, NonMappingDocuments) {
  expect_one(write("seq.yaml", "- a\n- b\n"), "is a sequence");
  expect_one(write("scalar.yaml", "just words\n"), "is a string");
  expect_one(write("number.yaml", "42\n"), "is a number");
}

TEST_F(ConfigHostile, MultipleDocuments) {
  const auto p = expect_one(write("multi.yaml", k_valid_head + "---\nname: other\n"),
                            "more than one YAML document");
  EXPECT_EQ(p.line, 4);
  EXPECT_TRUE(load_spec_text(k_valid_head + "---\n", "t.yaml").ok());
  EXPECT_TRUE(load_spec_text("---\n" + k_valid_head + "...\n", "t.yaml").ok());
}

TEST_F(ConfigHostile, TabsInIndentation) {
  const auto p = expect_one(write("tabs.yaml", "name: a\nmetadata:\n\torg: o\n"), "tab");
  EXPECT_EQ(p.line, 3);
  EXPECT_TRUE(load_spec_text(k_valid_head + "version: \"a\\tb\"\n", "t.yaml").ok());
}

TEST_F(ConfigHostile, SyntaxErrorsHaveAPlace) {
  const auto p = expect_one(write("syntax.yaml", "name: [a, b\nmetadata: {\n"), "YAML");
  EXPECT_GT(p.line, 0);
  expect_one(write("alias.yaml", "name: *nowhere\n"), "");
}

TEST_F(ConfigHostile, ComplexKeysAreRefused) {
  const auto r = load_spec_text("? [a, b]\n: 1\n" + k_valid_head, "t.yaml");
  ASSERT_EQ(r.problems.size(), 1U) << dump(r);
  EXPECT_NE(r.problems[0].message.find("plain scalar"), std::string::npos);
}

TEST_F(ConfigHostile, HugeNumbersAndOddScalarsDoNotCrash) {
  const auto r =
      load_spec_text(k_valid_head +
                         "persistence:\n  sync: [{name: a, path: /a, remote_path: a, "
                         "interval: 99999999999999999999999, priority: -1}]\n  "
                         "safety: {max_delete_percent: .nan, trash_retention_days: 1e400}\n",
                     "t.yaml");
  EXPECT_EQ(r.problems.size(), 4U) << dump(r);
}

TEST_F(ConfigHostile, FloodsOfProblemsAreCut) {
  std::string text = k_valid_head + "persistence:\n  sync:\n";
  for (int i = 0; i < 1000; ++i) text += "    - {name: '.n', path: r, remote_path: '..', x: 1}\n";
  const auto r = load_spec_text(text, "t.yaml");
  ASSERT_EQ(r.problems.size(), k_max_reported_problems + 1);
  EXPECT_EQ(r.problems.back().message, "... and 3800 more problems not shown");
}

TEST_F(ConfigHostile, LongValuesDoNotOverflowTheRegexEngine) {
  // libstdc++'s std::regex recurses per character; the schema's patterns must not.
  const std::string long_name(200000, 'a');
  const auto r =
      load_spec_text(k_valid_head + "persistence:\n  sync: [{name: " + long_name + ", path: /" +
                         long_name + ", remote_path: " + long_name + "}]\n",
                     "t.yaml");
  EXPECT_TRUE(r.ok()) << dump(r);
}

}  // namespace
}  // namespace coltec
