#include "executor_run.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <coltec/disk.hpp>
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
  // Before anything looks at or touches the folders: a root may have become a symlink to /.
  if (const auto why = sync_root_problem(m_action, m_ex.m_settings.state_dir)) {
    finish(RcloneFailure::refused, *why);
    return;
  }
  quick_push_possible() ? quick_push() : inspect();
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

void Executor::Run::inspect() {
  const bool allow_empty =
      m_ex.m_settings.allow_empty_source || m_ex.m_settings.safety.allow_empty_source;
  if (m_action.expect_mount && !allow_empty && !is_mount_point(m_action.local_path)) {
    finish(RcloneFailure::refused,
           "the local folder " + m_action.local_path +
               " should be a mounted volume (the spec mounts it) but nothing is mounted there; "
               "refusing to sync an unmounted folder. Use --allow-empty-source to sync anyway");
    return;
  }
  skip_unreadable();  // before the inspection: what rclone cannot read is not synced
  m_local = inspect_local(m_action.local_path, m_action.exclude);
  if (m_action.direction == Direction::pull_only) {
    precheck();
    return;
  }
  if (m_local.exists && m_local.files > 0) {
    if (!m_ex.m_settings.dry_run && !has_marker(".pushed")) {
      probe_remote();  // a first push: an empty destination needs no delete pre-check
    } else {
      precheck();
    }
    return;
  }
  list_remote();
}

void Executor::Run::probe_remote() {
  m_quiet_step = true;  // "directory not found" is an answer here, not a problem
  exec(build_probe(m_action.remote_spec(), context(), m_ex.m_settings.env), "probe remote",
       m_ex.m_settings.check_timeout, [this](Step& step) {
         m_quiet_step = false;
         const bool missing = step.proc.exit_code == 3;  // "directory not found"
         if (!missing && step_failed(step, "looking at the remote")) return;
         if (!missing && step.objects > 0) return precheck();
         // Nothing there, so nothing can be deleted: the dry run would only repeat the
         // listing. --max-delete 0 still stops the sync if files appear on the remote
         // between this look and the run.
         m_ex.m_log.debug("the remote is empty: first push without a delete pre-check",
                          {{"action", m_action.name}});
         m_max_delete = 0;
         main_run();
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
         decide_sources(remote);
       });
}

void Executor::Run::decide_sources(const SideState& remote) {
  SourceCheck check;
  check.direction = m_action.direction;
  check.local = m_local;
  check.remote = remote;
  check.startup = m_startup;
  check.allow_empty_source =
      m_ex.m_settings.allow_empty_source || m_ex.m_settings.safety.allow_empty_source;
  const auto decision = check_sources(check);
  if (decision.verdict == Verdict::refuse) {
    finish(RcloneFailure::refused, decision.reason);
    return;
  }
  if (!m_local.exists && !m_ex.m_settings.dry_run) {
    if (auto made = m_ex.m_disk->make_dirs(m_action.local_path); !made) {
      finish(RcloneFailure::fatal,
             "cannot create local folder " + m_action.local_path + ": " + made.error().message);
      return;
    }
  }
  if (decision.verdict == Verdict::restore_first) {
    m_ex.m_log.info(m_ex.m_settings.dry_run ? "would restore from the remote first"
                                            : "restoring from the remote first",
                    {{"action", m_action.name}, {"reason", decision.reason}});
    if (!m_ex.m_settings.dry_run) {
      restore();
      return;
    }
  }
  precheck();
}

void Executor::Run::restore() {
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
    m_local.exists = true;
    precheck();
  });
}

void Executor::Run::precheck() {
  if (m_ex.m_settings.dry_run) {
    main_run();
    return;
  }
  auto ctx = context();
  ctx.dry_run = true;
  const auto inv = build_invocation(m_action, ctx, m_ex.m_settings.env);
  // A pull's dry run also tells whether the remote exists: there "directory not found" is
  // an answer, not a problem to log.
  m_quiet_step = m_action.direction == Direction::pull_only;
  exec(inv, "delete pre-check", m_ex.m_settings.check_timeout, [this](Step& step) {
    m_quiet_step = false;
    after_precheck(step);
  });
}

void Executor::Run::after_precheck(Step& step) {
  skip_unreadable_copies(step.tally);  // before rclone moves their remote copies to the trash
  const bool pull = m_action.direction == Direction::pull_only;
  const bool remote_missing = pull && step.proc.exit_code == 3;  // "directory not found"
  if (!remote_missing && step_failed(step, "the dry-run pre-check")) return;
  if (pull && !pull_source_ok(step, remote_missing)) return;
  if (step.tally.nothing_to_do()) {
    // The dry run already compared both sides; running the sync again would only repeat
    // the listing (and its S3 requests) to do nothing.
    m_report.stats = step.stats;
    if (m_action.direction == Direction::push_only) set_marker(".pushed", true);
    return finish(RcloneFailure::none, "");
  }
  const auto plan = step.tally.plan();
  const auto pct = m_ex.m_settings.safety.max_delete_percent;
  const auto cap = check_delete_cap(plan, pct, m_ex.m_settings.force_deletes);
  if (cap.verdict == Verdict::refuse) return hold_back_deletes(step.tally);
  if (m_action.direction == Direction::push_only && upload_listed_only(step.tally)) {
    // Nothing to delete and a few files to send: send those, without listing both sides
    // again. What changes after the pre-check is the next run's, as for any sync.
    return upload_files(step.tally.copy_objects, "upload what the pre-check found", true);
  }
  // Deletions that appear between the pre-check and the run still stop at the cap.
  m_max_delete =
      m_ex.m_settings.force_deletes
          ? std::nullopt
          : std::optional<std::uint64_t>(std::max(plan.deletes, plan.dest_files * pct / 100U));
  main_run();
}

void Executor::Run::main_run() {
  auto ctx = context();
  ctx.max_delete = m_max_delete;
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
    // From now on the remote holds files: later pushes skip the emptiness probe. A stale
    // marker only means a pre-check that was not needed.
    if (m_action.direction == Direction::push_only && !m_ex.m_settings.dry_run) {
      set_marker(".pushed", true);
    }
    prune_trash();
  });
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
  const auto root = trash_root_for(m_action);
  if (m_action.direction != Direction::push_only || !m_ex.m_settings.safety.trash ||
      m_ex.m_settings.dry_run || root.empty() || !trash_prune_due()) {
    finish(RcloneFailure::none, "");
    return;
  }
  // Recorded in the state dir (the marker's mtime), so that a series of --once runs prunes
  // daily too instead of on every run. A marker that cannot be written means pruning again.
  // (A new file each time, renamed over the old one, so its mtime is now.)
  (void)write_marker(m_ex.m_settings.state_dir, m_action.name, ".trash-pruned");
  const auto inv = build_trash_cleanup(root, m_ex.m_settings.safety.trash_retention_days, context(),
                                       m_ex.m_settings.env);
  m_quiet_step = true;  // a trash folder that does not exist yet is not an error
  exec(inv, "trash retention", m_ex.m_settings.check_timeout, [this](Step& step) {
    m_quiet_step = false;
    if (step.proc.exit_code != 0 && step.proc.exit_code != 3) {
      m_ex.m_log.warn("could not prune the trash folder; will try again tomorrow",
                      {{"action", m_action.name}, {"error", step.facts.last_error}});
    }
    finish(RcloneFailure::none, "");  // the sync itself succeeded
  });
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
