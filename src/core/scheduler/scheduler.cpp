// The scheduling core: start, tick and the choice of what is due. Completions are applied
// in scheduler_outcome.cpp, external events in scheduler_events.cpp, stopping in
// scheduler_stop.cpp.

#include <algorithm>
#include <utility>

#include <coltec/scheduler.hpp>

#include "scheduler_internal.hpp"

namespace coltec {

Scheduler::Scheduler(std::vector<JobSpec> jobs, SchedulerConfig config, JobRunner& runner,
                     std::function<double()> jitter)
    : m_config(clamp_config(config)),
      m_runner(runner),
      m_jitter(std::move(jitter)),
      m_inbox(std::make_shared<Inbox>()) {
  for (auto& spec : normalize_jobs(std::move(jobs))) {
    Entry entry;
    entry.spec = std::move(spec);
    m_entries.push_back(std::move(entry));
  }
}

Scheduler::~Scheduler() = default;

void Scheduler::start(TimePoint now) {
  if (m_started) return;
  m_started = true;
  for (auto& entry : m_entries) {
    entry.next_at = now;
    entry.next_reason = m_config.once ? RunReason::once : RunReason::startup;
  }
  tick(now);
}

void Scheduler::tick(TimePoint now) {
  m_last_tick = now;
  // A runner may report synchronously from start() or cancel(); such completions are applied
  // in the same tick. The pass limit keeps a runner that always fails at once from spinning.
  for (std::size_t pass = 0; pass <= m_entries.size(); ++pass) {
    drain(now);
    if (m_stopping) {
      stop_step(now);
    } else if (m_started) {
      launch_ready(now);
    }
    if (m_inbox->items.empty()) return;
  }
}

void Scheduler::drain(TimePoint now) {
  auto items = std::move(m_inbox->items);
  m_inbox->items.clear();
  for (const auto& item : items) {
    auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) {
      return e.running && e.run_id == item.run_id && e.spec.name == item.action;
    });
    // A second `done` for the same run, or one for a forgotten action, is ignored.
    if (it != m_entries.end()) complete(*it, item.report, now);
  }
  std::erase_if(m_entries, [](const Entry& e) { return e.removed && !e.running; });
}

void Scheduler::launch_ready(TimePoint now) {
  for (auto& entry : m_entries) {
    if (!entry.running && !entry.removed && entry.next_at && *entry.next_at <= now &&
        entry.next_reason == RunReason::interval) {
      skip_idle_interval(entry, now);
    }
  }
  // m_entries is in priority order, so scarce slots go to the most important actions.
  for (auto& entry : m_entries) {
    if (running_count() >= m_config.max_parallel) return;
    if (entry.running || entry.removed) continue;
    const auto d = due(entry);
    if (d && d->at <= now) launch(entry, d->reason, now);
  }
}

void Scheduler::skip_idle_interval(Entry& entry, TimePoint now) const {
  // Only an action that the watcher covers knows that nothing changed locally (in polling
  // fallback it may have unseen changes). Pull-only actions have nothing local to know.
  if (entry.spec.direction == Direction::pull_only || !entry.spec.event_driven || entry.polling ||
      entry.dirty()) {
    return;
  }
  if (!entry.last_success_start || now - *entry.last_success_start >= m_config.reconcile_every) {
    entry.next_reason = RunReason::reconcile;
    return;
  }
  // A bidirectional action still runs: the run looks only at the remote's generation.
  if (entry.spec.direction == Direction::bidirectional) return;
  const auto behind = now - *entry.next_at;
  const auto steps = behind / entry.spec.interval + 1;
  *entry.next_at += steps * entry.spec.interval;
}

void Scheduler::launch(Entry& entry, RunReason reason, TimePoint now) {
  entry.running = true;
  entry.cancel_sent = false;
  entry.run_id = m_next_run_id++;
  entry.running_reason = reason;
  entry.started_at = now;
  entry.last_attempt = now;
  // A run syncs the whole tree, so it covers every trigger recorded before it started.
  entry.seq_at_start = entry.change_seq;
  entry.next_at.reset();
  entry.hold_until.reset();
  entry.manual_at.reset();
  entry.first_change.reset();
  entry.last_change.reset();
  entry.overflow_pending = false;
  if (reason == RunReason::flush) entry.flushed = true;

  RunRequest request{entry.spec.name, reason, entry.consecutive_failures + 1,
                     entry.spec.event_driven && !entry.polling && !entry.dirty()};
  std::weak_ptr<Inbox> weak = m_inbox;
  m_runner.start(request,
                 [weak, name = entry.spec.name, id = entry.run_id](const RunReport& report) {
                   const auto inbox = weak.lock();
                   if (!inbox) return;
                   inbox->items.push_back({name, id, report});
                   if (inbox->wake) inbox->wake();
                 });
}

std::optional<Scheduler::Due> Scheduler::due(const Entry& entry) const {
  std::optional<Due> best;
  const auto consider = [&](TimePoint at, RunReason reason) {
    if (!best || at < best->at) best = Due{at, reason};
  };
  if (entry.manual_at) consider(*entry.manual_at, RunReason::manual);
  if (entry.next_at) consider(*entry.next_at, entry.next_reason);
  if (entry.window_open()) {
    TimePoint at =
        std::min(*entry.last_change + m_config.debounce, *entry.first_change + m_config.max_delay);
    if (entry.hold_until) at = std::max(at, *entry.hold_until);
    consider(at, entry.overflow_pending ? RunReason::overflow : RunReason::local_change);
  }
  return best;
}

std::optional<TimePoint> Scheduler::next_wakeup() const {
  if (!m_inbox->items.empty()) return m_last_tick.value_or(TimePoint{});
  if (m_hard_stop) return std::nullopt;
  if (m_stopping) {
    if (!m_deadline_passed && running_count() > 0) return m_deadline;
    return std::nullopt;
  }
  // With every slot taken only a completion can start something, and it wakes us.
  if (!m_started || running_count() >= m_config.max_parallel) return std::nullopt;
  std::optional<TimePoint> next;
  for (const auto& entry : m_entries) {
    if (entry.running || entry.removed) continue;
    const auto d = due(entry);
    if (d && (!next || d->at < *next)) next = d->at;
  }
  return next;
}

void Scheduler::set_wake_callback(std::function<void()> wake) {
  m_inbox->wake = std::move(wake);
}

void Scheduler::wake() const {
  if (m_inbox->wake) m_inbox->wake();
}

Scheduler::Entry* Scheduler::find(const std::string& name) {
  for (auto& entry : m_entries) {
    if (!entry.removed && entry.spec.name == name) return &entry;
  }
  return nullptr;
}

std::size_t Scheduler::running_count() const {
  return static_cast<std::size_t>(
      std::count_if(m_entries.begin(), m_entries.end(), [](const Entry& e) { return e.running; }));
}

}  // namespace coltec
