#pragma once
// Private to the executor: one run of one action (see executor.cpp for the chain of steps).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <coltec/executor.hpp>

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

  bool quick_push_possible() const;
  void quick_push();
  void upload_files(const std::vector<std::string>& files, const char* step_name,
                    bool after_precheck);
  void inspect();
  void list_remote();
  void probe_remote();
  void decide_sources(const SideState& remote);
  void restore();
  void precheck();
  void after_precheck(Step& step);
  bool pull_source_ok(const Step& step, bool remote_missing);
  void hold_back_deletes(const DryRunTally& tally);
  void copy_without_deletes();
  void warn(const std::string& warning);
  void main_run();
  void prune_trash();
  bool trash_prune_due() const;
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
  SideState m_local;
  bool m_quiet_step = false;  ///< rclone's errors go to debug (the step judges them)
  std::optional<std::uint64_t> m_max_delete;
  std::string m_stamp;
  SyncReport m_report;
  std::chrono::steady_clock::time_point m_started;
  /// The action's own exclude rules, before any skipped path was added.
  std::optional<std::vector<std::string>> m_spec_exclude;
  UnreadableSet m_found_unreadable;  ///< named by rclone during this round
  int m_unreadable_rounds = 0;
};

}  // namespace coltec
