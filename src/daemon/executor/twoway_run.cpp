// The driver of a two-way run: ask next_step, carry the step out, repeat; the rclone
// children's output; the report.

#include "twoway_run.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <coltec/state.hpp>
#include <coltec/text.hpp>

#include "executor_run.hpp"

namespace coltec {
namespace {

bool quiet_for(TwoWayTrigger trigger) {
  return trigger == TwoWayTrigger::check;
}

}  // namespace

Executor::TwoWayRun::TwoWayRun(Executor& ex, Action action, TwoWayTrigger trigger,
                               PendingChanges changes, Done done)
    : m_ex(ex),
      m_action(std::move(action)),
      m_done(std::move(done)),
      m_changes(std::move(changes)) {
  m_progress.trigger = trigger;
  m_progress.dry_run = m_ex.m_settings.dry_run;
  m_remote_flags = remote_listing_flags(m_action);
}

void Executor::TwoWayRun::start() {
  m_started = std::chrono::steady_clock::now();
  m_stamp = utc_stamp(now());
  // An interval check is most intervals' whole run: it is logged only when it finds work.
  m_ex.m_log.log(quiet_for(m_progress.trigger) ? Level::debug : Level::info, "sync started",
                 {{"action", m_action.name},
                  {"direction", to_string(m_action.direction)},
                  {"local", m_action.local_path},
                  {"remote", m_action.remote_spec()}});
  // Before anything looks at or touches the folders: a root may have become a symlink to /.
  if (const auto why = sync_root_problem(m_action, m_ex.m_settings.state_dir)) {
    return fail(RcloneFailure::refused, *why);
  }
  if (m_action.expect_mount && !m_ex.m_settings.allow_empty_source &&
      !m_ex.m_settings.safety.allow_empty_source && !disk().is_mount_point(m_action.local_path)) {
    return fail(RcloneFailure::refused, unmounted_refusal(m_action.local_path));
  }
  load_state();
  if (m_progress.trigger == TwoWayTrigger::local_changes && !plan_quick()) {
    m_progress.trigger = TwoWayTrigger::full;
  }
  if (m_progress.quick && m_progress.plan && m_progress.plan->empty()) {
    // Every reported change is already what the baseline holds (often our own downloads).
    return finish(TwoWayStop::unchanged);
  }
  advance();
}

void Executor::TwoWayRun::cancel() {
  m_cancelled = true;
  // Nothing a two-way step does leaves a half file under a real name, so a plain stop is safe.
  if (m_proc) m_proc->terminate(m_ex.m_settings.term_grace);
  for (const auto& p : m_listing_procs) {
    if (p) p->terminate(m_ex.m_settings.term_grace);
  }
}

void Executor::TwoWayRun::advance() {
  if (m_detached) return;
  const auto next = next_step(m_progress);
  if (next.step == TwoWayStep::done) return finish(next.stop);
  // Once stopped, the only step still taken is releasing our claim (so other daemons need
  // not wait for it to expire).
  if (m_cancelled && !m_progress.failed) {
    return fail(RcloneFailure::killed, "stopped before " + std::string(to_string(next.step)));
  }
  m_ex.m_log.trace("two-way step", {{"action", m_action.name}, {"step", to_string(next.step)}});
  carry_out(next.step);
}

void Executor::TwoWayRun::carry_out(TwoWayStep step) {
  switch (step) {
    case TwoWayStep::list_control:
      return list_control();
    case TwoWayStep::list_sides:
      return list_sides();
    case TwoWayStep::claim:
      return claim();
    case TwoWayStep::verify_claim:
      return verify_claim();
    case TwoWayStep::hash_local:
      return hash_local();
    case TwoWayStep::fetch:
      return fetch();
    case TwoWayStep::apply_local:
      return apply_local();
    case TwoWayStep::upload:
      return upload();
    case TwoWayStep::delete_remote:
      return delete_remote();
    case TwoWayStep::lookup_uploaded:
      return lookup_uploaded();
    case TwoWayStep::owe_generation:
      return owe_generation();
    case TwoWayStep::save_baseline:
      return save_baseline();
    case TwoWayStep::write_generation:
      return write_generation();
    case TwoWayStep::release:
      return release();
    case TwoWayStep::done:
      return finish(TwoWayStop::none);
  }
}

RunContext Executor::TwoWayRun::context() const {
  RunContext ctx;
  ctx.caps = m_ex.m_settings.caps;
  ctx.config_path = m_ex.m_settings.config_path;
  ctx.secrets = m_ex.m_settings.secrets;
  ctx.verbose = m_ex.m_log.enabled(Level::debug);
  ctx.pass_aws_credentials = m_ex.m_settings.pass_aws_credentials;
  return ctx;
}

void Executor::TwoWayRun::exec(const Invocation& inv, const char* step,
                               std::chrono::milliseconds timeout, Next next) {
  auto child = std::make_shared<Child>();
  auto self = shared_from_this();
  m_proc = m_ex.m_runner.start(
      m_ex.rclone_process(m_action.name, inv, step, timeout),
      [self, child](OutputStream stream, const std::string& line) {
        self->on_line(*child, stream, line);
      },
      [self, child, step, timeout, next = std::move(next)](const ProcessResult& result) {
        self->m_proc.reset();
        if (self->m_detached) return;
        child->proc = result;
        child->facts.exit_code = result.exit_code;
        child->facts.term_signal = result.term_signal;
        if (result.spawn_failed) {
          return self->fail(RcloneFailure::fatal, "cannot start rclone: " + result.spawn_error);
        }
        if (self->m_cancelled && !self->m_progress.failed) {
          return self->fail(RcloneFailure::killed, fmt::format("stopped during {}", step));
        }
        if (result.timed_out) {
          return self->fail(RcloneFailure::temporary,
                            fmt::format("{} timed out after {} s", step, timeout.count() / 1000));
        }
        next(*child);
      });
}

void Executor::TwoWayRun::on_line(Child& child, OutputStream stream, const std::string& line) {
  if (stream == OutputStream::out) {
    if (auto entry = parse_lsjson_line(line); entry && !entry->is_dir) {
      child.entries.push_back(std::move(*entry));
    }
    return;
  }
  const auto parsed = parse_rclone_line(line);
  observe_rclone_line(child.facts, parsed);
  if (auto problem = parse_listing_problem(line)) child.problems.push_back(std::move(*problem));
  if (parsed.json && parsed.level == "error" && !parsed.object.empty()) {
    child.failed_objects[parsed.object] = parsed.msg;
  }
  m_ex.take_stats(m_action.name, parsed, line, child.stats);
  auto level = level_for_rclone(parsed, m_ex.m_settings.dry_run);
  // A side that does not exist yet is an answer the step handles (rc 3), not a problem.
  if (parsed.msg.find("directory not found") != std::string::npos) level = Level::debug;
  m_ex.log_rclone_line(m_action.name, parsed, level);
}

bool Executor::TwoWayRun::step_failed(Child& child, const char* what) {
  const auto failure = classify_rclone_run(child.facts);
  if (failure == RcloneFailure::none) return false;
  fail(failure,
       fmt::format("{} failed: {}", what, failure_detail(child.facts, child.proc.exit_code)));
  return true;
}

bool Executor::TwoWayRun::failed_as_a_whole(Child& child, const std::vector<std::string>& files,
                                            const char* what) {
  if (child.proc.exit_code == 0) return false;
  const bool only_files =
      !child.failed_objects.empty() &&
      std::all_of(child.failed_objects.begin(), child.failed_objects.end(), [&](const auto& f) {
        return std::find(files.begin(), files.end(), f.first) != files.end();
      });
  return !only_files && step_failed(child, what);
}

void Executor::TwoWayRun::fail(RcloneFailure failure, std::string error) {
  if (m_failure == RcloneFailure::none) {
    m_failure = failure;
    m_error = std::move(error);
  }
  m_progress.failed = true;
  advance();  // releases our claim, if we hold one, then finishes
}

void Executor::TwoWayRun::warn(std::string message) {
  m_ex.m_log.warn(message, {{"action", m_action.name}});
  m_report.notes.warnings.push_back(std::move(message));
}

void Executor::TwoWayRun::leave_for_later(std::string message) {
  m_left_work = true;
  warn(std::move(message));
}

std::string Executor::TwoWayRun::write_list(const char* name,
                                            const std::vector<std::string>& paths) {
  std::string text;
  for (const auto& p : paths) text += p + "\n";
  const auto dir = m_ex.m_settings.state_dir + "/tmp";
  auto path = dir + "/" + m_action.name + "." + name;
  if (auto made = disk().make_dirs(dir); !made) return "";
  if (auto written = disk().write_file(path, text); !written) return "";
  return path;
}

void Executor::TwoWayRun::finish(TwoWayStop stop) {
  if (m_detached || !m_done) return;
  if (stop == TwoWayStop::unchanged) m_report.unchanged = true;
  if (stop == TwoWayStop::deferred && m_failure == RcloneFailure::none) {
    m_failure = RcloneFailure::deferred;
    const auto other = first_other_claim(
        m_claim_state ? *m_claim_state : m_progress.control.value_or(ControlState{}),
        m_ex.m_settings.owner_id, now());
    m_error = "another daemon (" + (other ? other->owner : std::string("?")) +
              ") is syncing this remote path; trying again shortly";
  }
  if (stop == TwoWayStop::refused && m_failure == RcloneFailure::none && m_progress.plan) {
    m_failure = RcloneFailure::refused;
    m_error = m_progress.plan->refusal.value_or("refused");
  }
  m_report.failure = m_failure;
  m_report.error = m_error;
  m_report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - m_started);
  log_finished(m_report, stop);
  auto done = std::move(m_done);
  m_done = nullptr;
  done(m_report);
}

