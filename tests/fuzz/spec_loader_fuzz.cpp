// libFuzzer target: any bytes through the spec loader (load_spec_text), and a spec it
// accepts through the planner. Besides the sanitizers' findings (crash, leak, undefined
// behaviour, a hang past -timeout, memory past -rss_limit_mb) it checks the loader's
// contract and traps when one breaks:
//   - a Spec comes back exactly when there is no problem;
//   - at most k_max_reported_problems problems, plus the one saying how many were cut;
//   - every problem formats, and its JSON line serialises (invalid UTF-8 would throw);
//   - a problem has a place (line > 0) unless it is about the whole file.
// Regressions: tests/fuzz/crashes/ (and the corpus) run under the unit tests too
// (tests/unit/core/config/config_fuzz_regressions_test.cpp).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <coltec/config.hpp>
#include <coltec/planner.hpp>

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = coltec::load_spec_text(text, "fuzz.yaml");
  check(r.spec.has_value() == r.problems.empty());
  check(r.problems.size() <= coltec::k_max_reported_problems + 1);
  for (const auto& p : r.problems) {
    check(!p.message.empty());
    check(p.line >= 0 && p.column >= 0);
    (void)coltec::format_problem(p, true);
    check(!coltec::problem_to_json(p).dump().empty());  // throws on invalid UTF-8
  }
  if (r.spec) (void)coltec::build_plan(*r.spec, coltec::PlanOptions{});
  return 0;
}
