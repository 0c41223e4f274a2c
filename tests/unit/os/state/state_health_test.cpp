// health.json: round trip, the earlier daemon's fields, RFC 3339 times, hostile files.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <coltec/state.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HealthTest : public ::testing::Test {
 protected:
  void put(const std::string& text) const { std::ofstream(m_file, std::ios::binary) << text; }
  test::TempDir m_tmp{"coltec-health"};
  std::string m_dir = m_tmp.str();
  std::string m_file = m_tmp.path("health.json");
};

Health sample() {
  Health h;
  h.healthy = false;
  h.last_success = 1795435200;  // 2026-11-23T12:00:00Z
  h.last_attempt = 1795435260;
  h.consecutive_failures = 2;
  h.last_error = "code: rclone exited with code 1";
  h.pid = 4242;
  h.workspace = "ws";
  ActionHealth a;
  a.name = "code";
  a.direction = "bidirectional";
  a.last_result = "failed";
  a.last_error = "rclone exited with code 1";
  a.last_success = 1795435200;
  a.last_attempt = 1795435260;
  a.next_run = 1795435320;
  a.consecutive_failures = 2;
  a.files = 12;
  a.bytes = 5000000000ULL;
  a.pending_changes = 3;
  a.needs_attention = true;
  a.held_back_deletes = 12;
  a.held_back_files = {"old.txt", "dir/gone.md"};
  a.warnings = {"the remote r:x does not exist"};
  h.actions.push_back(a);
  ActionHealth never;
  never.name = "notes";
  never.direction = "push";
  h.actions.push_back(never);
  return h;
}

TEST(Rfc3339, FormatsAndParsesUtc) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1795435200), "2026-11-23T12:00:00Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*parse_rfc3339("2026-11-23T12:00:00Z"), 1795435200);
  EXPECT_EQ(*parse_rfc3339("2026-11-23t12:00:00.987654321z"), 1795435200);
  EXPECT_EQ(*parse_rfc3339("2026-11-23T13:30:00+01:30"), 1795435200);
  EXPECT_EQ(*parse_rfc3339("2026-11-23T10:00:00-02:00"), 1795435200);
  EXPECT_EQ(*parse_rfc3339("2016-12-31T23:59:60Z"), 1483228800) << "leap second";
}

TEST(Rfc3339, ClampsToFourDigitYears) {
  EXPECT_EQ(format_rfc3339(std::numeric_limits<std::int64_t>::max()), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(std::numeric_limits<std::int64_t>::min()), "0001-01-01T00:00:00Z");
}

TEST(Rfc3339, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2026-11-23", "2026-11-23T12:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-23T24:00:00Z", "2026-11-23T12:60:00Z", "2026-11-23T12:00:00.Z",
        "2026-11-23T12:00:00+1:00", "2026-11-23T12:00:00Zjunk", "0000-01-01T00:00:00Z",
        "２026-11-23T12:00:00Z", "2026-11-23T12:00:00+24:00"}) {
    EXPECT_FALSE(parse_rfc3339(bad).ok()) << bad;
  }
}

TEST(HealthJson, KeepsTheEarlierDaemonsTopLevelFields) {
  const json j = to_json(sample());
  EXPECT_EQ(j.at("healthy"), false);
  EXPECT_EQ(j.at("last_success"), "2026-11-23T12:00:00Z");
  EXPECT_EQ(j.at("last_attempt"), "2026-11-23T12:01:00Z");
  EXPECT_EQ(j.at("consecutive_failures"), 2);
  EXPECT_EQ(j.at("last_error"), "code: rclone exited with code 1");
  EXPECT_TRUE(j.at("actions").at(1).at("last_success").is_null());
  EXPECT_EQ(j.at("actions").at(1).at("last_result"), "never");
}

TEST(HealthJson, CarriesHeldBackDeletionsAndWarningsPerAction) {
  const json a = to_json(sample()).at("actions").at(0);
  EXPECT_EQ(a.at("held_back_deletes"), 12);
  EXPECT_EQ(a.at("held_back_files"), json::array({"old.txt", "dir/gone.md"}));
  EXPECT_EQ(a.at("warnings"), json::array({"the remote r:x does not exist"}));
  const json none = to_json(sample()).at("actions").at(1);
  EXPECT_EQ(none.at("held_back_deletes"), 0);
  EXPECT_EQ(none.at("warnings"), json::array());
}

