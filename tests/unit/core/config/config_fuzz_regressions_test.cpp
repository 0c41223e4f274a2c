// Every input the fuzz target ever crashed on (tests/fuzz/crashes/), and its whole corpus,
// through the same checks as tests/fuzz/spec_loader_fuzz.cpp, in the ASan+UBSan unit run:
// a fixed crash stays fixed even where nobody runs the fuzzer.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/config.hpp>
#include <coltec/planner.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs(const char* folder) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(COLTEC_SOURCE_DIR) / "tests/fuzz" / folder;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_contract(const fs::path& input) {
  SCOPED_TRACE(input.string());
  const auto r = load_spec_text(test::read_file(input), "fuzz.yaml");
  EXPECT_EQ(r.spec.has_value(), r.problems.empty());
  // At most the cap, plus the line that says how many more there were.
  const std::size_t reported = r.problems.size();
  const std::size_t cap = k_max_reported_problems + 1;
  EXPECT_LE(reported, cap);
  for (const auto& p : r.problems) {
    EXPECT_FALSE(p.message.empty());
    EXPECT_GE(p.line, 0);
    EXPECT_GE(p.column, 0);
    EXPECT_FALSE(format_problem(p, true).empty());
    EXPECT_NO_THROW((void)problem_to_json(p).dump());
  }
  if (r.spec) (void)build_plan(*r.spec, PlanOptions{});
}

TEST(ConfigFuzzRegressions, EveryCrashInputIsHandled) {
  for (const auto& input : inputs("crashes")) check_contract(input);
}

TEST(ConfigFuzzRegressions, TheCorpusKeepsTheContract) {
  const auto corpus = inputs("corpus");
  EXPECT_GE(corpus.size(), 15U);  // seeded with tests/data/*.yaml
  for (const auto& input : corpus) check_contract(input);
}

}  // namespace
}  // namespace coltec
