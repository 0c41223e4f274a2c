// Job and config normalisation, and the names of the scheduler's enums.

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include <coltec/scheduler.hpp>

#include "scheduler_internal.hpp"

namespace coltec {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Upper bounds keep every TimePoint sum far from overflowing the nanosecond clock.
constexpr seconds k_max_interval = hours{24 * 366};
constexpr milliseconds k_max_window = hours{24};
constexpr seconds k_max_backoff = hours{24};

template <typename Duration>
Duration clamp_duration(Duration value, Duration low, Duration high) {
  return std::clamp(value, low, high);
}

}  // namespace

SchedulerConfig clamp_config(SchedulerConfig config) {
  config.max_parallel = std::max<std::size_t>(config.max_parallel, 1);
  config.debounce = clamp_duration(config.debounce, milliseconds{0}, k_max_window);
  config.max_delay = clamp_duration(config.max_delay, milliseconds{0}, k_max_window);
  config.reconcile_every = clamp_duration(config.reconcile_every, seconds{0}, k_max_interval);
  config.backoff_base = clamp_duration(config.backoff_base, seconds{1}, k_max_backoff);
  config.backoff_cap = clamp_duration(config.backoff_cap, config.backoff_base, k_max_backoff);
  return config;
}

std::vector<JobSpec> normalize_jobs(std::vector<JobSpec> jobs) {
  std::vector<JobSpec> out;
  std::set<std::string> seen;
  for (auto& job : jobs) {
    if (!seen.insert(job.name).second) continue;
    job.interval = clamp_duration(job.interval, seconds{1}, k_max_interval);
    out.push_back(std::move(job));
  }
  std::stable_sort(out.begin(), out.end(), [](const JobSpec& a, const JobSpec& b) {
    return std::pair{a.priority, a.order} < std::pair{b.priority, b.order};
  });
  return out;
}

const char* to_string(RunReason reason) {
  switch (reason) {
    case RunReason::startup:
      return "startup";
    case RunReason::interval:
      return "interval";
    case RunReason::local_change:
      return "local_change";
    case RunReason::overflow:
      return "overflow";
    case RunReason::reconcile:
      return "reconcile";
    case RunReason::retry:
      return "retry";
    case RunReason::manual:
      return "manual";
    case RunReason::flush:
      return "flush";
    case RunReason::once:
      return "once";
  }
  return "unknown";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::temporary_failure:
      return "temporary_failure";
    case Outcome::failure:
      return "failure";
    case Outcome::refused:
      return "refused";
    case Outcome::needs_resync:
      return "needs_resync";
    case Outcome::cancelled:
      return "cancelled";
    case Outcome::deferred:
      return "deferred";
  }
  return "unknown";
}

}  // namespace coltec
