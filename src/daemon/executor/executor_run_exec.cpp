// The mechanics shared by every step of a run: starting rclone, reading its output as it
// arrives, and the small state files that survive restarts.

#include <filesystem>

#include <fmt/format.h>

#include <coltec/state.hpp>

#include "executor_run.hpp"

namespace coltec {

namespace fs = std::filesystem;

void Executor::Run::exec(const Invocation& inv, const char* step, std::chrono::milliseconds timeout,
                         Next next, const std::vector<int>& extra_fds) {
  if (m_cancelled) {
    finish(RcloneFailure::killed, fmt::format("stopped before {}", step));
    return;
  }
  auto spec = m_ex.rclone_process(m_action.name, inv, step, timeout);
  spec.keep_fds.insert(spec.keep_fds.end(), extra_fds.begin(), extra_fds.end());
  auto state = std::make_shared<Step>();
  auto self = shared_from_this();
  m_proc = m_ex.m_runner.start(
      spec,
      [self, state](OutputStream stream, const std::string& line) {
        self->on_line(*state, stream, line);
      },
      [self, state, step, timeout, next = std::move(next)](const ProcessResult& result) {
        self->m_proc.reset();
        if (self->m_detached) return;
        state->proc = result;
        state->facts.exit_code = result.exit_code;
        state->facts.term_signal = result.term_signal;
        if (result.spawn_failed) {
          return self->finish(RcloneFailure::fatal, "cannot start rclone: " + result.spawn_error);
        }
        if (self->m_cancelled) {
          return self->finish(RcloneFailure::killed, fmt::format("stopped during {}", step));
        }
        if (result.timed_out) {
          // The step's own limit: a check gives up long before a transfer would.
          return self->finish(RcloneFailure::temporary,
                              fmt::format("{} timed out after {} s", step, timeout.count() / 1000));
        }
        next(*state);
      });
}

void Executor::Run::on_line(Step& step, OutputStream stream, const std::string& line) {
  if (stream == OutputStream::out) {
    // lsjson prints one object per line; counting them avoids holding a huge listing.
    if (!line.empty() && line.front() == '{') ++step.objects;
    return;
  }
  const auto parsed = parse_rclone_line(line);
  observe_rclone_line(step.facts, parsed);
  step.tally.add(line);
  m_ex.take_stats(m_action.name, parsed, line, step.stats);
  auto level = level_for_rclone(parsed, m_ex.m_settings.dry_run);
  if (m_quiet_step && level == Level::warn) level = Level::debug;
  if (auto unreadable = parse_unreadable(parsed)) {
    m_found_unreadable.insert(std::move(*unreadable));
    level = Level::debug;  // the run names it in its own warning when it skips it
  }
  m_ex.log_rclone_line(m_action.name, parsed, level);
}

bool Executor::Run::step_failed(Step& step, const char* what) {
  const auto failure = classify_rclone_run(step.facts);
  if (failure == RcloneFailure::none) return false;
  finish(failure,
         fmt::format("{} failed: {}", what, failure_detail(step.facts, step.proc.exit_code)));
  return true;
}

bool Executor::Run::has_marker(const char* suffix) const {
  return coltec::has_marker(m_ex.m_settings.state_dir, m_action.name, suffix);
}

void Executor::Run::set_marker(const char* suffix, bool present) const {
  const auto& dir = m_ex.m_settings.state_dir;
  if (present && has_marker(suffix)) return;
  // A marker that cannot be written only costs a pre-check that was not needed (".pushed")
  // or an early trash pruning; one that cannot be removed is reported the same way.
  const auto done = present ? write_marker(dir, m_action.name, suffix)
                            : remove_marker(dir, m_action.name, suffix);
  if (!done) {
    m_ex.m_log.warn("cannot record the action's state",
                    {{"action", m_action.name}, {"error", done.error().message}});
  }
}

}  // namespace coltec
