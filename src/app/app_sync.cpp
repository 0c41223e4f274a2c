// --once, --once --dry-run and the daemon: one io_context holding the scheduler's timer,
// the rclone children's pipes, the watcher's inotify descriptor and the signal set.

#include "app_sync.hpp"

#include <algorithm>
#include <csignal>
#include <ctime>
#include <iostream>

#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <coltec/executor.hpp>
#include <coltec/local_tree.hpp>
#include <coltec/metrics.hpp>
#include <coltec/metrics_file.hpp>
#include <coltec/scheduler.hpp>
#include <coltec/scheduler_driver.hpp>
#include <coltec/version.hpp>
#include <coltec/watcher.hpp>

#include "app_reload.hpp"
#include "app_report.hpp"
#include "app_setup.hpp"

namespace coltec {
namespace {

Outcome outcome_of(RcloneFailure f) {
  switch (f) {
    case RcloneFailure::none:
      return Outcome::ok;
    case RcloneFailure::temporary:
      return Outcome::temporary_failure;
    case RcloneFailure::needs_resync:
      return Outcome::needs_resync;
    case RcloneFailure::refused:
      return Outcome::refused;
    case RcloneFailure::killed:
      return Outcome::cancelled;
    case RcloneFailure::deferred:
      return Outcome::deferred;
    case RcloneFailure::fatal:
      break;
  }
  return Outcome::failure;
}

// What the executor may skip: a run for local changes sends just those where that is safe
// (a shutdown flush too: the grace is short); an interval run of an action the watcher
// covers, with nothing changed locally, only has to look for remote changes.
RunKind kind_of(const RunRequest& request) {
  switch (request.reason) {
    case RunReason::local_change:
    case RunReason::flush:
      return RunKind::local_changes;
    case RunReason::interval:
      return request.local_clean ? RunKind::interval : RunKind::full;
    case RunReason::startup:
    case RunReason::overflow:
    case RunReason::reconcile:
    case RunReason::retry:
    case RunReason::manual:
    case RunReason::once:
      break;
  }
  return RunKind::full;
}

/// The scheduler's view of the executor.
class ExecutorJobRunner final : public JobRunner {
 public:
  ExecutorJobRunner(Executor& executor, Metrics& metrics)
      : m_executor(executor), m_metrics(metrics) {}
  void start(const RunRequest& request, RunDone done) override {
    m_metrics.record_start(request);
    m_executor.run(
        request.action,
        [done = std::move(done)](const SyncReport& s) {
          RunReport r;
          r.outcome = outcome_of(s.failure);
          r.error = s.error;
          r.files = s.stats.transfers + s.restored;
          r.bytes = s.stats.bytes;
          r.duration = s.duration;
          r.conflicts = s.conflicts;
          r.notes = s.notes;
          done(r);
        },
        kind_of(request));
  }
  void cancel(const std::string& action) override { m_executor.cancel(action); }

 private:
  Executor& m_executor;
  Metrics& m_metrics;
};

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

SchedulerConfig scheduler_config(const Options& o, bool once) {
  SchedulerConfig c;
  c.max_parallel = o.max_parallel;
  c.debounce = o.debounce;
  c.max_delay = o.max_delay;
  c.reconcile_every = o.reconcile_every;
  c.once = once;
  return c;
}

}  // namespace

void SyncLoop::write_metrics() {
  if (!options.metrics_file) return;
  metrics.set_actions_status(scheduler->snapshot());
  if (watcher) metrics.set_watches(watcher->watch_count());
  if (const auto w = write_metrics_file(*options.metrics_file, metrics.render()); !w) {
    log.warn("cannot write the metrics file", {{"error", w.error().message}});
  }
}

void SyncLoop::after_run(const std::string& action, const RunReport& report) {
  if (progress) progress->finish(action);
  if (watcher) {
    // A root that was missing at start-up (restored by this run, or mounted late) can be
    // watched now; until then its action was polled on its interval.
    for (const auto& name : watcher->retry_missing_roots()) {
      log.info("now watching a folder that was missing", {{"action", name}});
      scheduler->set_watch_fallback(name, false);
    }
  }
  metrics.record_run(action, report, unix_now());
  if (options.dry_run) return;  // a dry run writes no state: health.json tells real syncs
  write_health_file(prepared.state_dir, planned.plan, *scheduler, log);
  write_metrics();
}

void SyncLoop::build() {
  executor = std::make_unique<Executor>(
      *runner, log, executor_settings(options, planned.plan, env, prepared), planned.plan.actions);
  jobs = std::make_unique<ExecutorJobRunner>(*executor, metrics);
  metrics.set_build_info(k_version, to_string(prepared.caps.version));
  if (once && !options.dry_run && options.log_format == LogFormat::text) {
    // Live progress: a redrawn block on a terminal, a line every 10 s otherwise. It goes
    // where the logs go, so its lines and theirs stay in order.
    ProgressOptions po;
    po.tty = isatty(options.log_stderr ? STDERR_FILENO : STDOUT_FILENO) == 1;
    progress = std::make_unique<ProgressView>(options.log_stderr ? std::cerr : std::cout, po);
    executor->set_progress_handler([this](const std::string& action, const RcloneStats& st) {
      progress->update(action, st, Clock::now());
    });
  }
  scheduler = std::make_unique<Scheduler>(
      job_specs(planned.plan, !once && options.watch), scheduler_config(options, once), *jobs,
      [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); });
  scheduler->set_observer(
      [this](const std::string& action, const RunReport& report) { after_run(action, report); });
  driver = std::make_unique<SchedulerDriver>(io, *scheduler);
  driver->set_on_finished([this] {
    signals.cancel();
    if (watcher) watcher->stop();
    io.stop();
  });
}

