// Text → Document: runs yaml-cpp's event parser over the text and turns every exception
// it or the builder throws into a Problem with file:line:col.

#include <exception>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "config_yaml_events.hpp"

namespace coltec::config_detail {
namespace {

Problem problem_at(const std::string& file, Loc loc, std::string message) {
  return Problem{"", file, loc.line, loc.column, std::move(message)};
}

std::string kind_of(const nlohmann::json& v) {
  if (v.is_array()) return "a sequence";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  return "a " + std::string(v.type_name());
}

bool indented_with_tab(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 0; i < line && start != std::string_view::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return false;
  for (std::size_t i = start; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i) {
    if (text[i] == '\t') return true;
  }
  return false;
}

// yaml-cpp's messages are terse; say what the usual cause is.
std::string syntax_message(const std::string& msg, std::string_view text, const YAML::Mark& mark) {
  if (msg.find("tab") != std::string::npos ||
      (!mark.is_null() && indented_with_tab(text, mark.line))) {
    return "a tab is used for indentation; YAML indents with spaces only (" + msg + ")";
  }
  return "YAML syntax error: " + msg;
}

// Only a second document with content is refused: a trailing `---` is harmless.
void check_single_document(YAML::Parser& parser, Counters& counters, const std::string& file,
                           Parsed& out) {
  Document extra;
  std::vector<RawProblem> ignored;
  EventBuilder second(extra, ignored, counters);
  if (!parser.HandleNextDocument(second) || extra.root.is_null()) return;
  out.problems.push_back(problem_at(
      file, second.document_start(),
      "the file holds more than one YAML document; a workspace spec is exactly one mapping"));
}

void check_root(const Document& doc, const std::string& file, Parsed& out) {
  if (doc.root.is_null()) {
    out.problems.push_back(problem_at(
        file, Loc{1, 1},
        "the workspace spec is empty; it must be a mapping with at least `name` and `metadata`"));
  } else if (!doc.root.is_object()) {
    const auto it = doc.values.find("");
    const Loc loc = it == doc.values.end() ? Loc{1, 1} : it->second;
    out.problems.push_back(
        problem_at(file, loc,
                   "the document must be a mapping of keys (name, metadata, persistence, …) "
                   "but is " +
                       kind_of(doc.root)));
  }
}

void run_parser(std::istream& in, const std::string& file, Document& doc, Parsed& out) {
  Counters counters;
  std::vector<RawProblem> raw;
  YAML::Parser parser(in);
  EventBuilder builder(doc, raw, counters);
  const bool any = parser.HandleNextDocument(builder);
  for (auto& p : raw) {
    out.problems.push_back(Problem{display_path(doc.root, p.pointer), file, p.loc.line,
                                   p.loc.column, std::move(p.message)});
  }
  if (any) check_single_document(parser, counters, file, out);
}

}  // namespace

Parsed parse_yaml(std::string_view text, const std::string& file) {
  Parsed out;
  Document doc;
  std::istringstream in{std::string(text)};
  try {
    run_parser(in, file, doc, out);
  } catch (const LimitError& e) {
    out.problems.push_back(problem_at(file, e.loc, e.message));
    return out;
  } catch (const YAML::DeepRecursion& e) {
    out.problems.push_back(problem_at(
        file, Loc{e.mark.line + 1, e.mark.column + 1},
        "mappings and sequences are nested too deeply for the YAML parser; the limit is " +
            std::to_string(k_max_spec_depth) + " levels"));
    return out;
  } catch (const YAML::Exception& e) {
    const Loc loc = e.mark.is_null() ? Loc{} : Loc{e.mark.line + 1, e.mark.column + 1};
    out.problems.push_back(problem_at(file, loc, syntax_message(e.msg, text, e.mark)));
    return out;
  } catch (const std::exception& e) {
    out.problems.push_back(problem_at(file, Loc{}, std::string("cannot parse: ") + e.what()));
    return out;
  }
  const std::size_t before = out.problems.size();
  check_root(doc, file, out);
  if (out.problems.size() == before) out.doc = std::move(doc);
  return out;
}

}  // namespace coltec::config_detail
