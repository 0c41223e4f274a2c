#pragma once
// Private state of the Scheduler, shared by src/scheduler*.cpp only.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <coltec/scheduler.hpp>

namespace coltec {

struct Scheduler::Entry {
  JobSpec spec;

  bool running = false;
  bool cancel_sent = false;
  bool removed = false;  // dropped by replace_jobs; forgotten once its run finishes
  bool flushed = false;  // got its one flush run during a stop
  bool polling = false;  // watcher fallback: never skip interval runs
  std::uint64_t run_id = 0;
  RunReason running_reason = RunReason::interval;
  TimePoint started_at{};

  // The next timed run (startup, interval, retry). Unset while running: it is computed
  // from the outcome when the run finishes.
  std::optional<TimePoint> next_at;
  RunReason next_reason = RunReason::interval;
  // Change- and overflow-triggered runs do not start before this (backoff, hard failure).
  std::optional<TimePoint> hold_until;

  // The debounce window of changes not yet picked up by a run start.
  std::optional<TimePoint> first_change;
  std::optional<TimePoint> last_change;
  bool overflow_pending = false;
  std::optional<TimePoint> manual_at;

  // Every change bumps change_seq; a successful run covers what was seen at its start.
  std::uint64_t change_seq = 0;
  std::uint64_t seq_at_start = 0;
  std::uint64_t synced_seq = 0;

  std::uint32_t consecutive_failures = 0;
  bool unhealthy = false;
  bool needs_attention = false;
  std::optional<Outcome> last_outcome;
  RunReport last_report;
  std::optional<TimePoint> last_success;
  std::optional<TimePoint> last_success_start;
  std::optional<TimePoint> last_attempt;
  std::uint64_t runs = 0;

  bool dirty() const { return change_seq != synced_seq; }
  bool window_open() const { return first_change.has_value(); }
};

// Run completions land here first; callbacks hold a weak_ptr so a late `done` after the
// scheduler is gone is dropped instead of touching freed memory.
struct Scheduler::Inbox {
  struct Item {
    std::string action;
    std::uint64_t run_id = 0;
    RunReport report;
  };
  std::vector<Item> items;
  std::function<void()> wake;
};

// Clamp hostile or nonsensical tuning (0 slots, 0 s backoff, centuries) to safe bounds.
SchedulerConfig clamp_config(SchedulerConfig config);
// Drop duplicate names (first wins), clamp intervals, sort by (priority, order).
std::vector<JobSpec> normalize_jobs(std::vector<JobSpec> jobs);

}  // namespace coltec
