#pragma once
// Test doubles shared by tests/unit/scheduler*_test.cpp: a JobRunner that records every
// request and completes runs only when the test says so, plus time helpers.

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/scheduler.hpp>

namespace coltec::testing {

using namespace std::chrono_literals;

/// An arbitrary, fixed origin so tests read as offsets ("t0 + 60s").
inline const TimePoint t0 = TimePoint{} + std::chrono::hours{1000};

class FakeJobRunner : public JobRunner {
 public:
  struct Started {
    RunRequest request;
    TimePoint at;  // the test's clock when start() was called (see `now`)
  };

  /// The test's current time, recorded with each start; tests keep it in step with tick().
  TimePoint now = t0;
  /// When set, start() reports this outcome synchronously.
  std::optional<RunReport> auto_report;
  /// When true, cancel() reports Outcome::cancelled synchronously.
  bool complete_on_cancel = true;

  std::vector<Started> started;
  std::vector<std::string> cancels;
  std::size_t overlaps = 0;
  std::size_t max_concurrent = 0;

  void start(const RunRequest& request, RunDone done) override {
    started.push_back({request, now});
    if (m_running.count(request.action) != 0) ++overlaps;
    if (auto_report) {
      done(*auto_report);
      return;
    }
    m_running[request.action] = std::move(done);
    max_concurrent = std::max(max_concurrent, m_running.size());
  }

  void cancel(const std::string& action) override {
    cancels.push_back(action);
    if (complete_on_cancel)
      finish(action, RunReport{Outcome::cancelled, "cancelled", 0, 0, {}, {}, {}});
  }

  /// Complete the running run of `action`; false when it is not running.
  bool finish(const std::string& action, const RunReport& report = {}) {
    auto it = m_running.find(action);
    if (it == m_running.end()) return false;
    auto done = std::move(it->second);
    m_running.erase(it);
    done(report);
    return true;
  }

  bool fail(const std::string& action, Outcome outcome, const std::string& error = "boom") {
    return finish(action, RunReport{outcome, error, 0, 0, {}, {}, {}});
  }

  bool is_running(const std::string& action) const { return m_running.count(action) != 0; }
  std::size_t running() const { return m_running.size(); }

  std::size_t count(const std::string& action) const {
    return static_cast<std::size_t>(
        std::count_if(started.begin(), started.end(),
                      [&](const Started& s) { return s.request.action == action; }));
  }

  std::size_t count(const std::string& action, RunReason reason) const {
    return static_cast<std::size_t>(
        std::count_if(started.begin(), started.end(), [&](const Started& s) {
          return s.request.action == action && s.request.reason == reason;
        }));
  }

  /// Start times of every run of `action`, as offsets from t0.
  std::vector<std::chrono::milliseconds> times(const std::string& action) const {
    std::vector<std::chrono::milliseconds> out;
    for (const auto& s : started) {
      if (s.request.action == action) {
        out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s.at - t0));
      }
    }
    return out;
  }

  std::vector<std::string> order() const {
    std::vector<std::string> out;
    for (const auto& s : started) out.push_back(s.request.action);
    return out;
  }

 private:
  std::map<std::string, RunDone> m_running;
};

/// A job with the given name, direction and interval; priority 2, order by call site.
inline JobSpec job(std::string name, Direction direction = Direction::bidirectional,
                   std::chrono::seconds interval = std::chrono::seconds{300},
                   std::uint32_t priority = 2, std::size_t order = 0) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.direction = direction;
  spec.interval = interval;
  spec.priority = priority;
  spec.order = order;
  return spec;
}

/// The snapshot entry of `name` (asserting it exists is the caller's job).
inline std::optional<ActionStatus> status_of(const Scheduler& s, const std::string& name) {
  for (auto& st : s.snapshot()) {
    if (st.name == name) return st;
  }
  return std::nullopt;
}

/// A Scheduler plus its fake runner and a test clock kept in step with the runner's.
struct Rig {
  FakeJobRunner runner;
  Scheduler scheduler;
  TimePoint now = t0;

  Rig(std::vector<JobSpec> jobs, SchedulerConfig config, double jitter = 0.5)
      : scheduler(std::move(jobs), config, runner, [jitter] { return jitter; }) {}

  void start() { scheduler.start(now); }
  /// Move the clock to t0 + offset and tick.
  void at(std::chrono::milliseconds offset) {
    now = t0 + offset;
    runner.now = now;
    scheduler.tick(now);
  }
  /// Tick every `step` from the current time up to t0 + `until` inclusive.
  void run_until(std::chrono::milliseconds until, std::chrono::milliseconds step) {
    for (auto t = now - t0 + step; t <= until; t += step)
      at(std::chrono::duration_cast<std::chrono::milliseconds>(t));
  }
  /// Follow next_wakeup() like the driver does, up to t0 + `until`.
  void follow_until(std::chrono::milliseconds until) {
    int stalled = 0;
    for (int guard = 0; guard < 100000; ++guard) {
      const auto next = scheduler.next_wakeup();
      if (!next || *next > t0 + until) return;
      // A wake-up that does not move time forward more than once would be a hot loop.
      stalled = *next <= now ? stalled + 1 : 0;
      if (stalled > 1) {
        ADD_FAILURE() << "next_wakeup() does not advance: hot loop";
        return;
      }
      at(std::chrono::duration_cast<std::chrono::milliseconds>(std::max(*next, now) - t0));
    }
  }
  /// start(), then let every start-up run succeed at t0 (in as many rounds as slots need).
  void start_and_succeed() {
    start();
    while (runner.running() > 0) {
      for (const auto& st : scheduler.snapshot()) runner.finish(st.name);
      at(std::chrono::milliseconds{0});
    }
  }
  std::optional<ActionStatus> status(const std::string& name) const {
    return status_of(scheduler, name);
  }
};

}  // namespace coltec::testing
