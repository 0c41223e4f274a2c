#pragma once
// The scheduler decides WHEN and HOW MANY sync actions run; it never builds rclone commands
// or spawns processes. It is a state machine stepped with an explicit `now` (tests call
// tick(now) and never sleep); SchedulerDriver (scheduler_driver.hpp) is the thin Asio shell
// that calls tick when the next wake-up comes due.
//
// Threading: single-threaded. Every member, and every JobRunner callback, runs on the one
// io_context thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <coltec/run_notes.hpp>
#include <coltec/spec.hpp>

namespace coltec {

/// The scheduler's clock. Monotonic, so wall-clock jumps never fire or starve timers.
using Clock = std::chrono::steady_clock;
/// A point in time on Clock.
using TimePoint = Clock::time_point;

/// What the scheduler needs to know about one action (built from a planner Action).
struct JobSpec {
  std::string name;  ///< unique action name; the key for every call below
  Direction direction = Direction::bidirectional;  ///< pull_only actions ignore local changes
  std::chrono::seconds interval{300};  ///< time between interval runs; values < 1 s count as 1 s
  std::uint32_t priority = 2;          ///< lower runs first when slots are scarce
  std::size_t order = 0;               ///< tie-break after priority (declaration order)
  /// A filesystem watcher reports local changes for this action. Only matters for
  /// push_only actions: their interval run is skipped while nothing changed locally.
  bool event_driven = false;
  bool operator==(const JobSpec&) const = default;
};

/// Why a run was started; carried to the runner for its logs.
enum class RunReason {
  startup,       ///< first pass after start() (or a new action after replace_jobs)
  interval,      ///< the action's interval came due
  local_change,  ///< debounced local changes reported by the watcher
  overflow,      ///< the watcher lost events; a full sync catches up
  reconcile,     ///< push-only idle action: reconcile_every passed since the last success
  retry,         ///< backoff after a temporary failure
  manual,        ///< run_all_now (SIGUSR1)
  flush,         ///< final run of pending local changes during a graceful stop
  once,          ///< the single pass of once mode
};

/// Stable lower-case name of a reason ("local_change"), for logs.
const char* to_string(RunReason reason);

/// One run handed to the JobRunner.
struct RunRequest {
  std::string action;                      ///< JobSpec::name
  RunReason reason = RunReason::interval;  ///< why now (for the log line)
  std::uint32_t attempt = 1;               ///< 1 + consecutive failures before this run
  /// A watcher covers the action and saw no local change since its last success: an
  /// interval run of a bidirectional action then only has to look for remote changes.
  bool local_clean = false;
  bool operator==(const RunRequest&) const = default;
};

/// How a run ended, as classified by the executor.
enum class Outcome {
  ok,                 ///< synced
  temporary_failure,  ///< worth retrying soon (network, listing "please try again")
  failure,            ///< will not fix itself quickly; retried only at the next interval
  refused,            ///< a safety guard refused (e.g. empty source); re-checked next time
  needs_resync,       ///< bisync state is broken; waits for the interval / a human
  cancelled,          ///< stopped by cancel(); counts neither as success nor failure
  /// Another daemon has the turn on the same remote path: neither success nor failure;
  /// tried again after SchedulerConfig::defer_delay, local changes stay pending.
  deferred,
};

/// Stable lower-case name of an outcome ("temporary_failure"), for logs and health.json.
const char* to_string(Outcome outcome);

/// The executor's report on one finished run.
struct RunReport {
  Outcome outcome = Outcome::ok;
  std::string error;        ///< one redacted sentence when outcome != ok; may be empty
  std::uint64_t files = 0;  ///< files transferred
  std::uint64_t bytes = 0;  ///< bytes transferred
  std::chrono::milliseconds duration{0};  ///< wall time of the run, as measured by the runner
  /// Bidirectional: conflict copies still waiting for a person after this run.
  std::vector<std::string> conflicts;
  /// Held-back deletions and warnings. An `ok` run with held-back deletions still counts as
  /// a success (what it could copy is across) but sets needs_attention until a run without.
  RunNotes notes;
  bool operator==(const RunReport&) const = default;
};

/// Called exactly once per started run with its report.
using RunDone = std::function<void(const RunReport&)>;

/// Runs one action at a time per call (the executor: safety checks + rclone).
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  /// Start `request`. `done` must be called exactly once, on the io_context thread, either
  /// later or synchronously inside start(). Failures are reported through `done`, never
  /// thrown. The scheduler never starts an action that is still running.
  virtual void start(const RunRequest& request, RunDone done) = 0;
  /// Stop the running run of `action` safely (the runner decides how, e.g. not mid-bisync
  /// with SIGTERM). `done` is still called once, usually with Outcome::cancelled. Ignored
  /// when the action is not running.
  virtual void cancel(const std::string& action) = 0;
};

