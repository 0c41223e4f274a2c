// The steps of a push-only or pull-only run, one function each: run rclone (or look at the
// disk), record what it saw in m_progress, and hand back to advance(). What comes next, and
// every guard, is next_oneway_step's (oneway_flow.hpp); a step that fails ends the run.

#include <fmt/format.h>

#include <coltec/disk.hpp>
#include <coltec/state.hpp>

#include "executor_run.hpp"

namespace coltec {

void Executor::Run::inspect() {
  OneWayInspection seen;
  auto& disk = *m_ex.m_disk;
  if (m_action.expect_mount) seen.mounted = disk.is_mount_point(m_action.local_path);
  skip_unreadable();  // before the inspection: what rclone cannot read is not synced
  seen.local = disk.inspect(m_action.local_path, m_action.exclude);
  seen.pushed_before = has_marker(".pushed");
  m_progress.inspection = seen;
  advance();
}

void Executor::Run::probe_remote() {
  m_quiet_step = true;  // "directory not found" is an answer here, not a problem
  exec(build_probe(m_action.remote_spec(), context(), m_ex.m_settings.env), "probe remote",
       m_ex.m_settings.check_timeout, [this](Step& step) {
         m_quiet_step = false;
         const bool missing = step.proc.exit_code == 3;  // "directory not found"
         if (!missing && step_failed(step, "looking at the remote")) return;
         m_progress.probed = missing ? 0 : step.objects;
         if (*m_progress.probed == 0) {
           m_ex.m_log.debug("the remote is empty: first push without a delete pre-check",
                            {{"action", m_action.name}});
         }
         advance();
       });
}

void Executor::Run::list_remote() {
  exec(build_listing(m_action.remote_spec(), context(), m_ex.m_settings.env, m_action.exclude),
       "list remote", m_ex.m_settings.check_timeout, [this](Step& step) {
         SideState remote{true, step.objects};
         if (step.proc.exit_code == 3) {
           remote = {false, 0};  // "directory not found": nothing there
         } else if (step_failed(step, "listing the remote")) {
           return;
         }
         m_progress.remote = remote;
         advance();
       });
}

void Executor::Run::make_local_dir() {
  if (auto made = m_ex.m_disk->make_dirs(m_action.local_path); !made) {
    return finish(RcloneFailure::fatal, "cannot create local folder " + m_action.local_path + ": " +
                                            made.error().message);
  }
  m_progress.local_dir_made = true;
  advance();
}

void Executor::Run::restore(const std::string& reason) {
  const bool dry = m_ex.m_settings.dry_run;
  m_ex.m_log.info(dry ? "would restore from the remote first" : "restoring from the remote first",
                  {{"action", m_action.name}, {"reason", reason}});
  if (dry) {
    m_progress.restored = true;  // a dry run only says what it would do
    return advance();
  }
  const auto inv = build_copy(m_action.remote_spec(), m_action.local_path, m_action, context(),
                              m_ex.m_settings.env);
  m_quiet_step = true;  // a missing remote folder is expected here; the outcome says the rest
  exec(inv, "restore", m_ex.m_settings.run_timeout, [this](Step& step) {
    m_quiet_step = false;
    // rc 3: the remote folder does not exist yet, so there is nothing to restore.
    if (step.proc.exit_code != 3 && step_failed(step, "restoring from the remote")) return;
    m_report.restored += step.stats.transfers;
    m_ex.m_log.log(
        step.stats.transfers > 0 ? Level::info : Level::debug, "restored from the remote",
        {{"action", m_action.name}, {"files", step.stats.transfers}, {"bytes", step.stats.bytes}});
    m_progress.restored = true;
    advance();
  });
}

void Executor::Run::precheck() {
  auto ctx = context();
  ctx.dry_run = true;
  const auto inv = build_invocation(m_action, ctx, m_ex.m_settings.env);
  // A pull's dry run also tells whether the remote exists: there "directory not found" is
  // an answer, not a problem to log.
  const bool pull = m_action.direction == Direction::pull_only;
  m_quiet_step = pull;
  exec(inv, "delete pre-check", m_ex.m_settings.check_timeout, [this, pull](Step& step) {
    m_quiet_step = false;
    skip_unreadable_copies(step.tally);  // before rclone moves their remote copies to the trash
    const bool remote_missing = pull && step.proc.exit_code == 3;  // "directory not found"
    if (!remote_missing && step_failed(step, "the dry-run pre-check")) return;
    // A pre-check that found nothing to do stands in for the sync: its stats are the run's.
    if (step.tally.nothing_to_do()) m_report.stats = step.stats;
    m_progress.precheck = OneWayPrecheck{remote_missing, std::move(step.tally)};
    advance();
  });
}

void Executor::Run::sync(std::optional<std::uint64_t> max_delete) {
  auto ctx = context();
  ctx.max_delete = max_delete;
  if (m_action.direction == Direction::push_only && m_ex.m_settings.safety.trash &&
      !m_ex.m_settings.dry_run) {
    const auto trash = trash_dir_for(m_action, m_stamp);
    if (!trash.empty()) ctx.backup_dir = trash;
  }
  const auto inv = build_invocation(m_action, ctx, m_ex.m_settings.env);
  exec(inv, "sync", m_ex.m_settings.run_timeout, [this](Step& step) {
    m_report.stats = step.stats;
    const auto failure = classify_rclone_run(step.facts);
    if (failure != RcloneFailure::none) {
      return finish(failure, step.facts.last_error.empty()
                                 ? fmt::format("rclone exited with code {}", step.proc.exit_code)
                                 : step.facts.last_error);
    }
    m_progress.transferred = true;
    advance();
  });
}

void Executor::Run::mark_pushed() {
  // From now on the remote holds files: later pushes skip the emptiness probe. A stale
  // marker only means a pre-check that was not needed.
  set_marker(".pushed", true);
  m_progress.marked_pushed = true;
  advance();
}

bool Executor::Run::trash_prune_due() const {
  const auto marker =
      m_ex.m_disk->stat(marker_path(m_ex.m_settings.state_dir, m_action.name, ".trash-pruned"));
  if (marker.kind != EntryKind::file) return true;
  constexpr std::int64_t k_hour = 3600;
  const auto age = m_ex.m_seams.unix_now() - marker.state.mtime_ns / 1'000'000'000;
  // A marker from the future (a clock that was set back) must not postpone pruning forever.
  return age > 24 * k_hour || age < -k_hour;
}

void Executor::Run::prune_trash() {
  // Recorded in the state dir (the marker's mtime), so that a series of --once runs prunes
  // daily too instead of on every run. A marker that cannot be written means pruning again.
  // (A new file each time, renamed over the old one, so its mtime is now.)
  (void)write_marker(m_ex.m_settings.state_dir, m_action.name, ".trash-pruned");
  const auto inv =
      build_trash_cleanup(trash_root_for(m_action), m_ex.m_settings.safety.trash_retention_days,
                          context(), m_ex.m_settings.env);
  m_quiet_step = true;  // a trash folder that does not exist yet is not an error
  exec(inv, "trash retention", m_ex.m_settings.check_timeout, [this](Step& step) {
    m_quiet_step = false;
    if (step.proc.exit_code != 0 && step.proc.exit_code != 3) {
      m_ex.m_log.warn("could not prune the trash folder; will try again tomorrow",
                      {{"action", m_action.name}, {"error", step.facts.last_error}});
    }
    m_progress.pruned = true;  // the sync itself succeeded either way
    advance();
  });
}

}  // namespace coltec
