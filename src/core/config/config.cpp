// The loader's pipeline and the two ways problems are printed.

#include <algorithm>
#include <set>
#include <tuple>

#include <coltec/config.hpp>
#include <coltec/schema_text.hpp>

#include "config_internal.hpp"

namespace coltec {
namespace {

using namespace config_detail;

Problem place(const Document& doc, const Issue& issue, const std::string& file) {
  const Loc loc = locate(doc, issue);
  return Problem{display_path(doc.root, issue.pointer, issue.key_shown), file, loc.line, loc.column,
                 issue.message};
}

// Sorted by place; a flood (100k bad entries) is cut so the report stays readable.
void sort_problems(std::vector<Problem>& problems, const std::string& file) {
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return std::tie(a.line, a.column, a.path) < std::tie(b.line, b.column, b.path);
  });
  if (problems.size() <= k_max_reported_problems) return;
  const std::size_t more = problems.size() - k_max_reported_problems;
  problems.resize(k_max_reported_problems);
  problems.push_back(
      Problem{"", file, 0, 0, "... and " + std::to_string(more) + " more problems not shown"});
}

// One problem per field: a semantic rule's sentence replaces the schema's for the same
// field, and a field the schema faults twice is reported once.
void merge(const Document& doc, const std::string& file, const std::vector<Issue>& schema_side,
           const std::vector<Issue>& semantic, std::vector<Problem>& out) {
  std::set<std::string> taken;
  for (const auto& issue : semantic) taken.insert(issue.pointer);
  for (const auto& issue : schema_side) {
    if (taken.insert(issue.pointer).second) out.push_back(place(doc, issue, file));
  }
  for (const auto& issue : semantic) out.push_back(place(doc, issue, file));
}

LoadResult run(std::string_view text, const std::string& file, const CompiledSchema& schema,
               bool rules) {
  LoadResult out;
  if (auto bad = check_text(text, file)) {
    out.problems.push_back(std::move(*bad));
    return out;
  }
  Parsed parsed = parse_yaml(text, file);
  out.problems = std::move(parsed.problems);
  if (parsed.doc) {
    Document& doc = *parsed.doc;
    const nlohmann::json& sj = schema_json(schema);
    normalise(doc, sj);
    std::vector<Issue> schema_side = unknown_keys(doc, sj);
    for (auto& issue : schema_issues(schema, doc)) schema_side.push_back(std::move(issue));
    std::vector<Issue> semantic;
    std::optional<Spec> spec;
    if (rules) {
      spec = build_spec(doc.root);
      semantic = check_rules(*spec, doc.root);
    }
    merge(doc, file, schema_side, semantic, out.problems);
    if (out.problems.empty()) out.spec = std::move(spec);
  }
  sort_problems(out.problems, file);
  return out;
}

LoadResult schema_failure(const std::string& file, const std::string& message) {
  LoadResult out;
  out.problems.push_back(Problem{"", file, 0, 0, "cannot use the schema: " + message});
  return out;
}

LoadResult run_with(std::string_view text, const std::string& file,
                    const Result<std::shared_ptr<const CompiledSchema>>& schema, bool rules) {
  if (!schema) return schema_failure(file, schema.error().message);
  return run(text, file, *schema.value(), rules);
}

}  // namespace

LoadResult load_spec_text(std::string_view text, const std::string& file_name) {
  return run_with(text, file_name, builtin_schema(), true);
}

LoadResult load_spec_text(std::string_view text, const std::string& file_name,
                          std::string_view schema_json) {
  return run_with(text, file_name, compile_schema(schema_json), true);
}

LoadResult check_schema_only(std::string_view text, const std::string& file_name,
                             std::string_view schema_json) {
  return run_with(text, file_name, compile_schema(schema_json), false);
}

std::string format_problem(const Problem& problem, bool color) {
  std::string where = problem.file;
  if (problem.line > 0) {
    where += (where.empty() ? "" : ":") + std::to_string(problem.line);
    if (problem.column > 0) where += ":" + std::to_string(problem.column);
  }
  std::string out;
  if (!where.empty()) out += color ? "\x1b[1m" + where + ":\x1b[0m " : where + ": ";
  if (!problem.path.empty()) {
    out += color ? "\x1b[36m" + problem.path + "\x1b[0m: " : problem.path + ": ";
  }
  return out + problem.message;
}

nlohmann::json problem_to_json(const Problem& problem) {
  return nlohmann::json{{"file", problem.file},       {"line", problem.line},
                        {"column", problem.column},   {"path", problem.path},
                        {"message", problem.message}, {"level", "error"}};
}

std::string_view schema_text() {
  return k_schema_text;
}

}  // namespace coltec
