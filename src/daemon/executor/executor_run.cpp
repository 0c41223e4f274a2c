// The driver of a push-only or pull-only run: ask next_oneway_step (oneway_flow.hpp) what to
// do, carry the step out (executor_run_steps.cpp), record what it saw, ask again. Every rclone
// step is started when the previous one ended, on the io_context thread.

#include "executor_run.hpp"

#include <coltec/disk.hpp>
#include <coltec/local_tree.hpp>
#include <coltec/state.hpp>
#include <coltec/text.hpp>

namespace coltec {

// rclone's levels mapped onto ours: at info a run is one start and one end line, so rclone's
// own chatter goes to debug; its errors are worth a warning.
Level level_for_rclone(const RcloneLine& line, bool dry_run) {
  if (line.has_stats) return Level::trace;
  if (line.level == "error") return Level::warn;
  if (dry_run && line.msg.rfind("Skipped ", 0) == 0) return Level::info;
  return Level::debug;
}

Executor::Run::Run(Executor& ex, Action action, bool startup, PendingChanges changes, Done done)
    : m_ex(ex),
      m_action(std::move(action)),
      m_startup(startup),
      m_changes(std::move(changes)),
      m_done(std::move(done)) {}

void Executor::Run::start() {
  m_started = std::chrono::steady_clock::now();
  m_stamp = utc_stamp(m_ex.m_seams.unix_now());
  m_ex.m_log.info("sync started", {{"action", m_action.name},
                                   {"direction", to_string(m_action.direction)},
                                   {"local", m_action.local_path},
                                   {"remote", m_action.remote_spec()}});
  m_progress = first_progress();
  if (!m_progress.root_problem) {
    if (auto names = quick_names()) {
      m_quick_names = std::move(*names);
      m_progress.quick = true;
    }
  }
  advance();
}

OneWayProgress Executor::Run::first_progress() const {
  const auto& settings = m_ex.m_settings;
  OneWayProgress p;
  p.direction = m_action.direction;
  p.dry_run = settings.dry_run;
  p.startup = m_startup;
  p.allow_empty_source = settings.allow_empty_source || settings.safety.allow_empty_source;
  p.force_deletes = settings.force_deletes;
  p.max_delete_percent = settings.safety.max_delete_percent;
  p.expect_mount = m_action.expect_mount;
  p.local_path = m_action.local_path;
  p.remote_spec = m_action.remote_spec();
  // Before anything looks at or touches the folders: a root may have become a symlink to /.
  p.root_problem = sync_root_problem(m_action, settings.state_dir);
  p.prune_due = m_action.direction == Direction::push_only && settings.safety.trash &&
                !settings.dry_run && !trash_root_for(m_action).empty() && trash_prune_due();
  return p;
}

void Executor::Run::cancel() {
  m_cancelled = true;
  if (m_proc) m_proc->terminate(m_ex.m_settings.term_grace);
}

RunContext Executor::Run::context() const {
  RunContext ctx;
  ctx.caps = m_ex.m_settings.caps;
  ctx.config_path = m_ex.m_settings.config_path;
  ctx.dry_run = m_ex.m_settings.dry_run;
  ctx.secrets = m_ex.m_settings.secrets;
  ctx.verbose = m_ex.m_log.enabled(Level::debug);
  ctx.pass_aws_credentials = m_ex.m_settings.pass_aws_credentials;
  return ctx;
}

void Executor::Run::advance() {
  if (m_detached) return;
  const auto next = next_oneway_step(m_progress);
  if (next.held_back && m_report.notes.held_back.count == 0) report_held_back();
  if (next.step == OneWayStep::done) return end(next);
  m_ex.m_log.trace("one-way step", {{"action", m_action.name}, {"step", to_string(next.step)}});
  carry_out(next);
}

void Executor::Run::carry_out(const OneWayNext& next) {
  switch (next.step) {
    case OneWayStep::upload_changed:
      return upload_changed();
    case OneWayStep::inspect:
      return inspect();
    case OneWayStep::probe_remote:
      return probe_remote();
    case OneWayStep::list_remote:
      return list_remote();
    case OneWayStep::make_local_dir:
      return make_local_dir();
    case OneWayStep::restore:
      return restore(next.reason);
    case OneWayStep::precheck:
      return precheck();
    case OneWayStep::upload_listed:
      return upload_listed(next.held_back);
    case OneWayStep::copy_held_back:
      return copy_held_back();
    case OneWayStep::sync:
      return sync(next.max_delete);
    case OneWayStep::mark_pushed:
      return mark_pushed();
    case OneWayStep::prune_trash:
      return prune_trash();
    case OneWayStep::done:
      return end(next);
  }
}

void Executor::Run::end(const OneWayNext& next) {
  switch (next.end) {
    case OneWayEnd::ok:
      return finish(RcloneFailure::none, "");
    case OneWayEnd::skipped:
      warn(next.reason);
      return finish(RcloneFailure::none, "");
    case OneWayEnd::refused:
      return finish(RcloneFailure::refused, next.reason);
  }
}

void Executor::Run::finish(RcloneFailure failure, std::string error) {
  if (m_detached || !m_done) return;
  if (failure != RcloneFailure::none && run_again_without_unreadable(failure)) return;
  m_report.failure = failure;
  m_report.error = std::move(error);
  m_report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - m_started);
  Fields fields{{"action", m_action.name},           {"direction", to_string(m_action.direction)},
                {"result", to_string(failure)},      {"duration_ms", m_report.duration.count()},
                {"files", m_report.stats.transfers}, {"bytes", m_report.stats.bytes},
                {"deletes", m_report.stats.deletes}};
  if (m_report.restored > 0) fields.emplace_back("restored", m_report.restored);
  if (m_report.notes.held_back.count > 0) {
    fields.emplace_back("held_back_deletes", m_report.notes.held_back.count);
  }
  if (failure == RcloneFailure::none) {
    auto told = m_report.notes.warnings;
    if (m_report.notes.held_back.count > 0) told.push_back(m_report.notes.held_back.reason);
    m_ex.m_warned[m_action.name] = std::move(told);
  }
  if (m_ex.m_settings.dry_run) fields.emplace_back("dry_run", true);
  if (failure == RcloneFailure::none) {
    m_ex.m_log.info("sync finished", fields);
  } else {
    fields.emplace_back("error", m_report.error);
    m_ex.m_log.log(failure == RcloneFailure::killed ? Level::warn : Level::error, "sync failed",
                   fields);
  }
  auto done = std::move(m_done);
  m_done = nullptr;
  done(m_report);
}

}  // namespace coltec