void Executor::TwoWayRun::log_finished(const SyncReport& r, TwoWayStop stop) {
  Fields fields{{"action", m_action.name},        {"direction", to_string(m_action.direction)},
                {"result", to_string(r.failure)}, {"duration_ms", r.duration.count()},
                {"files", r.stats.transfers},     {"bytes", r.stats.bytes},
                {"deletes", r.stats.deletes}};
  if (!m_made_conflicts.empty()) fields.emplace_back("new_conflicts", m_made_conflicts.size());
  if (!r.conflicts.empty()) fields.emplace_back("conflicts", r.conflicts.size());
  if (r.notes.held_back.count > 0)
    fields.emplace_back("held_back_deletes", r.notes.held_back.count);
  if (m_ex.m_settings.dry_run) fields.emplace_back("dry_run", true);
  if (r.failure == RcloneFailure::none) {
    const bool idle = stop == TwoWayStop::unchanged && quiet_for(m_progress.trigger);
    m_ex.m_log.log(
        idle ? Level::debug : Level::info,
        stop == TwoWayStop::unchanged ? "sync finished: nothing changed" : "sync finished", fields);
    return;
  }
  fields.emplace_back("error", r.error);
  const bool mild = r.failure == RcloneFailure::killed || r.failure == RcloneFailure::deferred ||
                    r.failure == RcloneFailure::refused;
  m_ex.m_log.log(mild ? Level::warn : Level::error, "sync failed", fields);
}

std::optional<std::string> Executor::TwoWayRun::local(const std::string& root,
                                                      const std::string& name) const {
  auto bytes = local_name_of(name);
  if (!bytes) return std::nullopt;
  return root + "/" + *bytes;
}

std::string Executor::TwoWayRun::staging_dir() const {
  return m_action.local_path + "/" + k_control_dir + "/staging-" + m_stamp;
}

std::string Executor::TwoWayRun::backup_dir() const {
  return m_ex.m_settings.state_dir + "/restore-backup/" + m_action.name + "/" + m_stamp;
}

std::string Executor::TwoWayRun::trash_dir() const {
  const auto sibling = trash_dir_for(m_action, m_stamp);
  return sibling.empty() ? control_dir() + "/trash/" + m_stamp : sibling;
}

std::string Executor::TwoWayRun::baseline_path() const {
  return marker_path(m_ex.m_settings.state_dir, m_action.name, ".baseline");
}

}  // namespace coltec
