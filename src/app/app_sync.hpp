#pragma once
// Private to app: the parts of --once, --once --dry-run and the daemon that live while the
// loop runs (app_sync.cpp builds and runs them; app_reload.cpp applies SIGHUP reloads).

#include <memory>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <coltec/cli.hpp>
#include <coltec/executor.hpp>
#include <coltec/exit_code.hpp>
#include <coltec/logging.hpp>
#include <coltec/metrics.hpp>
#include <coltec/process_runner.hpp>
#include <coltec/scheduler.hpp>
#include <coltec/scheduler_driver.hpp>
#include <coltec/watcher.hpp>

#include "app_reload.hpp"
#include "app_setup.hpp"

namespace coltec {

/// Everything alive while the loop runs; owned by run_sync's stack frame. Every callback
/// below captures `this` raw. That is safe because members are destroyed in reverse order
/// (signals, watcher, driver and scheduler before the executor and runner they call) and
/// because io.run() never resumes once the loop was torn down: keep the order.
struct SyncLoop {
  SyncLoop(const Options& options_in, Logger& log_in, EnvMap env_in, Planned planned_in,
           Prepared prepared_in, bool once_in)
      : options(options_in),
        log(log_in),
        env(std::move(env_in)),
        planned(std::move(planned_in)),
        prepared(std::move(prepared_in)),
        once(once_in) {}

  const Options& options;
  Logger& log;
  EnvMap env;
  Planned planned;
  Prepared prepared;
  bool once;
  boost::asio::io_context io;
  std::unique_ptr<ProcessRunner> runner = make_process_runner(io);
  std::unique_ptr<Executor> executor;
  std::unique_ptr<JobRunner> jobs;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<SchedulerDriver> driver;
  std::unique_ptr<Watcher> watcher;
  Metrics metrics;
  std::unique_ptr<ProgressView> progress;
  boost::asio::signal_set signals{io};
  int stop_signal = 0;
  bool reloading = false;     ///< a SIGHUP reload waits for `rclone obscure`
  bool reload_again = false;  ///< another SIGHUP came meanwhile: read the spec once more
  std::mt19937 rng{std::random_device{}()};

  void build();
  void start_watcher();
  /// watch_roots(plan) without the roots the executor refuses as they resolve now (a
  /// symlink to /, say): every run of those is refused anyway, and they are never walked.
  std::vector<WatchRoot> usable_watch_roots(const Plan& plan) const;
  void wait_signal();
  void on_signal(int signo);
  void after_run(const std::string& action, const RunReport& report);
  void write_metrics();
  ExitCode run();

  // app_reload.cpp
  void reload();
  void finish_reload(Planned next, const Result<ObscuredPasswords>& obscured);
  void apply_plan(Planned next);
  void apply_watch_changes(const WatchRootChanges& changes);
};

}  // namespace coltec
