#pragma once
// Private to the executor: one push-only or pull-only run of one action. Its steps are
// chosen by oneway_flow.hpp's next_oneway_step and carried out here.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <coltec/executor.hpp>
#include <coltec/oneway_flow.hpp>

namespace coltec {

/// Our log level for one of rclone's lines.
Level level_for_rclone(const RcloneLine& line, bool dry_run);

class Executor::Run final : public Executor::Running,
                            public std::enable_shared_from_this<Executor::Run> {
 public:
  using Done = std::function<void(const SyncReport&)>;
  Run(Executor& ex, Action action, bool startup, PendingChanges changes, Done done);

  void start();
  void cancel() override;
  /// The executor is going away: never call back into it.
  void detach() override { m_detached = true; }

 private:
  /// What one rclone step printed and how it ended.
  struct Step {
    ProcessResult proc;
    RcloneRunFacts facts;
    RcloneStats stats;
    DryRunTally tally;
    std::uint64_t objects = 0;  ///< lines starting with '{' on stdout (lsjson entries)
  };
  using Next = std::function<void(Step&)>;

  // The driver (executor_run.cpp): ask next_oneway_step, carry the step out, repeat.
  void advance();
  void carry_out(const OneWayNext& next);
  void end(const OneWayNext& next);
  OneWayProgress first_progress() const;
  // executor_run_steps.cpp: one function per step; each records what it saw, then advances.
  void inspect();
  void probe_remote();
  void list_remote();
  void make_local_dir();
  void restore(const std::string& reason);
  void precheck();
  void sync(std::optional<std::uint64_t> max_delete);
  void mark_pushed();
  void prune_trash();
  bool trash_prune_due() const;
  // executor_quick.cpp: uploads of listed files (the watcher's, or the pre-check's).
  std::optional<std::vector<std::string>> quick_names() const;
  void upload_changed();
  void upload_listed(bool held_back);
  void upload_files(const std::vector<std::string>& files, const char* step_name);
  // executor_held_back.cpp: deletions the delete cap refused, and the run's warnings.
  void report_held_back();
  void copy_held_back();
  void warn(const std::string& warning);
  void finish(RcloneFailure failure, std::string error);
  // executor_unreadable.cpp: unreadable paths are left out and the run starts again.
  void skip_unreadable();
  void skip_unreadable_copies(DryRunTally& tally);
  bool run_again_without_unreadable(RcloneFailure failure);

  RunContext context() const;
  /// Run one rclone step; `extra_fds` are inherited on top of ExecutorSettings::keep_fds.
  void exec(const Invocation& inv, const char* step, std::chrono::milliseconds timeout, Next next,
            const std::vector<int>& extra_fds = {});
  void on_line(Step& step, OutputStream stream, const std::string& line);
  bool step_failed(Step& step, const char* what);

  bool has_marker(const char* suffix) const;
  void set_marker(const char* suffix, bool present) const;

  Executor& m_ex;
  Action m_action;
  bool m_startup;
  PendingChanges m_changes;
  Done m_done;
  bool m_cancelled = false;
  bool m_detached = false;
  std::shared_ptr<RunningProcess> m_proc;
  OneWayProgress m_progress;
  std::vector<std::string> m_quick_names;  ///< the watcher's files, as rclone names them
  bool m_quiet_step = false;               ///< rclone's errors go to debug (the step judges them)
  std::string m_stamp;
  SyncReport m_report;
  std::chrono::steady_clock::time_point m_started;
  /// The action's own exclude rules, before any skipped path was added.
  std::optional<std::vector<std::string>> m_spec_exclude;
  UnreadableSet m_found_unreadable;  ///< named by rclone during this round
  int m_unreadable_rounds = 0;
};

}  // namespace coltec
