// Graceful and immediate stop, and the end condition of the scheduler.

#include <algorithm>
#include <chrono>

#include <coltec/scheduler.hpp>

#include "scheduler_internal.hpp"

namespace coltec {

void Scheduler::request_stop(TimePoint now, std::chrono::milliseconds grace) {
  if (!m_stopping) {
    m_stopping = true;
    // A negative or absurd grace must neither cancel in the past nor wait for a day.
    grace = std::clamp(grace, std::chrono::milliseconds{0},
                       std::chrono::milliseconds{std::chrono::hours{24}});
    m_deadline = now + grace;
  }
  wake();
  tick(now);
}

void Scheduler::stop_now() {
  m_stopping = true;
  m_hard_stop = true;
  m_deadline_passed = true;
  cancel_running();
  wake();
}

void Scheduler::stop_step(TimePoint now) {
  if (!m_deadline_passed && now >= m_deadline) m_deadline_passed = true;
  if (m_deadline_passed) {
    cancel_running();
    return;
  }
  for (auto& entry : m_entries) {
    if (running_count() >= m_config.max_parallel) return;
    if (flush_candidate(entry)) launch(entry, RunReason::flush, now);
  }
}

void Scheduler::cancel_running() {
  for (auto& entry : m_entries) {
    if (!entry.running || entry.cancel_sent) continue;
    entry.cancel_sent = true;
    // Copy: a runner that reports synchronously only touches the inbox, but the name must
    // stay valid for the whole call either way.
    const std::string name = entry.spec.name;
    m_runner.cancel(name);
  }
}

bool Scheduler::flush_candidate(const Entry& entry) const {
  if (entry.running || entry.removed || entry.flushed) return false;
  // Without a watcher, edits since the last interval run are invisible: a push-only action
  // pushes once more rather than leave them in a container that is going away. Other
  // directions are not guessed at: a bisync cut off by the grace costs a recovery run.
  const bool unwatched_push = !m_config.once && entry.spec.direction == Direction::push_only &&
                              (!entry.spec.event_driven || entry.polling);
  return entry.dirty() || unwatched_push;
}

bool Scheduler::finished() const {
  if (!m_inbox->items.empty() || running_count() > 0) return false;
  if (m_stopping) {
    return m_deadline_passed || std::none_of(m_entries.begin(), m_entries.end(),
                                             [this](const Entry& e) { return flush_candidate(e); });
  }
  if (m_config.once) {
    return m_started && std::all_of(m_entries.begin(), m_entries.end(),
                                    [](const Entry& e) { return e.removed || e.runs > 0; });
  }
  return false;
}

}  // namespace coltec
