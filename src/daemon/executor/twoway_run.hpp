#pragma once
// Private to the executor: one two-way run of one bidirectional action. Every step is chosen
// by next_step (twoway_flow.hpp) from what the run has observed; this class only carries
// steps out (rclone children through the runner, local files through the Disk seam) and
// records what it saw. Files: twoway_run.cpp (driver, children, report),
// twoway_run_list.cpp (state, listings), twoway_run_plan.cpp (the plan's queues, compare),
// twoway_run_control.cpp (control folder: claim, generation, release), twoway_run_apply.cpp
// (transfers, baseline).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <coltec/executor.hpp>
#include <coltec/rclone_twoway.hpp>
#include <coltec/twoway_flow.hpp>

namespace coltec {

class Executor::TwoWayRun final : public Executor::Running,
                                  public std::enable_shared_from_this<Executor::TwoWayRun> {
 public:
  using Done = std::function<void(const SyncReport&)>;
  TwoWayRun(Executor& ex, Action action, TwoWayTrigger trigger, PendingChanges changes, Done done);

  void start();
  void cancel() override;
  void detach() override { m_detached = true; }

 private:
  /// What one rclone child printed and how it ended.
  struct Child {
    ProcessResult proc;
    RcloneRunFacts facts;
    RcloneStats stats;
    std::vector<ListedEntry> entries;                   ///< lsjson objects on stdout
    std::vector<ListingProblem> problems;               ///< listing problems on stderr
    std::map<std::string, std::string> failed_objects;  ///< error lines naming a file
  };
  using Next = std::function<void(Child&)>;
  /// The listing step's children: both sides, and the remote once more with the times rclone
  /// stored when an upgraded baseline still lacks md5s.
  struct Listings {
    std::shared_ptr<Child> remote = std::make_shared<Child>();
    std::shared_ptr<Child> local = std::make_shared<Child>();
    std::shared_ptr<Child> remote_server;
    std::size_t left = 0;  ///< children still running
  };

  // twoway_run.cpp
  void advance();
  void carry_out(TwoWayStep step);
  void exec(const Invocation& inv, const char* step, std::chrono::milliseconds timeout, Next next);
  void on_line(Child& child, OutputStream stream, const std::string& line);
  bool step_failed(Child& child, const char* what);
  /// For a step that transfers the named `files`: whether it failed as a whole (then the
  /// run fails). rclone's errors that name some of the files fail just those; an error that
  /// names anything else (the remote's root, when the server went away) or nothing fails it
  /// all, so no file is taken as done on a failure that said nothing about it.
  bool failed_as_a_whole(Child& child, const std::vector<std::string>& files, const char* what);
  void fail(RcloneFailure failure, std::string error);
  void finish(TwoWayStop stop);
  void log_finished(const SyncReport& report, TwoWayStop stop);
  RunContext context() const;
  std::string write_list(const char* name, const std::vector<std::string>& paths);

  // twoway_run_list.cpp
  void load_state();
  void import_bisync();
  void restore_if_fresh(const ReconcileOptions& o);
  bool plan_quick();
  void list_sides();
  void start_listing(const Invocation& inv, const std::shared_ptr<Child>& child,
                     const std::shared_ptr<Listings>& all);
  /// False when a listing failed (the run has failed then).
  bool listings_usable(const Listings& all);
  /// The local listing less the names rclone cannot carry, and the options that leave those
  /// and what could not be read alone.
  ReconcileOptions take_local_listing(const Child& local);
  void adopt_interrupted_sends();
  void take_listings(const Listings& all);
  // twoway_run_plan.cpp
  void plan_from_listings();
  void note_held_back(const SyncPlan& plan);
  void queue(const PathAction& a);
  void hash_local();
  void prepare_compare();

  // twoway_run_control.cpp
  void list_control();
  void claim();
  void verify_claim();
  void owe_generation();
  void write_generation();
  void release();

  // twoway_run_apply.cpp
  void fetch();
  void resolve_fetched();
  void apply_local();
  void place_download(const std::string& path);
  void place_conflict(const std::string& path);
  void delete_local(const std::string& path);
  bool local_unchanged(const std::string& path) const;
  void upload();
  void skip_unreadable_uploads();  // twoway_run_unreadable.cpp
  void delete_remote();
  void lookup_uploaded();
  void save_baseline();

  // Paths. Names are rclone's; local() turns one into the file's bytes under the root.
  std::optional<std::string> local(const std::string& root, const std::string& name) const;
  std::string remote_root() const { return m_action.remote_spec(); }
  std::string control_dir() const { return remote_root() + "/" + k_control_dir; }
  std::string staging_dir() const;
  std::string backup_dir() const;
  std::string trash_dir() const;
  std::string baseline_path() const;
  std::int64_t now() const { return m_ex.m_seams.unix_now(); }
  Disk& disk() const { return *m_ex.m_disk; }
  void warn(std::string message);
  /// warn, and remember that this run leaves work for the next one (see
  /// k_unsettled_generation).
  void leave_for_later(std::string message);

  Executor& m_ex;
  Action m_action;
  Done m_done;
  PendingChanges m_changes;
  bool m_cancelled = false;
  bool m_detached = false;
  std::shared_ptr<RunningProcess> m_proc;  ///< the child of a one-child step
  std::vector<std::shared_ptr<RunningProcess>> m_listing_procs;
  std::chrono::steady_clock::time_point m_started;
  std::string m_stamp;

  TwoWayProgress m_progress;
  ListingFlags m_remote_flags;
  Baseline m_baseline;
  bool m_imported = false;  ///< the baseline came from bisync listings (the upgrade run)
  Listing m_local;
  Listing m_remote;
  std::optional<ControlState> m_claim_state;  ///< the control folder as verify_claim saw it
  std::string m_claim;                        ///< our claim's file name

  // What the plan asks for, by path (rclone names), as the steps work through it.
  std::vector<std::string> m_downloads;
  std::vector<std::string> m_compares;
  std::set<std::string> m_identical;  ///< compared and found equal
  std::set<std::string> m_fetch;      ///< remote versions to fetch into staging
  std::set<std::string> m_fetched;    ///< fetched and of the listed size
  std::map<std::string, Resolution> m_conflicts;
  std::vector<std::string> m_made_conflicts;  ///< conflict copies this run made
  std::vector<std::string> m_uploads;
  std::vector<std::string> m_uploaded;
  std::vector<std::string> m_remote_deletes;
  std::map<std::string, FileState> m_upload_local;  ///< local state of each file sent
  std::string m_new_generation;
  bool m_left_work = false;             ///< some file waits for a later run
  bool m_generation_on_remote = false;  ///< m_new_generation was written
  bool m_owed_paid = false;             ///< the marker the baseline owed was written
  std::string m_owed_marker;            ///< ...under this name

  SyncReport m_report;
  RcloneFailure m_failure = RcloneFailure::none;
  std::string m_error;
};

}  // namespace coltec
