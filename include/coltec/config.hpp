#pragma once
// Loading and validating workspace-spec.yaml: text → YAML events → JSON (with a map from
// each JSON pointer to its YAML line/column) → JSON Schema (draft-07, valijson) → typed
// Spec → semantic rules. Every problem is collected and reported together.
// Everything here is pure; load_spec_file (spec_file.hpp) reads the file and calls in here.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <coltec/spec.hpp>

namespace coltec {

/// One thing wrong with a workspace spec, located as precisely as the input allows.
struct Problem {
  std::string path;     ///< field path such as "persistence.sync[1].interval"; "" = whole file
  std::string file;     ///< file name as given by the caller
  int line = 0;         ///< 1-based; 0 when unknown (e.g. the file cannot be read)
  int column = 0;       ///< 1-based; 0 when unknown
  std::string message;  ///< a sentence: what is wrong and what is allowed
  bool operator==(const Problem&) const = default;
};

/// The outcome of a load: a Spec when and only when there is no problem.
struct LoadResult {
  std::optional<Spec> spec;       ///< set only when problems is empty
  std::vector<Problem> problems;  ///< sorted by line, column, path; see k_max_reported_problems
  /// True when the spec loaded with no problem.
  bool ok() const { return spec.has_value() && problems.empty(); }
};

/// Largest workspace spec accepted, in bytes (1 MiB); larger input is refused unparsed.
inline constexpr std::size_t k_max_spec_bytes = std::size_t{1} << 20;

/// Most YAML nodes one document may produce once aliases are expanded (alias bombs).
inline constexpr std::size_t k_max_spec_nodes = 100'000;

/// Most problems listed for one file; past that one last Problem says how many were cut.
inline constexpr std::size_t k_max_reported_problems = 200;

/// Deepest nesting of mappings and sequences accepted (aliases included).
inline constexpr int k_max_spec_depth = 100;

/// Load and fully validate `text` against the embedded schema and the semantic rules.
/// `file_name` only labels problems. Pure: never throws, logs or touches the file system.
LoadResult load_spec_text(std::string_view text, const std::string& file_name);

/// As above, with a caller-supplied JSON Schema text (`coltec-validate --schema S`).
/// A schema that does not parse or compile gives one Problem naming the schema.
LoadResult load_spec_text(std::string_view text, const std::string& file_name,
                          std::string_view schema_json);

/// YAML and schema checks only (no semantic rules, `--schema-only`). The returned spec is
/// always empty; only `problems` is meaningful.
LoadResult check_schema_only(std::string_view text, const std::string& file_name,
                             std::string_view schema_json);

/// "file:line:col: path: message" (parts that are unknown are left out); with `color`,
/// the location is bold and the path cyan (ANSI escapes), the text otherwise identical.
std::string format_problem(const Problem& problem, bool color);

/// {"file","line","column","path","message","level":"error"} for JSON-lines output.
nlohmann::json problem_to_json(const Problem& problem);

/// The JSON Schema embedded at build time from schema/workspace-spec.schema.json; the
/// view refers to static storage and is valid for the whole program.
std::string_view schema_text();

}  // namespace coltec
