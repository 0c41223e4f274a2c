// The published schema and the loader agree: on every fixture, on unknown keys, and on
// which rules each one checks.
//
// Semantic-only rules (relations the schema cannot express, or deliberately kept out of it
// so `--schema-only` matches the earlier validator): replicated mode needs something to
// sync; networking.enabled needs a hostname_prefix; names are unique across sync paths and
// environment volumes; default_remote, sync[].remote and wrap_remote name defined remotes;
// every replicated sync path has some remote; wrap chains have no cycle; remote and option
// names suit rclone. Fixtures invalid only by these are named invalid_semantic_*.yaml and
// must be schema-valid. Every other rule is in the schema as well as in the loader.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <coltec/config.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

using test::read_file;

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += format_problem(p, false) + "\n";
  return out;
}

// The earlier daemon's required keys (name, metadata, devcontainer.image).
const std::string k_head =
    "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: img}}\n";

LoadResult schema_only(const std::string& text) {
  return check_schema_only(text, "t.yaml", schema_text());
}

TEST(ConfigSchemaAgreement, EveryFixture) {
  const fs::path data = fs::path(COLTEC_SOURCE_DIR) / "tests" / "data";
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().filename().string();
    const std::string text = read_file(entry.path());
    const auto full = load_spec_text(text, name);
    const auto schema = schema_only(text);
    const bool semantic_only =
        name.starts_with("invalid_semantic_") || name == "invalid_replicated_no_sync.yaml";
    const bool invalid = name.starts_with("invalid_");
    EXPECT_EQ(full.ok(), !invalid) << name << "\n" << dump(full);
    EXPECT_EQ(schema.problems.empty(), !invalid || semantic_only) << name << "\n" << dump(schema);
    // Whatever the schema faults, the full loader faults at the same field.
    for (const auto& p : schema.problems) {
      const bool found = std::any_of(full.problems.begin(), full.problems.end(),
                                     [&](const Problem& q) { return q.path == p.path; });
      EXPECT_TRUE(found) << name << ": schema-only found " << p.path << " but the loader did not";
    }
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

TEST(ConfigSchemaAgreement, SchemaOnlySkipsSemanticRules) {
  const std::string text = k_head + "networking: {enabled: true, hostname_prefix: ''}\n";
  EXPECT_TRUE(schema_only(text).problems.empty());
  EXPECT_FALSE(load_spec_text(text, "t.yaml").ok());
}

TEST(ConfigUnknownKeys, SuggestTheNearestKnownKey) {
  const auto r = load_spec_text(k_head + "persistance: {}\nnetworking: {enabeld: true}\n", "t");
  ASSERT_EQ(r.problems.size(), 2U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistance");
  EXPECT_EQ(r.problems[0].message, "unknown key 'persistance'; did you mean 'persistence'?");
  EXPECT_EQ(r.problems[0].line, 4);
  EXPECT_EQ(r.problems[0].column, 1);
  EXPECT_EQ(r.problems[1].message, "unknown key 'enabeld'; did you mean 'enabled'?");
}

TEST(ConfigUnknownKeys, ListTheAllowedKeysWhenNothingIsClose) {
  const auto r = load_spec_text(k_head + "networking: {zzzzzzzz: 1}\n", "t");
  ASSERT_EQ(r.problems.size(), 1U) << dump(r);
  EXPECT_EQ(r.problems[0].message,
            "unknown key 'zzzzzzzz'; allowed keys here: enabled, hostname_prefix, tags");
}

TEST(ConfigUnknownKeys, ReportedOnceAndNotByValijsonToo) {
  const auto r = schema_only(k_head + "extra: 1\n");
  ASSERT_EQ(r.problems.size(), 1U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "extra");
  for (const auto& p : r.problems) {
    EXPECT_EQ(p.message.find("Failed to validate"), std::string::npos) << p.message;
    EXPECT_EQ(p.message.find("could not be validated"), std::string::npos) << p.message;
  }
}

TEST(ConfigUnknownKeys, FreeFormMapsTakeAnyKey) {
  const auto r =
      load_spec_text("name: w\nmetadata: {org: o, project: p}\n" + std::string(R"(devcontainer:
  image: {name: img}
  env: {ANY_NAME: 1, other: "x"}
  features: [{id: f, options: {whatever: {deep: [1, 2]}}}]
  customizations: {settings: {values: {editor.tabSize: 2, nested: {a: b}}}}
persistence:
  rclone_config: {options: {provider: Cloudflare, anything_goes: yes}}
  remotes: {r: {bucket: b, options: {some_option: 1}}}
)"),
                     "t");
  EXPECT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.spec->devcontainer.env.at("ANY_NAME"), "1");
  EXPECT_EQ(r.spec->devcontainer.features.at(0).options["whatever"]["deep"][1], 2);
}

TEST(ConfigSchemaMessages, NoWrapperMessagesEverReachTheUser) {
  const auto r = load_spec_text(
      read_file(fs::path(COLTEC_SOURCE_DIR) / "tests" / "data" / "invalid_types.yaml"), "t");
  ASSERT_FALSE(r.problems.empty());
  for (const auto& p : r.problems) {
    EXPECT_EQ(p.message.find("Failed to validate"), std::string::npos) << p.message;
    EXPECT_FALSE(p.path.empty()) << p.message;
  }
}

TEST(ConfigSchemaMessages, SchemaOnlyWordingForPatterns) {
  const auto r = schema_only(k_head +
                             "persistence:\n  sync: [{name: .x, path: rel, remote_path: "
                             "'a/../b'}]\n");
  ASSERT_EQ(r.problems.size(), 3U) << dump(r);
  EXPECT_NE(r.problems[0].message.find("not starting with '.'"), std::string::npos);
  EXPECT_NE(r.problems[1].message.find("absolute path"), std::string::npos);
  EXPECT_NE(r.problems[2].message.find("no '..' segment"), std::string::npos);
}

TEST(ConfigSchemaCoercion, ScalarsKeepTheirTextWhereStringsAreExpected) {
  const auto r = load_spec_text(
      "name: 2024\nversion: 2.10\nmetadata: {org: 1, project: true, description:}\n" +
          std::string("devcontainer: {image: {name: 7}}\n"),
      "t");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.spec->name, "2024");
  EXPECT_EQ(r.spec->version, "2.10");
  EXPECT_EQ(r.spec->metadata.org, "1");
  EXPECT_EQ(r.spec->metadata.project, "true");
  EXPECT_EQ(r.spec->metadata.description, std::nullopt);
}