TEST(HealthJson, RoundTrips) {
  const auto back = health_from_json(to_json(sample()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample());
}

TEST(HealthJson, AcceptsTheMinimalOldFormat) {
  const auto h = health_from_json(json::parse(
      R"({"healthy":true,"last_success":"2026-11-23T12:00:00.123Z","last_attempt":null,)"
      R"("consecutive_failures":0,"last_error":null})"));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_TRUE(h->healthy);
  EXPECT_EQ(h->last_success, std::optional<std::int64_t>(1795435200));
  EXPECT_EQ(h->last_attempt, std::nullopt);
  EXPECT_TRUE(h->actions.empty());
}

TEST(HealthJson, WrongTypesAndRangesAreErrorsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([1,2])", "must be a JSON object"},
      {R"({})", "\"healthy\" is missing"},
      {R"({"healthy":"yes"})", "\"healthy\" must be true or false"},
      {R"({"healthy":true,"consecutive_failures":-1})", "\"consecutive_failures\""},
      {R"({"healthy":true,"consecutive_failures":4294967296})", "out of range"},
      {R"({"healthy":true,"pid":1.5})", "\"pid\""},
      {R"({"healthy":true,"last_success":"yesterday"})", "\"last_success\" must be an RFC 3339"},
      {R"({"healthy":true,"actions":{}})", "\"actions\" must be an array"},
      {R"({"healthy":true,"actions":[{"name":"a"},7]})", "\"actions[1]\" must be an object"},
      {R"({"healthy":true,"actions":[{"files":-3}]})", "\"actions[0].files\""},
      {R"({"healthy":true,"actions":[{"next_run":[]}]})", "\"actions[0].next_run\""},
      {R"({"healthy":true,"actions":[{"warnings":"x"}]})",
       "\"actions[0].warnings\" must be a list"},
      {R"({"healthy":true,"actions":[{"held_back_files":[1]}]})", "\"actions[0].held_back_files\""},
  };
  for (const auto& [text, expected] : cases) {
    const auto h = health_from_json(json::parse(text));
    ASSERT_FALSE(h.ok()) << text;
    EXPECT_NE(h.error().message.find(expected), std::string::npos)
        << text << " -> " << h.error().message;
  }
}

TEST_F(HealthTest, WriteThenReadBack) {
  ASSERT_TRUE(write_health(m_file, sample()).ok());
  const auto back = read_health(m_file);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample());
  EXPECT_EQ(fs::directory_iterator(m_dir)->path().filename(), "health.json");
}

TEST_F(HealthTest, InvalidUtf8InErrorsDoesNotThrow) {
  Health h = sample();
  h.last_error = "bad \xff\xfe bytes";
  ASSERT_TRUE(write_health(m_file, h).ok());
  EXPECT_TRUE(read_health(m_file).ok());
}

TEST_F(HealthTest, ASymlinkInItsPlaceIsNotFollowed) {
  const auto elsewhere = m_dir + "/elsewhere.json";
  ASSERT_TRUE(write_health(elsewhere, sample()).ok());
  fs::create_symlink(elsewhere, m_file);
  EXPECT_FALSE(read_health(m_file).ok());
  // Writing replaces the link itself (rename), never the file it points at.
  Health other = sample();
  other.last_error = "replaced";
  ASSERT_TRUE(write_health(m_file, other).ok());
  EXPECT_FALSE(fs::is_symlink(m_file));
  EXPECT_EQ(read_health(elsewhere).value(), sample());
  EXPECT_EQ(read_health(m_file).value(), other);
}

TEST_F(HealthTest, MissingFileIsAnErrorNamingThePath) {
  const auto h = read_health(m_file);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().message, "cannot read " + m_file + ": No such file or directory");
}

TEST_F(HealthTest, HostileFilesGiveErrorsNeverCrashes) {
  const std::string deep_arrays(200000, '[');
  std::string deep_objects;
  for (int i = 0; i < 100000; ++i) deep_objects += "{\"a\":";
  const std::string hostile[] = {
      "",
      "{",
      "not json at all",
      std::string("\0\0\0", 3),
      "{\"healthy\":true,\"last_error\":\"\\ud800\"}trailing",
      deep_arrays,
      deep_objects,
      R"({"healthy":true,"actions":[{"bytes":1e400}]})",
      R"({"healthy":true,"pid":99999999999999999999999})",
      "\xef\xbb\xbf{\"healthy\":\"\xff\"}",
  };
  for (const auto& text : hostile) {
    put(text);
    const auto h = read_health(m_file);
    EXPECT_FALSE(h.ok()) << text.substr(0, 40);
    if (!h.ok()) {
      EXPECT_NE(h.error().message.find(m_file), std::string::npos);
    }
  }
}

TEST_F(HealthTest, OversizedFileIsRefused) {
  put("{\"healthy\":true,\"last_error\":\"" + std::string(std::size_t{17} * 1024 * 1024, 'x') +
      "\"}");
  const auto h = read_health(m_file);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("too large"), std::string::npos) << h.error().message;
}

}  // namespace
}  // namespace coltec
