// SIGHUP: the new spec is read, checked and prepared while the loop keeps running (rclone
// obscure runs on the loop's own io_context, so timers, inotify and SIGTERM are never
// blocked); then it replaces the old one whole, or the old one stays whole and the log says
// why. Applying it gives every part its share of the one new plan at the same moment:
// the rclone config and the executor's settings (safety values, credentials, secrets), the
// executor's actions, the scheduler's jobs and the watcher's roots.

#include "app_reload.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include <coltec/action_views.hpp>
#include <coltec/rclone_command.hpp>
#include <coltec/state.hpp>
#include <coltec/text.hpp>

#include "app_report.hpp"
#include "app_sync.hpp"

namespace coltec {

WatchRootChanges diff_watch_roots(const std::vector<WatchRoot>& before,
                                  const std::vector<WatchRoot>& after) {
  const auto holds = [](const std::vector<WatchRoot>& roots, const WatchRoot& root) {
    return std::find(roots.begin(), roots.end(), root) != roots.end();
  };
  WatchRootChanges changes;
  for (const auto& root : before) {
    if (!holds(after, root)) changes.removed.push_back(root.action);
  }
  for (const auto& root : after) {
    if (!holds(before, root)) changes.added.push_back(root);
  }
  return changes;
}

std::vector<WatchRoot> watch_roots(const Plan& plan) {
  std::vector<WatchRoot> roots;
  for (const auto& a : plan.actions) {
    if (a.direction != Direction::pull_only) roots.push_back(make_watch_root(a));
  }
  return roots;
}

std::vector<JobSpec> job_specs(const Plan& plan, bool event_driven) {
  std::vector<JobSpec> jobs;
  for (const auto& a : plan.actions) jobs.push_back(job_spec_from(a, event_driven));
  return jobs;
}

ExecutorSettings executor_settings(const Options& o, const Plan& plan, const EnvMap& env,
                                   const Prepared& prepared) {
  ExecutorSettings s;
  s.caps = prepared.caps;
  s.config_path = prepared.config_path;
  if (prepared.config_file) s.keep_fds.push_back(prepared.config_file->fd());
  s.state_dir = prepared.state_dir;
  s.bisync_workdir = bisync_workdir(prepared.state_dir);
  s.env = env;
  s.secrets = prepared.secrets;
  s.pass_aws_credentials = prepared.pass_aws;
  s.dry_run = o.dry_run;
  s.safety = plan.safety;
  s.allow_empty_source = o.allow_empty_source;
  s.force_deletes = o.force_deletes;
  s.owner_id = prepared.owner_id;
  return s;
}

std::optional<std::string> reload_blocker(const Plan& current, const Plan& next) {
  if (next.workspace != current.workspace) {
    return "the workspace name changed from '" + current.workspace + "' to '" + next.workspace +
           "', which moves the state directory and its lock; restart the daemon to apply it";
  }
  return std::nullopt;
}

std::vector<std::string> merged_secrets(std::vector<std::string> before,
                                        const std::vector<std::string>& after) {
  before.insert(before.end(), after.begin(), after.end());
  return Redactor(std::move(before)).secrets();
}

std::vector<std::string> passwords_to_obscure(const Plan& plan, const ObscuredPasswords& known) {
  std::vector<std::string> vars;
  for (auto& var : passwords_needed(plan.remotes)) {
    if (known.count(var) == 0) vars.push_back(std::move(var));
  }
  return vars;
}

void apply_log_secrets(Logger& log, const std::vector<std::string>& secrets) {
  log.set_secrets(secrets);
  if (Redactor(secrets).has_secret_shorter_than(4)) {
    log.warn(
        "a secret is shorter than 4 characters; every log line shows *** wherever that "
        "text appears, so some lines will be hard to read");
  }
}

namespace {

// One `rclone obscure` after another; the state lives as long as a child runs.
struct ObscureChain : std::enable_shared_from_this<ObscureChain> {
  ObscureChain(ProcessRunner& runner_in, std::vector<std::string> vars_in, const EnvMap& env_in,
               std::function<void(Result<ObscuredPasswords>)> done_in)
      : runner(runner_in), vars(std::move(vars_in)), env(env_in), done(std::move(done_in)) {}

  void next() {
    if (index == vars.size()) return done(std::move(obscured));
    const auto& var = vars[index];
    const auto it = env.find(var);
    if (it == env.end() || it->second.empty()) {
      return done(make_error("crypt password variable " + var + " is not set"));
    }
    ProcessSpec spec;
    spec.argv = obscure_argv();
    spec.env = child_environment(env);
    spec.stdin_data = it->second;  // stdin, never argv: the plain password stays private
    spec.timeout = std::chrono::seconds(30);
    out.clear();
    auto self = shared_from_this();
    runner.start(
        spec,
        [self](OutputStream s, const std::string& line) {
          if (s == OutputStream::out && self->out.size() < 4096) self->out += line;
        },
        [self](const ProcessResult& r) { self->finished(r); });
  }

