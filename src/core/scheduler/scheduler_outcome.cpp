// What a finished run means for the next one: intervals, retries with backoff, health.

#include <algorithm>
#include <chrono>
#include <cmath>

#include <coltec/scheduler.hpp>

#include "scheduler_internal.hpp"

namespace coltec {

void Scheduler::complete(Entry& entry, const RunReport& report, TimePoint now) {
  entry.running = false;
  entry.cancel_sent = false;
  ++entry.runs;
  entry.last_outcome = report.outcome;
  entry.last_report = report;
  if (report.outcome == Outcome::ok) {
    entry.consecutive_failures = 0;
    entry.unhealthy = false;
    // Held-back deletions wait for a person's decision, although nothing new is at risk.
    entry.needs_attention = report.notes.needs_attention();
    entry.synced_seq = entry.seq_at_start;
    entry.last_success = now;
    entry.last_success_start = entry.started_at;
    entry.next_at = interval_after(entry, now);
    entry.next_reason = RunReason::interval;
  } else if (report.outcome == Outcome::cancelled) {
    // Cancelling is our own doing (stop, reload), not evidence about the remote.
    entry.next_at = interval_after(entry, now);
    entry.next_reason = RunReason::interval;
  } else if (report.outcome == Outcome::deferred) {
    // Another daemon is syncing the same remote path: nothing is wrong, try again soon.
    entry.next_at = now + jittered(m_config.defer_delay);
    entry.next_reason = RunReason::retry;
  } else {
    ++entry.consecutive_failures;
    schedule_after_failure(entry, report.outcome, now);
  }
  if (m_config.once) entry.next_at.reset();
  if (m_observer) m_observer(entry.spec.name, report);
}

void Scheduler::schedule_after_failure(Entry& entry, Outcome outcome, TimePoint now) {
  const TimePoint at_interval = interval_after(entry, now);
  entry.next_at = at_interval;
  entry.next_reason = RunReason::interval;
  // Changes wait for the next timed run, so a broken remote is not hammered by a busy
  // editor; only `refused` lets changes through, because the guard re-checks cheaply and
  // the change may be the very thing that makes it safe again.
  entry.hold_until = at_interval;
  switch (outcome) {
    case Outcome::temporary_failure:
      if (!m_config.once && entry.consecutive_failures <= m_config.max_retries) {
        entry.next_at = now + backoff(entry.consecutive_failures);
        entry.next_reason = RunReason::retry;
        entry.hold_until = entry.next_at;
        return;
      }
      entry.unhealthy = true;
      return;
    case Outcome::failure:
      entry.unhealthy = true;
      return;
    case Outcome::refused:
      entry.needs_attention = true;
      entry.hold_until.reset();
      return;
    case Outcome::needs_resync:
      entry.needs_attention = true;
      return;
    case Outcome::ok:
    case Outcome::cancelled:
    case Outcome::deferred:
      return;
  }
}

TimePoint Scheduler::interval_after(const Entry& entry, TimePoint now) const {
  // Fixed rate from the run's start; a run that overran its interval gets a full interval
  // of rest instead of a burst of catch-up runs.
  const TimePoint next = entry.started_at + entry.spec.interval;
  return next > now ? next : now + entry.spec.interval;
}

std::chrono::milliseconds Scheduler::backoff(std::uint32_t failures) {
  using std::chrono::milliseconds;
  const milliseconds cap = m_config.backoff_cap;
  milliseconds delay = m_config.backoff_base;
  for (std::uint32_t i = 1; i < failures && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  return jittered(delay);
}

std::chrono::milliseconds Scheduler::jittered(std::chrono::milliseconds delay) {
  double jitter = m_jitter ? m_jitter() : 0.0;
  if (!std::isfinite(jitter) || jitter < 0.0) jitter = 0.0;
  jitter = std::min(jitter, 1.0);
  const double factor = 0.5 + jitter / 2.0;
  return std::chrono::milliseconds{std::llround(static_cast<double>(delay.count()) * factor)};
}

}  // namespace coltec
