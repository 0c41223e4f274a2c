// Our schema against the earlier daemon's (tests/data/upstream/workspace-spec.schema.json,
// a copy of shared/fixtures/upstream): the same definition names, at least its required
// keys, and every document it rejects is rejected by ours too. Checked two ways:
//   raw     the YAML as JSON, as an editor or another JSON Schema tool validates it
//   loader  as our loader reads it before its schema check (a plain scalar is text where a
//           string is expected; an empty optional value means "not set"), for both alike
// on every fixture and on mutations of each valid one (every key removed, every value
// replaced by values of other types, an unknown key added to every mapping).
// Our extensions (legacy networking + persistence.rclone_config, persistence.safety) are
// unknown to the earlier schema; they are taken out before a document is given to it.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <coltec/config.hpp>

#include "config_internal.hpp"
#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path k_data = fs::path(COLTEC_SOURCE_DIR) / "tests" / "data";

struct Checker {
  json text;
  valijson::Schema schema;
  bool throws_count_as_rejection = false;

  Checker(const std::string& source, bool lenient_throws)
      : text(json::parse(source)), throws_count_as_rejection(lenient_throws) {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(text);
    parser.populateSchema(adapter, schema);
  }
  bool valid(const json& doc) const {
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    try {
      return validator.validate(schema, target, nullptr);
    } catch (const std::exception& e) {
      // valijson 1.0 throws when a "format" meets a value that is not a string, as the
      // earlier schema's "format": "uint64" on integers does for an array: the type check
      // beside it rejects that value anyway. Our schema must never make it throw.
      EXPECT_TRUE(throws_count_as_rejection) << e.what() << " for " << doc.dump();
      return false;
    }
  }
};

// The document as our loader reads it before any schema check: a plain scalar is text where
// our schema expects a string, an empty optional value is "not set" (config_detail::normalise).
json as_loaded(const json& doc);

const Checker& ours() {
  static const Checker c{std::string(schema_text()), false};
  return c;
}
const Checker& upstream() {
  static const Checker c{test::read_file(k_data / "upstream" / "workspace-spec.schema.json"), true};
  return c;
}

json as_loaded(const json& doc) {
  auto parsed = config_detail::parse_yaml(doc.dump(), "m.json");
  if (!parsed.doc || !parsed.problems.empty()) return doc;
  config_detail::normalise(*parsed.doc, ours().text);
  return parsed.doc->root;
}

json without_extensions(json doc) {
  if (!doc.is_object()) return doc;
  doc.erase("networking");
  if (auto p = doc.find("persistence"); p != doc.end() && p->is_object()) {
    p->erase("rclone_config");
    p->erase("safety");
  }
  return doc;
}

json yaml_as_json(const fs::path& file) {
  auto parsed = config_detail::parse_yaml(test::read_file(file), file.filename().string());
  return parsed.doc ? parsed.doc->root : json();
}

std::vector<fs::path> fixtures() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(k_data)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  return out;
}

/// Fails when the earlier schema rejects `doc` (without our extensions) and ours accepts it.
void expect_no_looser(const json& doc, const std::string& what) {
  const json theirs = without_extensions(doc);
  if (!upstream().valid(theirs)) {
    EXPECT_FALSE(ours().valid(doc)) << "raw: the earlier schema rejects, ours accepts: " << what;
  }
  const json loaded_theirs = as_loaded(theirs);
  if (loaded_theirs == theirs && theirs == doc) return;  // the loader changed nothing
  if (!upstream().valid(loaded_theirs)) {
    EXPECT_FALSE(ours().valid(as_loaded(doc)))
        << "loaded: the earlier schema rejects, ours accepts: " << what;
  }
}

const std::vector<json>& replacements() {
  // One value of every JSON type, plus strings that enums and formats reject.
  static const std::vector<json> values{
      nullptr,         true, 7, -1, 1.5, "", "x", "push_only", "yesterday", json::array(),
      json{{"x", "y"}}};
  return values;
}

// Worth mutating: a sequence's later items share the first one's schema, and a free-form
// map (settings values, feature options) takes anything.
bool worth_mutating(const std::string& pointer) {
  static const std::vector<std::string> free{"/customizations/settings/values/", "/options/"};
  for (const auto& f : free) {
    if (pointer.find(f) != std::string::npos) return false;
  }
  std::size_t start = 0;
  while ((start = pointer.find('/', start)) != std::string::npos) {
    const auto end = pointer.find('/', start + 1);
    const auto token = pointer.substr(start + 1, end - start - 1);
    const bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    if (index && token != "0") return false;
    start = end;
  }
  return true;
}

