#pragma once
// The executor runs one action's sync from start to end: safety preflight (empty-source
// guard, restore before push, delete cap), the rclone run itself, classification of the
// result, and the bisync bookkeeping (first-run marker, safe recovery, stale locks).
// It owns no process machinery: children start through the injected ProcessRunner.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <coltec/local_change.hpp>
#include <coltec/local_tree.hpp>
#include <coltec/logging.hpp>
#include <coltec/planner.hpp>
#include <coltec/process_runner.hpp>
#include <coltec/rclone_command.hpp>
#include <coltec/rclone_output.hpp>
#include <coltec/safety.hpp>

namespace coltec {

/// Fixed inputs of every run, decided once at start-up.
struct ExecutorSettings {
  RcloneCaps caps;
  std::string config_path;                 ///< the private 0600 rclone config file
  std::string state_dir;                   ///< per-workspace state directory
  std::string bisync_workdir;              ///< <state>/bisync
  std::map<std::string, std::string> env;  ///< the daemon's environment
  std::vector<std::string> secrets;        ///< every secret value (for redaction)
  bool pass_aws_credentials = false;       ///< a remote uses env_auth
  bool dry_run = false;
  SafetySettings safety;
  bool allow_empty_source = false;
  bool force_deletes = false;
  std::chrono::milliseconds run_timeout{std::chrono::hours(6)};
  std::chrono::milliseconds check_timeout{std::chrono::minutes(30)};
  std::chrono::milliseconds term_grace{std::chrono::seconds(3)};
};

/// How one run of an action ended.
struct SyncReport {
  RcloneFailure failure = RcloneFailure::none;
  std::string error;           ///< empty on success; a sentence otherwise
  RcloneStats stats;           ///< of the main rclone run
  std::uint64_t restored = 0;  ///< files restored remote -> local before the run
  bool resync = false;         ///< the run was a bisync --resync
  std::chrono::milliseconds duration{0};
};

/// Live statistics of a running action (for progress display and metrics).
using ProgressHandler = std::function<void(const std::string& action, const RcloneStats&)>;

/// Runs actions; at most one run per action at a time (the scheduler guarantees it, and
/// run() refuses a second one). Everything happens on the runner's io_context thread.
class Executor {
 public:
  /// `runner` and `log` must outlive the executor.
  Executor(ProcessRunner& runner, Logger& log, ExecutorSettings settings,
           std::vector<Action> actions);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// Start a run of `action`; `done` is called exactly once, later, on the io_context.
  /// `changes_only` (a run triggered by local changes): a push-only action whose pending
  /// changes are all existing regular files uploads just those (no listing, no deletes);
  /// anything else (a deletion, a directory, too many changes) runs the full sync.
  void run(const std::string& action, std::function<void(const SyncReport&)> done,
           bool changes_only = false);
  /// The watcher saw these paths change under `action`'s root (see WatcherCallbacks).
  void note_changes(const std::string& action, const std::vector<ChangedPath>& paths,
                    bool complete);
  /// Stop a running action safely: a bisync is killed at once (SIGKILL keeps its listings,
  /// so the next run recovers without --resync; SIGTERM would force one) and its lock is
  /// cleared; a sync gets SIGTERM, then SIGKILL after term_grace. No-op when idle.
  void cancel(const std::string& action);
  /// Replace the action set (SIGHUP); running actions finish with their old definition. An
  /// action whose definition changed runs in full next time, as after start-up.
  void replace_actions(std::vector<Action> actions);
  /// Replace the settings (SIGHUP: new safety values, credentials passing, secrets). Every
  /// rclone step started from now on uses them, those of runs in flight included, just as
  /// every later step reads the rewritten rclone config.
  void replace_settings(ExecutorSettings settings) { m_settings = std::move(settings); }
  /// The settings in force.
  const ExecutorSettings& settings() const { return m_settings; }
  /// Receive live stats.
  void set_progress_handler(ProgressHandler handler) { m_progress = std::move(handler); }
  /// Names of actions that are running now.
  std::set<std::string> running() const;

 private:
  class Run;
  friend class Run;

  ProcessRunner& m_runner;
  Logger& m_log;
  ExecutorSettings m_settings;
  std::map<std::string, Action> m_actions;
  std::map<std::string, std::shared_ptr<Run>> m_running;
  std::set<std::string> m_synced_once;  ///< actions with a success since start-up
  ProgressHandler m_progress;
  /// Local changes not yet covered by a run, per action.
  struct PendingChanges {
    std::set<std::string> files;
    bool full = false;  ///< something only a full sync covers (deletion, directory, overflow)
  };
  std::map<std::string, PendingChanges> m_pending;
};

}  // namespace coltec