/// Scheduler tuning. Out-of-range values are clamped by the constructor (noted per field).
struct SchedulerConfig {
  std::size_t max_parallel = 2;               ///< runs at once; 0 counts as 1
  std::chrono::milliseconds debounce{300};    ///< quiet window after the LAST local change
  std::chrono::milliseconds max_delay{5000};  ///< latest start after the FIRST pending change
  /// Idle event-driven actions still run in full this often (push-only: a full sync instead
  /// of none; bidirectional: both sides listed instead of the generation check).
  std::chrono::seconds reconcile_every{3600};
  std::chrono::seconds backoff_base{5};   ///< first retry delay; < 1 s counts as 1 s
  std::chrono::seconds backoff_cap{300};  ///< longest retry delay; never below the base
  /// Wait after Outcome::deferred (times 0.5 + jitter/2), so daemons sharing a remote path
  /// do not retry in lockstep.
  std::chrono::seconds defer_delay{10};
  /// Retries of temporary failures (backoff base·2^(n-1), capped, times 0.5 + jitter/2).
  /// When the run after the last retry fails too, the action goes back to its interval
  /// and is unhealthy until a success. `failure` is never retried early; `refused` and
  /// `needs_resync` are never retried early and set needs_attention. While backing off,
  /// local changes wait for the next timed run (except after `refused`).
  std::uint32_t max_retries = 5;
  /// Once mode: every action runs exactly once (one attempt, no retries, local changes and
  /// run_all_now ignored); finished() turns true when all have reported.
  bool once = false;
  bool operator==(const SchedulerConfig&) const = default;
};

/// What snapshot() tells about one action (for status output, health.json and logs).
struct ActionStatus {
  std::string name;                                ///< JobSpec::name
  Direction direction = Direction::bidirectional;  ///< JobSpec::direction
  bool running = false;                            ///< a run is in flight
  std::optional<RunReason> running_reason;         ///< set while running
  std::optional<Outcome> last_outcome;             ///< unset until the first run finished
  std::string last_error;                          ///< error of the last run; empty after a success
  RunReport last_report;                           ///< the last finished run's full report
  std::uint32_t consecutive_failures = 0;  ///< non-ok, non-cancelled runs since last success
  std::optional<TimePoint> last_success;   ///< when the last successful run finished
  std::optional<TimePoint> last_attempt;   ///< when the last run started
  std::optional<TimePoint> next_run;       ///< when the next run is due; unset: none planned
  std::optional<RunReason> next_reason;    ///< why the next run will start
  /// Local changes not yet covered by a successful run. After a stop these are the
  /// changes that could not be flushed.
  bool pending_changes = false;
  bool unhealthy = false;  ///< retries used up or a hard failure; until the next success
  /// refused or needs_resync, until the next success; or an ok run that held deletions
  /// back, until an ok run that did not
  bool needs_attention = false;
  bool polling_fallback = false;  ///< the watcher gave up (ENOSPC): interval runs are never skipped
  bool removed = false;           ///< dropped by replace_jobs, still finishing its last run
  std::uint64_t runs = 0;         ///< finished runs (any outcome)
  bool operator==(const ActionStatus&) const = default;
};

/// The scheduling state machine. Event methods only record; tick(now) acts (except
/// start() and request_stop(), which tick at once). Completions reported by the JobRunner
/// are queued and take effect at the next tick.
class Scheduler {
 public:
  /// `jobs`: actions to run; duplicate names after the first are ignored. `runner` is not
  /// owned and must outlive the scheduler's runs. `jitter` returns values in [0, 1) used to
  /// spread retry delays (delay·(0.5 + jitter/2)); out-of-range results are clamped.
  Scheduler(std::vector<JobSpec> jobs, SchedulerConfig config, JobRunner& runner,
            std::function<double()> jitter);
  /// Runs still in flight may report later; their reports are then dropped safely.
  ~Scheduler();
  /// Not copyable: the runner's callbacks refer to this instance.
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Begin: every action is due now (reason startup, or once in once mode) and the first
  /// pass starts in priority order, up to max_parallel at once.
  void start(TimePoint now);
  /// Apply finished runs, skip idle intervals, and start whatever is due, lower priority
  /// number (then order) first, never more than max_parallel and never an action twice.
  void tick(TimePoint now);
  /// When tick() should next be called; unset when only a run completion (which calls the
  /// wake callback) can change anything. May be <= the last tick's time: call tick at once.
  std::optional<TimePoint> next_wakeup() const;
  /// Called (on the loop thread) whenever an event or a run completion may have moved the
  /// next wake-up. It must not call back into the scheduler synchronously; post instead.
  void set_wake_callback(std::function<void()> wake);