TEST(ConfigSchemaCoercion, QuotedNumbersAreNotIntegers) {
  const auto r =
      load_spec_text(k_head + "persistence: {safety: {max_delete_percent: '20'}}\n", "t");
  ASSERT_EQ(r.problems.size(), 1U) << dump(r);
  EXPECT_EQ(r.problems[0].message, "max_delete_percent must be an integer but is a string");
}

TEST(ConfigSchemaCoercion, EmptyRequiredValueIsNotSilentlyDropped) {
  const auto r = load_spec_text(
      "name:\nmetadata: {org: o, project: p}\n" + k_head.substr(k_head.find("devcontainer")), "t");
  ASSERT_EQ(r.problems.size(), 1U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "name");
  EXPECT_EQ(r.problems[0].message, "name must be a string but is empty");
}

TEST(ConfigSchemaMerge, MergeKeysAndAnchorsWork) {
  const auto r = load_spec_text(k_head + R"(x-defaults: &d {interval: 60, priority: 1}
)",
                                "t");
  EXPECT_FALSE(r.ok());  // x-defaults is not a known key
  const auto merged = load_spec_text(k_head + R"(persistence:
  enabled: true
  mode: replicated
  rclone_config: {}
  sync:
    - &base {name: a, path: /a, remote_path: a, interval: 60}
    - {<<: *base, name: b, path: /b}
)",
                                     "t");
  ASSERT_TRUE(merged.ok()) << dump(merged);
  EXPECT_EQ(merged.spec->persistence.sync.at(1).interval, 60U);
  EXPECT_EQ(merged.spec->persistence.sync.at(1).name, "b");
  EXPECT_EQ(merged.spec->persistence.sync.at(1).remote_path, "a");
}

}  // namespace
}  // namespace coltec