ExitCode SyncLoop::run() {
  build();
  if (!once && options.watch) start_watcher();
  for (const int signo : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) signals.add(signo);
  wait_signal();
  log.info(once ? "running every action once" : "daemon started",
           {{"workspace", planned.plan.workspace},
            {"actions", planned.plan.actions.size()},
            {"rclone", to_string(prepared.caps.version)},
            {"state_dir", prepared.state_dir},
            {"dry_run", options.dry_run}});
  if (!options.dry_run) write_metrics();
  driver->start();
  io.run();
  if (progress) progress->clear();
  if (!options.dry_run) write_health_file(prepared.state_dir, planned.plan, *scheduler, log);
  report_unflushed(*scheduler, log);
  if (once) print_summary(*scheduler, options, std::cout);
  if (stop_signal == SIGINT) return ExitCode::interrupted;
  if (stop_signal == SIGTERM) return ExitCode::terminated;
  return once ? exit_code_for(*scheduler) : ExitCode::ok;
}

std::vector<WatchRoot> SyncLoop::usable_watch_roots(const Plan& plan) const {
  auto roots = watch_roots(plan);
  std::erase_if(roots, [&](const WatchRoot& r) {
    const auto it = std::find_if(plan.actions.begin(), plan.actions.end(),
                                 [&](const Action& a) { return a.name == r.action; });
    return it != plan.actions.end() && sync_root_problem(*it, prepared.state_dir).has_value();
  });
  return roots;
}

void SyncLoop::start_watcher() {
  WatcherCallbacks cb;
  cb.on_change = [this](const std::string& a) { scheduler->on_local_change(a, Clock::now()); };
  cb.on_paths = [this](const std::string& a, const std::vector<ChangedPath>& paths, bool complete) {
    executor->note_changes(a, paths, complete);
  };
  cb.on_overflow = [this](const std::string& a) {
    log.warn("filesystem events were lost; one full sync follows", {{"action", a}});
    scheduler->on_overflow(a, Clock::now());
  };
  cb.on_fallback = [this](const std::string& a, const std::string& why) {
    log.warn(why, {{"action", a}});
    scheduler->set_watch_fallback(a, true);
  };
  cb.on_watch_error = [this](const std::string& a, const std::string& why) {
    log.warn(why, {{"action", a}});
  };
  WatcherOptions wo;
  wo.ignored_prefixes = {prepared.state_dir};
  if (options.log_file) wo.ignored_prefixes.push_back(*options.log_file);
  // A bidirectional root's .coltec-sync folder is excluded by its WatchRoot (make_watch_root).
  auto created = Watcher::create(io, std::move(cb), wo);
  if (!created) {
    log.warn("not watching local folders: " + created.error().message);
    // Nothing reports their changes: their interval runs must not be skipped as idle.
    for (const auto& a : planned.plan.actions) scheduler->set_watch_fallback(a.name, true);
    return;
  }
  watcher = std::move(created).value();
  const auto started = Clock::now();
  for (const auto& root : usable_watch_roots(planned.plan)) watcher->add_root(root);
  log.info(
      "watching local folders",
      {{"watches", watcher->watch_count()},
       {"setup_ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()}});
}

void SyncLoop::wait_signal() {
  signals.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    on_signal(signo);
    wait_signal();
  });
}

void SyncLoop::on_signal(int signo) {
  const auto now = Clock::now();
  if (signo == SIGINT || signo == SIGTERM) {
    if (stop_signal != 0) {
      log.warn("second stop signal: stopping at once");
      scheduler->stop_now();
      return;
    }
    stop_signal = signo;
    // Changes made just before the signal may still sit in the inotify queue; read them
    // now so that they are flushed instead of lost.
    if (watcher) watcher->read_pending();
    log.info("stopping: running syncs get the shutdown grace",
             {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"},
              {"grace_ms", options.shutdown_grace.count()}});
    scheduler->request_stop(now, options.shutdown_grace);
  } else if (signo == SIGUSR1) {
    log.info("SIGUSR1: running every action now");
    scheduler->run_all_now(now);
  } else if (signo == SIGHUP) {
    reload();
  }
}

ExitCode run_sync(const Options& options, Logger& log) {
  const bool once = options.mode == Mode::once || options.dry_run;
  if (options.dry_run && options.mode == Mode::daemon) {
    log.info("--dry-run runs a single pass (as --once --dry-run)");
  }
  auto env = current_environment();
  SetupFailure failure;
  auto planned = load_and_plan(options, env, log, &failure);
  if (!planned) {
    log.error(failure.message);
    return failure.code;
  }
  if (!planned->plan.enabled || planned->plan.actions.empty()) {
    log.info(planned->plan.skip_reason.empty() ? "nothing to sync" : planned->plan.skip_reason,
             {{"workspace", planned->plan.workspace}});
    return ExitCode::ok;
  }
  if (options.dry_run) print_plan(planned->plan, std::cout, options);
  auto prepared = prepare(options, planned->plan, env, log, &failure);
  if (!prepared) {
    log.error(failure.message);
    return failure.code;
  }
  if (options.dry_run) print_commands(planned->plan, *prepared, env, std::cout, options);
  SyncLoop loop(options, log, std::move(env), std::move(*planned), std::move(*prepared), once);
  const auto code = loop.run();
  if (options.dry_run) print_dry_run_footer(std::cout, options);
  return code;
}

}  // namespace coltec
