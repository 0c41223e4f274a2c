// Benchmark helper (not a test, not built by CMake): loads one workspace spec and times the
// loader (load_spec_file: YAML -> JSON -> schema -> Spec -> rules) and the pure planner
// (build_plan) separately. Prints one JSON object with per-call medians and p90s in µs.
// Usage: plan_bench SPEC [LOAD_RUNS] [PLAN_RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <coltec/planner.hpp>
#include <coltec/spec_file.hpp>

namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  double median_us = 0;
  double p90_us = 0;
  double min_us = 0;
};

Summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  Summary s;
  s.min_us = v.front();
  s.median_us = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  s.p90_us = v[std::min(n - 1, (n * 9 + 9) / 10 - 1)];
  return s;
}

template <typename F>
std::vector<double> time_calls(int runs, F&& f) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    f();
    const auto t1 = Clock::now();
    out.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: plan_bench SPEC [LOAD_RUNS] [PLAN_RUNS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int load_runs = argc > 2 ? std::atoi(argv[2]) : 20;
  const int plan_runs = argc > 3 ? std::atoi(argv[3]) : 100;

  auto loaded = coltec::load_spec_file(path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "spec does not load: %zu problems\n", loaded.problems.size());
    return 1;
  }
  const coltec::Spec spec = *loaded.spec;
  const coltec::PlanOptions options;
  std::size_t actions = 0;
  bool plan_ok = true;

  const auto load = summarize(time_calls(load_runs, [&] {
    auto r = coltec::load_spec_file(path);
    plan_ok = plan_ok && r.ok();
  }));
  const auto plan = summarize(time_calls(plan_runs, [&] {
    auto r = coltec::build_plan(spec, options);
    plan_ok = plan_ok && r.ok();
    if (r.ok()) actions = r->actions.size();
  }));
  if (!plan_ok) {
    std::fprintf(stderr, "a load or a plan failed\n");
    return 1;
  }
  std::printf(
      "{\"actions\": %zu, \"load_runs\": %d, \"load_median_us\": %.1f, \"load_p90_us\": %.1f, "
      "\"load_min_us\": %.1f, \"plan_runs\": %d, \"plan_median_us\": %.1f, "
      "\"plan_p90_us\": %.1f, \"plan_min_us\": %.1f}\n",
      actions, load_runs, load.median_us, load.p90_us, load.min_us, plan_runs, plan.median_us,
      plan.p90_us, plan.min_us);
  return 0;
}
