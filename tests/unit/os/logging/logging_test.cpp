// Log lines in both formats and at every level, and the promise of DESIGN.md invariant 2:
// no secret reaches a line, whether it sits in the message, a field, a number or a key, and
// whatever JSON escaping would make of it.

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <coltec/logging.hpp>

namespace coltec {
namespace {

const std::vector<Level> k_levels{Level::trace, Level::debug, Level::info, Level::warn,
                                  Level::error};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct Captured {
  explicit Captured(bool json, Level level = Level::trace) {
    LogSettings s;
    s.json = json;
    s.level = level;
    s.color = true;  // capture() never colours
    log = Logger::capture(s, &text);
  }
  std::string text;
  std::unique_ptr<Logger> log;
};

TEST(Logger, TextLinesCarryTimeLevelMessageAndFields) {
  Captured c(false);
  c.log->info("sync finished", {{"action", "code"}, {"files", 3}, {"note", "two words"}});
  const auto lines = lines_of(c.text);
  ASSERT_EQ(lines.size(), 1u);
  const std::regex shape(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  sync finished action=code files=3 note="two words")");
  EXPECT_TRUE(std::regex_match(lines[0], shape)) << lines[0];
  EXPECT_EQ(lines[0].find('\x1b'), std::string::npos) << "no colours in a capture";
}

TEST(Logger, JsonLinesAreOneObjectEach) {
  Captured c(true);
  c.log->warn("cannot write", {{"error", "disk \"full\"\n"}, {"bytes", 12}});
  const auto lines = lines_of(c.text);
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j.at("level"), "warn");
  EXPECT_EQ(j.at("msg"), "cannot write");
  EXPECT_EQ(j.at("error"), "disk \"full\"\n");
  EXPECT_EQ(j.at("bytes"), 12);
  EXPECT_TRUE(std::regex_match(j.at("ts").get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST(Logger, LinesBelowTheLevelAreNotWritten) {
  Captured c(false, Level::warn);
  for (const auto level : k_levels) c.log->log(level, "line");
  EXPECT_EQ(lines_of(c.text).size(), 2u);
  EXPECT_FALSE(c.log->enabled(Level::info));
  EXPECT_TRUE(c.log->enabled(Level::error));
  Captured off(false, Level::off);
  for (const auto level : k_levels) off.log->log(level, "line");
  off.log->log(Level::off, "line");
  EXPECT_TRUE(off.text.empty());
}

// Every level, both formats, every place a secret can hide in a line.
TEST(Logger, SecretsNeverReachALine) {
  const std::string key = "AKIA-ZZ-SECRET";
  const std::string quoted = "pa\"ss\\word";  // JSON would escape it
  const std::string pin = "90210";            // shows up as a number too
  const std::string message = "using " + key + " and " + quoted;
  for (const bool json : {false, true}) {
    Captured c(json);
    c.log->set_secrets({key, quoted, pin});
    for (const auto level : k_levels) {
      c.log->log(level, message,
                 {{"arg", "--password=" + quoted}, {"port", 90210}, {key, "as a key"}});
    }
    const auto lines = lines_of(c.text);
    ASSERT_EQ(lines.size(), k_levels.size());
    for (const auto& line : lines) {
      EXPECT_EQ(line.find("ZZ-SECRET"), std::string::npos) << line;
      EXPECT_EQ(line.find("ss\\\\word"), std::string::npos) << line;  // JSON-escaped form
      EXPECT_EQ(line.find("ss\\word"), std::string::npos) << line;
      EXPECT_EQ(line.find("90210"), std::string::npos) << line;
      EXPECT_NE(line.find("***"), std::string::npos) << line;
    }
  }
}

TEST(Logger, ShortSecretsAreMaskedToo) {
  Captured c(false);
  c.log->set_secrets({"q7"});
  c.log->error("pin is q7");
  EXPECT_NE(c.text.find("pin is ***"), std::string::npos) << c.text;
  EXPECT_EQ(c.log->redact("xq7x"), "x***x");
}

TEST(Logger, NewSecretsReplaceTheOldOnes) {
  Captured c(false);
  c.log->set_secrets({"first-secret"});
  c.log->set_secrets({"second-secret"});
  EXPECT_EQ(c.log->redact("first-secret second-secret"), "first-secret ***");
}

TEST(ParseLevel, KnowsEveryName) {
  EXPECT_EQ(parse_level("trace"), Level::trace);
  EXPECT_EQ(parse_level("debug"), Level::debug);
  EXPECT_EQ(parse_level("info"), Level::info);
  EXPECT_EQ(parse_level("warn"), Level::warn);
  EXPECT_EQ(parse_level("warning"), Level::warn);
  EXPECT_EQ(parse_level("error"), Level::error);
  EXPECT_EQ(parse_level("off"), Level::off);
  EXPECT_EQ(parse_level("INFO"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
}

}  // namespace
}  // namespace coltec
