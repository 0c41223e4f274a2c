// External events: watcher changes and overflows, SIGUSR1, SIGHUP reloads, observers and
// the snapshot. Events only record; the next tick acts on them.

#include <algorithm>
#include <utility>

#include <coltec/scheduler.hpp>

#include "scheduler_internal.hpp"

namespace coltec {

void Scheduler::on_local_change(const std::string& action, TimePoint now) {
  Entry* entry = find(action);
  if (!entry || m_config.once || entry->spec.direction == Direction::pull_only) return;
  ++entry->change_seq;
  if (!entry->first_change) entry->first_change = now;
  entry->last_change = std::max(now, entry->last_change.value_or(now));
  wake();
}

void Scheduler::on_overflow(const std::string& action, TimePoint now) {
  Entry* entry = find(action);
  if (!entry || m_config.once || entry->spec.direction == Direction::pull_only) return;
  if (entry->overflow_pending) return;
  entry->overflow_pending = true;
  on_local_change(action, now);
}

void Scheduler::set_watch_fallback(const std::string& action, bool polling) {
  if (Entry* entry = find(action)) {
    entry->polling = polling;
    wake();
  }
}

void Scheduler::run_all_now(TimePoint now) {
  if (m_config.once || m_stopping) return;
  for (auto& entry : m_entries) {
    if (!entry.removed && !entry.manual_at) entry.manual_at = now;
  }
  wake();
}

void Scheduler::set_observer(
    std::function<void(const std::string& action, const RunReport&)> observer) {
  m_observer = std::move(observer);
}

void Scheduler::replace_jobs(std::vector<JobSpec> jobs, TimePoint now) {
  std::vector<Entry> next;
  for (auto& spec : normalize_jobs(std::move(jobs))) {
    Entry* old = find(spec.name);
    Entry entry;
    if (old) {
      entry = std::move(*old);
      old->spec.name.clear();  // moved out; must not match a later name or be kept
      old->removed = true;
      old->running = false;
      if (entry.last_attempt && entry.next_at && entry.next_reason == RunReason::interval) {
        entry.next_at = std::max(now, *entry.last_attempt + spec.interval);
      }
      if (spec.direction == Direction::pull_only) {
        entry.first_change.reset();
        entry.last_change.reset();
        entry.overflow_pending = false;
        entry.synced_seq = entry.change_seq;
      }
    } else if (m_started) {
      entry.next_at = now;
      entry.next_reason = m_config.once ? RunReason::once : RunReason::startup;
    }
    entry.spec = std::move(spec);
    next.push_back(std::move(entry));
  }
  // Removed actions that still run stay until their report arrives, then drain() drops them.
  for (auto& entry : m_entries) {
    if (entry.removed || !entry.running) continue;
    entry.removed = true;
    next.push_back(std::move(entry));
  }
  m_entries = std::move(next);
  wake();
}

std::vector<ActionStatus> Scheduler::snapshot() const {
  std::vector<ActionStatus> out;
  for (const auto& entry : m_entries) {
    ActionStatus status;
    status.name = entry.spec.name;
    status.direction = entry.spec.direction;
    status.running = entry.running;
    if (entry.running) status.running_reason = entry.running_reason;
    status.last_outcome = entry.last_outcome;
    status.last_error = entry.last_report.error;
    status.last_report = entry.last_report;
    status.consecutive_failures = entry.consecutive_failures;
    status.last_success = entry.last_success;
    status.last_attempt = entry.last_attempt;
    if (!entry.running && !entry.removed && !m_stopping) {
      if (const auto d = due(entry)) {
        status.next_run = d->at;
        status.next_reason = d->reason;
      }
    }
    status.pending_changes = entry.dirty();
    status.unhealthy = entry.unhealthy;
    status.needs_attention = entry.needs_attention;
    status.polling_fallback = entry.polling;
    status.removed = entry.removed;
    status.runs = entry.runs;
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace coltec