  /// The watcher saw a change under `action`'s root. Runs after `debounce` of quiet, but
  /// no later than `max_delay` after the first pending change. Ignored for pull_only
  /// actions, unknown names and in once mode.
  void on_local_change(const std::string& action, TimePoint now);
  /// The watcher lost events for `action`: one coalesced full run, debounced like a change.
  /// A second overflow while one is pending adds nothing.
  void on_overflow(const std::string& action, TimePoint now);
  /// `polling` true: the watcher cannot watch `action` (inotify limit), so its interval
  /// runs are never skipped as idle. False restores normal behaviour.
  void set_watch_fallback(const std::string& action, bool polling);
  /// SIGUSR1: every action runs as soon as a slot is free, ignoring backoff; a running
  /// action gets exactly one follow-up run. Ignored in once mode and while stopping.
  void run_all_now(TimePoint now);

  /// First SIGTERM/SIGINT: no new scheduled runs; actions with unsynced local changes get
  /// one flush run each while slots are free, and so does every push-only action that no
  /// watcher covers (not event-driven, or in polling fallback), because nobody knows
  /// whether it changed since its last run. At `now + grace` every still-running action
  /// is cancelled. A second call never extends the deadline.
  void request_stop(TimePoint now, std::chrono::milliseconds grace);
  /// Second signal: cancel every running action now and start nothing more.
  void stop_now();
  /// True when a stop was requested (or once mode completed every action) and nothing
  /// runs any more.
  bool finished() const;
  /// True after request_stop() or stop_now().
  bool stopping() const { return m_stopping; }

  /// Per-action state, in priority order.
  std::vector<ActionStatus> snapshot() const;
  /// Called after each finished run with its report (health.json, metrics, logs). It may
  /// read snapshot() but must not call other members.
  void set_observer(std::function<void(const std::string& action, const RunReport&)> observer);
  /// SIGHUP reload: actions whose name survives keep their state (a new interval applies
  /// from their last start); new actions start at once; removed actions finish a running
  /// run and are then forgotten, never restarted.
  void replace_jobs(std::vector<JobSpec> jobs, TimePoint now);

 private:
  struct Entry;
  struct Inbox;
  struct Due {
    TimePoint at{};
    RunReason reason = RunReason::interval;
  };

  void drain(TimePoint now);
  void launch_ready(TimePoint now);
  void launch(Entry& entry, RunReason reason, TimePoint now);
  void complete(Entry& entry, const RunReport& report, TimePoint now);
  void schedule_after_failure(Entry& entry, Outcome outcome, TimePoint now);
  void skip_idle_interval(Entry& entry, TimePoint now) const;
  void stop_step(TimePoint now);
  void cancel_running();
  bool flush_candidate(const Entry& entry) const;
  std::optional<Due> due(const Entry& entry) const;
  TimePoint interval_after(const Entry& entry, TimePoint now) const;
  std::chrono::milliseconds backoff(std::uint32_t failures);
  std::chrono::milliseconds jittered(std::chrono::milliseconds delay);
  Entry* find(const std::string& name);
  std::size_t running_count() const;
  void wake() const;

  SchedulerConfig m_config;
  JobRunner& m_runner;
  std::function<double()> m_jitter;
  std::vector<Entry> m_entries;  // sorted by (priority, order); removed ones anywhere
  std::shared_ptr<Inbox> m_inbox;
  std::function<void(const std::string&, const RunReport&)> m_observer;
  std::uint64_t m_next_run_id = 1;
  std::optional<TimePoint> m_last_tick;
  bool m_started = false;
  bool m_stopping = false;
  bool m_hard_stop = false;
  bool m_deadline_passed = false;
  TimePoint m_deadline{};
};

}  // namespace coltec
