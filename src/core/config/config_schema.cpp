// The JSON Schema check with valijson: compile once, validate, and keep only the leaf
// errors, rephrased into sentences that say what is wrong and what is allowed.

// valijson aborts on a bad schema unless told to throw; we catch and report instead.
#define VALIJSON_USE_EXCEPTIONS 1  // NOLINT(cppcoreguidelines-macro-usage)

#include <algorithm>
#include <array>
#include <exception>
#include <set>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <coltec/schema_text.hpp>

#include "config_internal.hpp"

namespace coltec::config_detail {

struct CompiledSchema {
  nlohmann::json json;
  valijson::Schema schema;
};

namespace {

// valijson repeats every failure on each ancestor; these wrappers add nothing.
constexpr std::array<std::string_view, 8> k_wrappers{
    "Failed to validate against schema associated with property name",
    "Failed to validate item #",
    "Failed to validate against additional properties schema",
    "Failed to validate against child schema #",
    "Failed to validate against a conditional schema",
    "Failed to validate against schema associated with pattern",
    "Failed to validate against dependent schema",
    // Unknown keys are reported by unknown_keys(), with a suggestion.
    "Object contains a property that could not be validated",
};

bool is_wrapper(const std::string& description) {
  for (const auto w : k_wrappers) {
    if (std::string_view(description).starts_with(w)) return true;
  }
  return false;
}

// valijson's context is "<root>", "[key]", "[index]"; a JSON pointer spells both alike.
std::string to_pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (std::size_t i = 1; i < context.size(); ++i) {
    const std::string& part = context[i];
    const bool bracketed = part.size() >= 2 && part.front() == '[' && part.back() == ']';
    pointer = child_pointer(pointer, bracketed ? part.substr(1, part.size() - 2) : part);
  }
  return pointer;
}

constexpr std::string_view k_type_error = "Value type not permitted";

// A missing key is reported at the key's own path (located at its parent mapping).
std::string issue_pointer(const std::string& description, const std::string& pointer) {
  const std::string missing = "Missing required property '";
  if (!description.starts_with(missing)) return pointer;
  const auto end = description.find('\'', missing.size());
  return child_pointer(pointer, description.substr(missing.size(), end - missing.size()));
}

}  // namespace

Result<std::shared_ptr<const CompiledSchema>> compile_schema(std::string_view text) {
  auto compiled = std::make_shared<CompiledSchema>();
  try {
    compiled->json = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return make_error(std::string("the schema is not valid JSON: ") + e.what());
  }
  if (!compiled->json.is_object()) return make_error("the schema is not a JSON object");
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(compiled->json);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    return make_error(std::string("the schema cannot be used: ") + e.what());
  }
  return std::shared_ptr<const CompiledSchema>(std::move(compiled));
}

Result<std::shared_ptr<const CompiledSchema>> builtin_schema() {
  // Immutable once built, so sharing it between calls (and threads) is safe.
  static const Result<std::shared_ptr<const CompiledSchema>> compiled =
      compile_schema(k_schema_text);
  return compiled;
}

namespace {

void collect_words(const nlohmann::json& node, std::vector<std::string>& out) {
  if (node.is_array()) {
    for (const auto& item : node) collect_words(item, out);
    return;
  }
  if (!node.is_object()) return;
  if (const auto props = node.find("properties"); props != node.end() && props->is_object()) {
    for (const auto& [key, ignored] : props->items()) out.push_back(key);
  }
  for (const auto& [key, child] : node.items()) collect_words(child, out);
}

}  // namespace

bool is_schema_word(std::string_view word) {
  // Derived once from the immutable embedded schema, like builtin_schema() itself.
  static const std::vector<std::string> words = [] {
    std::vector<std::string> out;
    if (const auto schema = builtin_schema()) collect_words(schema.value()->json, out);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return std::binary_search(words.begin(), words.end(), word);
}

const nlohmann::json& schema_json(const CompiledSchema& schema) {
  return schema.json;
}

std::vector<Issue> schema_issues(const CompiledSchema& schema, const Document& doc) {
  valijson::ValidationResults results;
  // The Validator compiles each "pattern" into a std::regex on first use and keeps it; one
  // per thread keeps them for the process (compiling one costs up to milliseconds, tens
  // under sanitizers). The cache is keyed by the pattern text, so any schema may share it.
  thread_local valijson::Validator validator;
  valijson::adapters::NlohmannJsonAdapter target(doc.root);
  try {
    validator.validate(schema.schema, target, &results);
  } catch (const std::exception& e) {
    return {Issue{"", std::string("the schema could not be applied: ") + e.what()}};
  }
  std::vector<valijson::ValidationResults::Error> errors;
  std::set<std::string> wrong_type;  // a value of the wrong type gets only that message
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (is_wrapper(error.description)) continue;
    if (error.description.starts_with(k_type_error)) wrong_type.insert(to_pointer(error.context));
    errors.push_back(std::move(error));
  }
  std::vector<Issue> out;
  for (const auto& e : errors) {
    const std::string pointer = to_pointer(e.context);
    if (wrong_type.contains(pointer) && !e.description.starts_with(k_type_error)) continue;
    out.push_back(Issue{issue_pointer(e.description, pointer),
                        rephrase(e.description, schema.json, doc, pointer)});
  }
  return out;
}

}  // namespace coltec::config_detail
