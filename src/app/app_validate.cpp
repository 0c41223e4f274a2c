// --validate-only / coltec-validate: every problem at once, each with its field path and
// file:line:col; exit 1 when there is any, 0 when the spec is valid.

#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <coltec/config.hpp>
#include <coltec/planner.hpp>
#include <coltec/result.hpp>
#include <coltec/spec_file.hpp>

#include "app_modes.hpp"

namespace coltec {
namespace {

Result<std::string> read_schema(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read schema " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

LoadResult load_for_validation(const Options& o, std::string* schema_error) {
  if (!o.schema_file && !o.schema_only) return load_spec_file(o.config);
  std::string schema(schema_text());
  if (o.schema_file) {
    auto text = read_schema(*o.schema_file);
    if (!text) {
      *schema_error = text.error().message;
      return {};
    }
    schema = *text;
  }
  return load_spec_file(o.config, schema, o.schema_only);
}

// A spec the rules accept can still name a place the planner cannot use (a local remote
// without an absolute folder, say); the daemon would refuse it at start-up, so say so here.
void add_plan_problem(const Options& o, LoadResult& result) {
  if (!result.problems.empty() || !result.spec || o.schema_only) return;
  const auto plan = build_plan(*result.spec, {});
  if (plan) return;
  Problem p;
  p.file = o.config;
  p.message = plan.error().message;
  result.problems.push_back(std::move(p));
}

}  // namespace

ExitCode run_validate(const Options& o, Logger& log) {
  (void)log;
  std::string schema_error;
  auto result = load_for_validation(o, &schema_error);
  add_plan_problem(o, result);
  const bool json = o.log_format == LogFormat::json;
  if (!schema_error.empty()) {
    std::cerr << "error: " << schema_error << "\n";
    return ExitCode::config_error;
  }
  const bool color = !json && isatty(STDERR_FILENO) == 1;
  for (const auto& p : result.problems) {
    if (json) {
      std::cout << problem_to_json(p).dump() << "\n";
    } else {
      std::cerr << format_problem(p, color) << "\n";
    }
  }
  const auto n = result.problems.size();
  if (json) {
    std::cout << nlohmann::json{{"file", o.config}, {"valid", n == 0}, {"problems", n}}.dump()
              << "\n";
  } else if (n == 0) {
    std::cout << "\u2713 configuration valid: " << o.config << "\n";
  } else {
    std::cerr << (color ? "\x1b[31;1m\u2717\x1b[0m" : "\u2717") << " invalid: " << o.config << " ("
              << n << (n == 1 ? " problem" : " problems") << ")\n";
  }
  return n == 0 ? ExitCode::ok : ExitCode::config_error;
}

ExitCode run_print_schema(const Options& /*options*/) {
  std::cout << schema_text();
  return ExitCode::ok;
}

}  // namespace coltec
