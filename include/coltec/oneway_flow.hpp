#pragma once
// The order of a push-only or pull-only run, decided by a pure function of what the run has
// observed so far (as twoway_flow.hpp does for bidirectional runs): the executor carries out
// each step, records what it saw, and asks again. Every guard sits here, in one place, before
// the step it guards: the root and mount checks before anything, the empty-source guard
// before a push from an empty folder, the dry-run pre-check and the delete cap before a sync
// that could delete.
//   push-only:  [list remote if local empty] -> [restore] -> dry-run pre-check -> sync
//               (a first push into an empty remote: probe -> sync --max-delete 0)
//   pull-only:  dry-run pre-check (also tells whether the remote is empty) -> sync
// A push the watcher reported only new or changed files for uploads just those. When the
// delete cap refuses the deletions, a copy (never deletes) replaces the sync.

#include <cstdint>
#include <optional>
#include <string>

#include <coltec/planner.hpp>
#include <coltec/safety.hpp>

namespace coltec {

/// One step of a push-only or pull-only run.
enum class OneWayStep {
  upload_changed,  ///< copy --files-from-raw of the files the watcher reported (no listing)
  inspect,         ///< the local folder: mounted?, any file?, pushed before?
  probe_remote,    ///< lsjson of the remote's top level: a first push into an empty remote?
  list_remote,     ///< lsjson of the remote: the local folder is empty, is the remote too?
  make_local_dir,  ///< create the missing local folder
  restore,         ///< copy remote -> local (never deletes) before the first push
  precheck,        ///< the sync as a dry run: what it would copy and delete
  upload_listed,   ///< copy --files-from-raw of the files the pre-check named
  copy_held_back,  ///< copy instead of sync: the delete cap held the deletions back
  sync,            ///< rclone sync
  mark_pushed,     ///< record that the remote holds this folder (later pushes skip the probe)
  prune_trash,     ///< delete trash runs past the retention
  done,
};

/// Stable lower-case name, for logs ("probe_remote").
const char* to_string(OneWayStep step);

/// How a run ended.
enum class OneWayEnd {
  ok,       ///< synced, or nothing to do
  skipped,  ///< did nothing, and that is fine; `reason` warns (a pull from an empty remote)
  refused,  ///< did nothing: a guard refused; `reason` says which and how to override
};

/// What the inspect step saw.
struct OneWayInspection {
  bool mounted = true;         ///< something is mounted at the folder (asked when expected)
  SideState local;             ///< exists, and at least one file (the walk stops at one)
  bool pushed_before = false;  ///< the ".pushed" marker: an earlier push landed files
};

/// What the dry-run pre-check saw.
struct OneWayPrecheck {
  bool remote_missing = false;  ///< a pull's source does not exist ("directory not found")
  DryRunTally tally;            ///< what it would copy and delete (unreadable copies left out)
};

/// Everything next_oneway_step needs to know: the settings, then what was observed.
struct OneWayProgress {
  Direction direction = Direction::push_only;
  bool dry_run = false;
  bool startup = false;  ///< the action's first run since the daemon started
  bool allow_empty_source = false;
  bool force_deletes = false;
  std::uint32_t max_delete_percent = 50;
  bool expect_mount = false;  ///< the spec mounts a volume at the local folder
  std::string local_path;     ///< for messages
  std::string remote_spec;    ///< for messages

  /// Why the folders may not be touched at all (a root that became a symlink to /).
  std::optional<std::string> root_problem;
  /// Every pending change is a readable regular file with a UTF-8 name (push-only, not a
  /// dry run, no mount expected): upload just those, without listing anything.
  bool quick = false;
  /// A list of files could not be handed to rclone: do without it (the full sync, or the
  /// copy that never deletes).
  bool list_unsendable = false;
  /// The daily trash pruning is due (push-only with the trash on, and a trash root).
  bool prune_due = false;

  std::optional<OneWayInspection> inspection;
  /// Files at the remote's top level (0 also when it does not exist); set by probe_remote.
  std::optional<std::uint64_t> probed;
  std::optional<SideState> remote;  ///< list_remote
  bool local_dir_made = false;
  bool restored = false;
  std::optional<OneWayPrecheck> precheck;
  bool transferred = false;  ///< the upload, copy or sync chosen ran (successfully)
  bool marked_pushed = false;
  bool pruned = false;
};

/// A step, and what goes with it.
struct OneWayNext {
  OneWayStep step = OneWayStep::done;
  OneWayEnd end = OneWayEnd::ok;  ///< when `step` is done
  std::string reason;             ///< why it was refused or skipped; why it restores
  /// For sync: rclone's --max-delete (nullopt: no limit). Deletions that appear between the
  /// pre-check and the sync still stop at the cap; a first push into an empty remote gets 0.
  std::optional<std::uint64_t> max_delete;
  /// The delete cap refused the pre-check's deletions: they are held back (reported) and
  /// only what is new or changed is copied.
  bool held_back = false;
  bool operator==(const OneWayNext&) const = default;
};

/// What to do next.
OneWayNext next_oneway_step(const OneWayProgress& progress);

}  // namespace coltec
