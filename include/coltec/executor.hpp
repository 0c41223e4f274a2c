#pragma once
// The executor runs one action's sync from start to end. Push-only and pull-only: safety
// preflight (empty-source guard, restore before push, delete cap), the rclone sync, the
// classification of its result. Bidirectional: the two-way engine (twoway.hpp), whose
// steps are chosen by twoway_flow.hpp's next_step and carried out here.
// It owns no process machinery: children start through the injected ProcessRunner; the
// local disk and the clock come through ExecutorSeams.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <coltec/disk.hpp>
#include <coltec/local_change.hpp>
#include <coltec/local_tree.hpp>
#include <coltec/logging.hpp>
#include <coltec/planner.hpp>
#include <coltec/process_runner.hpp>
#include <coltec/rclone_command.hpp>
#include <coltec/rclone_output.hpp>
#include <coltec/rclone_unreadable.hpp>
#include <coltec/run_notes.hpp>
#include <coltec/safety.hpp>

namespace coltec {

/// Fixed inputs of every run, decided once at start-up.
struct ExecutorSettings {
  RcloneCaps caps;
  std::string config_path;                 ///< where rclone reads our private config
  std::vector<int> keep_fds;               ///< descriptors every rclone child inherits
  std::string state_dir;                   ///< per-workspace state directory
  std::string bisync_workdir;              ///< <state>/bisync: the earlier daemon's listings
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
  /// Names this daemon's claims on shared remote paths (twoway_control.hpp); stable across
  /// restarts of one state directory, so a claim left by a crash is recognised as ours.
  std::string owner_id = "coltec";
};

/// The executor's view of the machine, for tests to replace. Empty members mean the real one.
struct ExecutorSeams {
  Disk* disk = nullptr;                    ///< not owned
  std::function<std::int64_t()> unix_now;  ///< wall-clock seconds (claim expiry, stamps)
  std::function<std::string()> random_id;  ///< 16 hex digits (generation names)
};

/// Why a run starts, as far as the executor cares.
enum class RunKind {
  full,           ///< look at everything
  local_changes,  ///< the watcher reported changes: send just those where that is safe
  interval,       ///< nothing changed locally (a watcher would know): only look for remote changes
};

/// How one run of an action ended.
struct SyncReport {
  RcloneFailure failure = RcloneFailure::none;
  std::string error;           ///< empty on success; a sentence otherwise
  RcloneStats stats;           ///< of the main rclone run
  std::uint64_t restored = 0;  ///< files restored remote -> local before the run
  std::chrono::milliseconds duration{0};
  /// Bidirectional: conflict copies still waiting for a person ("notes.conflict-…-local.md").
  std::vector<std::string> conflicts;
  /// Deletions a guard held back while the run copied the rest (failure stays `none`:
  /// everything new reached the other side), and warnings: a pull-only remote that holds
  /// nothing yet, an unreadable folder or file, a name rclone cannot carry.
  RunNotes notes;
  bool unchanged = false;  ///< an interval check found nothing to do (no listing made)
};

/// Live statistics of a running action (for progress display and metrics).
using ProgressHandler = std::function<void(const std::string& action, const RcloneStats&)>;

/// Runs actions; at most one run per action at a time (the scheduler guarantees it, and
/// run() refuses a second one). Everything happens on the runner's io_context thread.
class Executor {
 public:
  /// `runner`, `log` and the seams' disk must outlive the executor.
  Executor(ProcessRunner& runner, Logger& log, ExecutorSettings settings,
           std::vector<Action> actions, ExecutorSeams seams = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// Start a run of `action`; `done` is called exactly once, later, on the io_context.
  /// RunKind::local_changes: a push-only action whose pending changes are all existing
  /// regular files uploads just those (no listing, no deletes); a bidirectional one does the
  /// same when the remote's generation says nothing changed there; anything else runs in
  /// full. RunKind::interval: a bidirectional action only reads the remote's generation and
  /// stops when it is unchanged (push- and pull-only actions run in full).
  void run(const std::string& action, std::function<void(const SyncReport&)> done,
           RunKind kind = RunKind::full);
  /// The watcher saw these paths change under `action`'s root (see WatcherCallbacks).
  void note_changes(const std::string& action, const std::vector<ChangedPath>& paths,
                    bool complete);
  /// Stop a running action safely: its rclone child gets SIGTERM, then SIGKILL after
  /// term_grace. No-op when idle.
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
  class TwoWayRun;
  friend class TwoWayRun;
  // What both kinds of run do with a line rclone wrote to stderr (executor_rclone_lines.cpp).
  /// Stats lines: kept in `into` and shown as progress.
  void take_stats(const std::string& action, const RcloneLine& parsed, const std::string& line,
                  RcloneStats& into) const;
  /// The line as one of our log lines at `level`, with the action and rclone's object.
  void log_rclone_line(const std::string& action, const RcloneLine& parsed, Level level) const;
  /// Why a failed step failed: rclone's last error, else its exit code.
  static std::string failure_detail(const RcloneRunFacts& facts, int exit_code);
  /// How a step's rclone child is started; the command (redacted) goes to the debug log.
  ProcessSpec rclone_process(const std::string& action, const Invocation& inv, const char* step,
                             std::chrono::milliseconds timeout) const;

  ProcessRunner& m_runner;
  Logger& m_log;
  ExecutorSettings m_settings;
  std::map<std::string, Action> m_actions;
  /// What a running run offers the executor: stop it, or forget the executor.
  class Running {
   public:
    virtual ~Running() = default;
    virtual void cancel() = 0;
    virtual void detach() = 0;
  };
  std::map<std::string, std::shared_ptr<Running>> m_running;
  std::set<std::string> m_synced_once;  ///< actions with a success since start-up
  /// The warnings (and held-back deletions) last logged per action: one that repeats on
  /// every run is logged at warn once and at debug after that (the report still carries it).
  std::map<std::string, std::vector<std::string>> m_warned;
  /// Push-only and pull-only: paths rclone could not read, per action. Later runs leave them
  /// out from the start while they stay unreadable (executor_unreadable.cpp).
  std::map<std::string, UnreadableSet> m_unreadable;
  ProgressHandler m_progress;
  std::unique_ptr<Disk> m_own_disk;  ///< the real disk, unless the seams gave one
  Disk* m_disk = nullptr;
  ExecutorSeams m_seams;
  /// Local changes not yet covered by a run, per action.
  struct PendingChanges {
    std::set<std::string> files;
    bool full = false;  ///< something only a full sync covers (deletion, directory, overflow)
  };
  std::map<std::string, PendingChanges> m_pending;
};

}  // namespace coltec
