#pragma once
// Private to the config module: the stages of the loader and what they pass on.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include <coltec/config.hpp>
#include <coltec/result.hpp>

namespace coltec::config_detail {

/// A 1-based position in the YAML text.
struct Loc {
  int line = 0;
  int column = 0;
};

/// The YAML document as JSON, plus where each node came from. Keys are JSON pointers.
struct Document {
  nlohmann::json root;
  std::unordered_map<std::string, Loc> values;  ///< where each node's value starts
  std::unordered_map<std::string, Loc> keys;    ///< where the key naming a member sits
  /// Text of plain scalars that became numbers or booleans, so they can be kept as written.
  std::unordered_map<std::string, std::string> plain_text;
};

/// A problem before it is placed: a JSON pointer to the field plus a sentence.
struct Issue {
  std::string pointer;
  std::string message;
  bool at_key = false;  ///< locate at the member's key rather than its value
  /// The pointer's last key may be spelled out in the path although shown_key would not
  /// (an unknown key close to a known one: a typo, never a secret).
  bool key_shown = false;
};

/// What the text and YAML stages found; `doc` is absent when nothing usable was parsed.
struct Parsed {
  std::optional<Document> doc;
  std::vector<Problem> problems;
};

// --- text and YAML (config_text.cpp, config_yaml.cpp)
/// Size, UTF-8 and control-character checks before any parsing; empty when clean.
std::optional<Problem> check_text(std::string_view text, const std::string& file);
/// The YAML events of `text` as JSON with locations; problems carry file:line:col.
Parsed parse_yaml(std::string_view text, const std::string& file);

// --- JSON pointers and places (config_paths.cpp)
std::string child_pointer(const std::string& parent, const std::string& key);
std::string child_pointer(const std::string& parent, std::size_t index);
std::vector<std::string> split_pointer(const std::string& pointer);
/// "persistence.sync[1].interval" for "/persistence/sync/1/interval", using `root` to tell
/// array indexes from keys. A key is spelled out only when shown_key allows it (or, for
/// the last one, when `last_key_shown`, e.g. a typo of a known key), else it reads <key>.
std::string display_path(const nlohmann::json& root, const std::string& pointer,
                         bool last_key_shown = false);
/// Whether a message may repeat `text` taken from the spec. A spec can hold a pasted secret
/// anywhere, in a value or as a key, and what --validate-only prints ends up in CI logs; so
/// spec text is repeated only when it cannot be a generated credential: a word the schema
/// defines, one of `known` or a near miss of one (a typo), or a plain lowercase word
/// (letters, '_' and '-', starting with a letter, at most 24 characters; hex, base64 and
/// AKIA-style keys never have that form). Anything else is described, never quoted.
bool showable(std::string_view text, const std::vector<std::string>& known = {});
/// Whether a message may repeat a name the spec defines for a remote or a sync path: a
/// showable one, or a valid one (`valid`) of at most 16 characters. Generated credentials
/// are longer (AKIA key IDs have 20), so a short valid name is a name, which the plan and the
/// log print anyway.
bool shown_name(const std::string& name, bool valid);
/// Whether a message may repeat `key`, a key of the mapping at `parent_pointer`: showable,
/// or a remote's name where remotes are named (shown_name).
bool shown_key(const std::string& parent_pointer, const std::string& key);
/// Whether `name` may name a sync path or volume: letters, digits, '.', '_' and '-', not
/// starting with '.'.
bool valid_action_name(const std::string& name);
/// Whether `name` may name an rclone remote: letters, digits and _ . - + @, not starting
/// with '-', at most 64 characters.
bool valid_remote_name(const std::string& name);
/// The node at `pointer`, or nullptr.
const nlohmann::json* find_node(const nlohmann::json& root, const std::string& pointer);
/// Where an issue sits: its own node, else the nearest ancestor that exists.
Loc locate(const Document& doc, const Issue& issue);
/// Levenshtein distance, capped work for long inputs.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The closest candidate within a small distance, or "".
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// --- schema (config_schema.cpp, config_schema_walk.cpp)
struct CompiledSchema;
/// Parse and compile a draft-07 schema; an Error names what is wrong with it.
Result<std::shared_ptr<const CompiledSchema>> compile_schema(std::string_view text);
/// The embedded schema, compiled once.
Result<std::shared_ptr<const CompiledSchema>> builtin_schema();
/// True when some object of the embedded schema has a property named `word`.
bool is_schema_word(std::string_view word);
/// The schema as JSON (for walking it).
const nlohmann::json& schema_json(const CompiledSchema& schema);
/// The schema node describing the instance at `pointer`, following $ref, properties,
/// additionalProperties and items; nullptr when the schema says nothing about it.
const nlohmann::json* schema_for(const nlohmann::json& schema, const nlohmann::json& root,
                                 const std::string& pointer);
/// Coerce scalars to the schema's types where harmless (1.0 → "1.0" for a string field,
/// null for an optional field → absent).
void normalise(Document& doc, const nlohmann::json& schema);
/// Unknown keys (schema-driven), each with a nearest-key suggestion.
std::vector<Issue> unknown_keys(const Document& doc, const nlohmann::json& schema);
/// valijson's message `description` for the value at `pointer` as a plain sentence.
std::string rephrase(const std::string& description, const nlohmann::json& schema,
                     const Document& doc, const std::string& pointer);
/// valijson's leaf errors, rephrased; additionalProperties errors are left to unknown_keys.
std::vector<Issue> schema_issues(const CompiledSchema& schema, const Document& doc);

// --- typed spec and semantic rules (config_build.cpp, config_rules*.cpp)
/// A Spec from the normalised JSON; wrong or missing values keep their defaults.
Spec build_spec(const nlohmann::json& root);
/// Rules beyond the schema; pointers name the offending field.
std::vector<Issue> check_rules(const Spec& spec, const nlohmann::json& root);
void check_remote_rules(const Spec& spec, std::vector<Issue>& out);
void check_path_rules(const Spec& spec, const nlohmann::json& root, std::vector<Issue>& out);

}  // namespace coltec::config_detail
