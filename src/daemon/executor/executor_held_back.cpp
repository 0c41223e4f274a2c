// When the delete cap refuses a push-only or pull-only sync's deletions, the run still copies
// everything new and changed (rclone copy never deletes; a push keeps its trash for what it
// overwrites) and reports the deletions it held back. New work is never left without a copy
// on the other side because of deletions somewhere else (next_oneway_step chooses the copy).
// And the warnings a run carries.

#include <algorithm>

#include <fmt/format.h>

#include "executor_run.hpp"

namespace coltec {

void Executor::Run::report_held_back() {
  const auto& safety = m_ex.m_settings.safety;
  m_report.notes.held_back = coltec::held_back_deletes(m_progress.precheck->tally, m_action,
                                                       safety.max_delete_percent, safety.trash);
  const auto& held = m_report.notes.held_back;
  // A warning the first time; while the same deletions wait, every run's "sync finished"
  // line still says held_back_deletes=N, and status keeps them under needs attention.
  const auto& told = m_ex.m_warned[m_action.name];
  const bool repeated = std::find(told.begin(), told.end(), held.reason) != told.end();
  m_ex.m_log.log(repeated ? Level::debug : Level::warn,
                 "deletions held back by the delete cap; copying new and changed files",
                 {{"action", m_action.name},
                  {"held_back_deletes", held.count},
                  {"files", fmt::format("{}", fmt::join(held.files, ", "))},
                  {"reason", held.reason}});
}

void Executor::Run::copy_held_back() {
  const bool push = m_action.direction == Direction::push_only;
  auto ctx = context();
  if (push && m_ex.m_settings.safety.trash) {
    const auto trash = trash_dir_for(m_action, m_stamp);
    if (!trash.empty()) ctx.backup_dir = trash;  // what the copy overwrites stays recoverable
  }
  const auto& local = m_action.local_path;
  const auto remote = m_action.remote_spec();
  const auto inv =
      build_copy(push ? local : remote, push ? remote : local, m_action, ctx, m_ex.m_settings.env);
  exec(inv, "copy (deletions held back)", m_ex.m_settings.run_timeout, [this](Step& step) {
    if (step_failed(step, "copying new and changed files")) return;
    m_report.stats = step.stats;
    m_progress.transferred = true;
    advance();
  });
}

void Executor::Run::warn(const std::string& warning) {
  m_report.notes.warnings.push_back(warning);
  // Said once per daemon: a pull-only prefix nobody has pushed to yet is normal, and would
  // otherwise repeat on every interval. `status` shows it for as long as it holds.
  const auto& told = m_ex.m_warned[m_action.name];
  const bool repeated = std::find(told.begin(), told.end(), warning) != told.end();
  m_ex.m_log.log(repeated ? Level::debug : Level::warn, warning, {{"action", m_action.name}});
}

}  // namespace coltec