  void finished(const ProcessResult& result) {
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (result.exit_code != 0 || out.empty()) {
      return done(make_error("rclone obscure failed for " + vars[index]));
    }
    obscured.emplace(vars[index], out);
    ++index;
    next();
  }

  ProcessRunner& runner;
  std::vector<std::string> vars;
  const EnvMap env;
  std::function<void(Result<ObscuredPasswords>)> done;
  ObscuredPasswords obscured;
  std::size_t index = 0;
  std::string out;
};

}  // namespace

void obscure_passwords_async(ProcessRunner& runner, std::vector<std::string> vars,
                             const EnvMap& env,
                             std::function<void(Result<ObscuredPasswords>)> done) {
  std::make_shared<ObscureChain>(runner, std::move(vars), env, std::move(done))->next();
}

Result<ObscuredPasswords> obscure_passwords_now(const std::vector<std::string>& vars,
                                                const EnvMap& env) {
  if (vars.empty()) return ObscuredPasswords{};
  boost::asio::io_context io;
  auto runner = make_process_runner(io);
  std::optional<Result<ObscuredPasswords>> result;
  obscure_passwords_async(*runner, vars, env,
                          [&result](Result<ObscuredPasswords> r) { result.emplace(std::move(r)); });
  io.run();
  if (!result) return make_error("rclone obscure did not finish");
  return std::move(*result);
}

void SyncLoop::reload() {
  if (once) return;
  if (reloading) {
    reload_again = true;
    log.info("SIGHUP: a reload is in progress; the spec is read again when it is done");
    return;
  }
  SetupFailure failure;
  auto next = load_and_plan(options, env, log, &failure);
  if (!next) {
    log.error("SIGHUP: the new spec is not valid; keeping the old one",
              {{"error", failure.message}});
    return;
  }
  if (const auto why = reload_blocker(planned.plan, next->plan)) {
    log.error("SIGHUP: the new spec cannot be applied while running; keeping the old one",
              {{"error", *why}});
    return;
  }
  reloading = true;
  obscure_passwords_async(
      *runner, passwords_to_obscure(next->plan, prepared.obscured), env,
      [this, next = std::move(*next)](const Result<ObscuredPasswords>& o) mutable {
        finish_reload(std::move(next), o);
      });
}

void SyncLoop::finish_reload(Planned next, const Result<ObscuredPasswords>& obscured) {
  reloading = false;
  if (scheduler->stopping()) {
    log.info("SIGHUP: stopping, so the new spec is not applied");
    return;
  }
  if (!obscured) {
    log.error("SIGHUP: cannot prepare the new remotes; keeping the old spec",
              {{"error", obscured.error().message}});
  } else {
    prepared.obscured.insert(obscured->begin(), obscured->end());
    apply_plan(std::move(next));
  }
  if (std::exchange(reload_again, false)) reload();
}

void SyncLoop::apply_plan(Planned next) {
  const auto previous_secrets = prepared.secrets;
  std::string error;
  // Every obscured password is known by now, so this runs no process. It writes the config
  // atomically and touches `prepared` only when it succeeds.
  if (!write_rclone_config(next.plan, env, prepared, &error)) {
    log.error("SIGHUP: cannot apply the new remotes; keeping the old spec", {{"error", error}});
    return;
  }
  prepared.secrets = merged_secrets(previous_secrets, prepared.secrets);
  apply_log_secrets(log, prepared.secrets);
  executor->replace_settings(executor_settings(options, next.plan, env, prepared));
  executor->replace_actions(next.plan.actions);
  // Jobs first: a root added below may fall back to polling at once, and the scheduler must
  // know its action by then.
  scheduler->replace_jobs(job_specs(next.plan, watcher != nullptr), Clock::now());
  const auto changes =
      diff_watch_roots(usable_watch_roots(planned.plan), usable_watch_roots(next.plan));
  if (watcher) apply_watch_changes(changes);
  planned = std::move(next);
  log.info("SIGHUP: spec reloaded", {{"actions", planned.plan.actions.size()},
                                     {"watch_roots_removed", changes.removed.size()},
                                     {"watch_roots_added", changes.added.size()},
                                     {"watches", watcher ? watcher->watch_count() : 0}});
  if (!planned.plan.enabled || planned.plan.actions.empty()) {
    log.info("SIGHUP: the new spec syncs nothing; idle until the next reload or stop",
             {{"reason", planned.plan.skip_reason}});
  }
  write_health_file(prepared.state_dir, planned.plan, *scheduler, log);
  write_metrics();
}

void SyncLoop::apply_watch_changes(const WatchRootChanges& changes) {
  for (const auto& action : changes.removed) watcher->remove_root(action);
  for (const auto& root : changes.added) {
    // A changed root starts afresh: it is watched again unless add_root says otherwise.
    scheduler->set_watch_fallback(root.action, false);
    watcher->add_root(root);
  }
}

}  // namespace coltec