/// Calls `check(mutated, description)` for every mutation of `doc`.
void for_each_mutation(const json& doc,
                       const std::function<void(const json&, std::string)>& check) {
  const json flat = doc.flatten();
  std::set<std::string> pointers{""};
  for (const auto& [leaf, value] : flat.items()) {
    // Every ancestor of every leaf is a node too.
    for (auto end = leaf.size(); end != std::string::npos && end > 0;
         end = leaf.rfind('/', end - 1)) {
      pointers.insert(leaf.substr(0, end));
    }
  }
  for (const auto& text : pointers) {
    if (!worth_mutating(text)) continue;
    const json::json_pointer ptr(text);
    const json& node = doc.at(ptr);
    if (node.is_object()) {
      json added = doc;
      added.at(ptr)["zz_unknown_key"] = "x";
      check(added, "unknown key added at '" + text + "'");
    }
    if (text.empty()) continue;
    const json::json_pointer parent = ptr.parent_pointer();
    if (doc.at(parent).is_object()) {
      json removed = doc;
      removed.at(parent).erase(ptr.back());
      check(removed, "'" + text + "' removed");
    }
    for (const auto& v : replacements()) {
      json replaced = doc;
      replaced.at(ptr) = v;
      check(replaced, "'" + text + "' = " + v.dump());
    }
  }
}

TEST(UpstreamSchema, EveryDefinitionNameOfTheEarlierSchemaExists) {
  for (const auto& [name, def] : upstream().text.at("definitions").items()) {
    EXPECT_TRUE(ours().text.at("definitions").contains(name)) << name;
  }
}

TEST(UpstreamSchema, RequiredListsAreAtLeastTheEarlierOnes) {
  auto check = [](const json& theirs, const json& mine, const std::string& where) {
    if (!theirs.contains("required")) return;
    ASSERT_TRUE(mine.contains("required")) << where;
    for (const auto& key : theirs.at("required")) {
      const auto& list = mine.at("required");
      EXPECT_NE(std::find(list.begin(), list.end(), key), list.end()) << where << ": " << key;
    }
  };
  check(upstream().text, ours().text, "top level");
  for (const auto& [name, def] : upstream().text.at("definitions").items()) {
    if (ours().text.at("definitions").contains(name)) {
      check(def, ours().text.at("definitions").at(name), name);
    }
  }
}

TEST(UpstreamSchema, FixturesTheEarlierSchemaRejectsOursRejectsToo) {
  int rejected_by_both = 0;
  for (const auto& file : fixtures()) {
    const json doc = yaml_as_json(file);
    expect_no_looser(doc, file.filename().string());
    if (!upstream().valid(as_loaded(without_extensions(doc)))) ++rejected_by_both;
  }
  EXPECT_GE(rejected_by_both, 3);  // missing keys, wrong types, unknown keys
}

TEST(UpstreamSchema, TheUpstreamFixturesGetTheSameVerdictFromBothSchemas) {
  for (const char* name : {"valid_workspace.yaml", "named_remotes_workspace.yaml"}) {
    const json doc = yaml_as_json(k_data / "upstream" / name);
    EXPECT_TRUE(upstream().valid(doc)) << name;
    EXPECT_TRUE(ours().valid(doc)) << name;
  }
}

TEST(UpstreamSchema, NoMutationOfAValidSpecPassesOursAlone) {
  int bases = 0;
  int mutations = 0;
  std::set<std::string> seen;  // the same field in another fixture adds nothing
  for (const auto& file : fixtures()) {
    // The valid fixtures; invalid_semantic_* ones are schema-valid but add no new shapes.
    if (file.filename().string().starts_with("invalid_")) continue;
    json doc = without_extensions(yaml_as_json(file));
    if (!upstream().valid(as_loaded(doc))) continue;
    ++bases;
    // Checking a date-time costs ~50 ms under ASan (std::regex is built per check); its
    // mutations have a test of their own below.
    doc.erase("generated_at");
    for_each_mutation(doc, [&](const json& mutated, const std::string& what) {
      if (!seen.insert(what).second) return;
      ++mutations;
      expect_no_looser(mutated, file.filename().string() + ": " + what);
    });
  }
  EXPECT_GE(bases, 5);
  EXPECT_GE(mutations, 500);
}

TEST(UpstreamSchema, NoMutationOfTheGenerationTimePassesOursAlone) {
  json doc = yaml_as_json(k_data / "upstream" / "valid_workspace.yaml");
  ASSERT_TRUE(doc.contains("generated_at"));
  for (const auto& v : replacements()) {
    doc["generated_at"] = v;
    expect_no_looser(doc, "generated_at = " + v.dump());
  }
  doc.erase("generated_at");
  expect_no_looser(doc, "generated_at removed");
}

TEST(UpstreamSchema, ATimestampThatIsNotRfc3339IsRejectedWithoutRunningARegexOnHugeInput) {
  const std::string head =
      "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: i}}\n";
  EXPECT_TRUE(load_spec_text(head + "generated_at: 2025-11-27T22:11:48Z\n", "t").ok());
  const auto bad = load_spec_text(head + "generated_at: yesterday\n", "t");
  ASSERT_EQ(bad.problems.size(), 1U);
  EXPECT_NE(bad.problems[0].message.find("an RFC 3339 date-time such as"), std::string::npos)
      << bad.problems[0].message;
  // std::regex recurses per character: a long value is refused by its length alone.
  const auto huge =
      load_spec_text(head + "generated_at: '" + std::string(500000, '1') + "'\n", "t");
  EXPECT_FALSE(huge.ok());
}

}  // namespace
}  // namespace coltec
