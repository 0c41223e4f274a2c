#pragma once
// Data-safety decisions (DESIGN.md invariant 1), as pure functions of what was observed.
// The executor gathers the observations (local walk, rclone listings and dry runs) and
// acts on the verdicts; these functions only decide, so every rule is tested with plain data.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <coltec/planner.hpp>
#include <coltec/run_notes.hpp>

namespace coltec {

/// What is known about one side of a sync before it runs.
struct SideState {
  bool exists = false;      ///< the root exists (a missing S3 prefix does not)
  std::uint64_t files = 0;  ///< regular files found (may stop counting at 1 locally)
  bool operator==(const SideState&) const = default;
};

/// What to do before an action's sync.
enum class Verdict {
  proceed,        ///< run the sync
  restore_first,  ///< copy remote -> local first (never deletes), then run
  refuse,         ///< do not run; needs a human or the opt-out
  skip,           ///< do not run, and that is fine: nothing can be done safely (reason warns)
};

/// A verdict with the sentence that explains it (logged, kept in health.json).
struct SafetyDecision {
  Verdict verdict = Verdict::proceed;
  std::string reason;
  bool operator==(const SafetyDecision&) const = default;
};

/// Inputs of the empty-source guard.
struct SourceCheck {
  Direction direction = Direction::bidirectional;
  SideState local;
  SideState remote;
  bool startup = false;             ///< first run of this action since the daemon started
  bool allow_empty_source = false;  ///< explicit opt-out (flag or persistence.safety)
  std::string remote_spec;          ///< the remote side as rclone names it (for messages)
};

/// The empty-source guard. An empty or missing source while the other side holds files:
/// at start-up (a fresh container) push and bisync restore first; later (an unmounted
/// volume, an `rm -rf`) they are refused. A pull-only remote that is missing or holds no
/// files is skipped with a warning naming it (nothing pulled, nothing deleted: rclone would
/// delete every local file): a prefix nobody has pushed to yet is a normal first state, and
/// a misspelt one must not cost data. With the opt-out, an existing empty remote is pulled
/// (emptying the local side); a missing one is still skipped (there is nothing to sync from).
SafetyDecision check_sources(const SourceCheck& check);

/// Why a run refuses a local folder that the spec mounts a volume at while nothing is
/// mounted there (an empty mount point would read as "everything deleted").
std::string unmounted_refusal(const std::string& local_path);

/// Deletions a sync would make, counted from its dry run.
struct DeletePlan {
  std::uint64_t deletes = 0;     ///< files the sync would delete at the destination
  std::uint64_t dest_files = 0;  ///< files at the destination before the sync
  bool operator==(const DeletePlan&) const = default;
};

/// Running tally of a `rclone sync --dry-run --use-json-log` output, fed line by line so a
/// huge dry run costs no memory. Non-JSON lines are ignored.
struct DryRunTally {
  std::uint64_t deletes = 0;  ///< "skipped":"delete" lines
  std::uint64_t copies = 0;   ///< "skipped":"copy" lines (new or changed files)
  /// Files rclone checked at the destination, from the last stats line. rclone 1.60 counts
  /// a file it deletes as checked too, so this is the destination's size.
  std::uint64_t checks = 0;
  std::uint64_t other = 0;  ///< any other skipped operation (e.g. a modification time)
  /// The "object" of each copy line, in order, while there are at most k_max_listed.
  std::vector<std::string> copy_objects;
  /// The "object" of the first delete lines (at most HeldBackDeletes::k_max_named).
  std::vector<std::string> delete_objects;
  static constexpr std::size_t k_max_listed = 1000;
  /// Fold one output line in.
  void add(std::string_view line);
  /// The deletions and the destination's size.
  DeletePlan plan() const { return {deletes, checks > deletes ? checks : deletes}; }
  /// Whether the real sync would change nothing (so it need not run at all).
  bool nothing_to_do() const { return deletes == 0 && copies == 0 && other == 0; }
  /// A lower bound of the files at the source (those matched plus those to copy); zero
  /// exactly when the source is empty.
  std::uint64_t source_files() const { return (checks > deletes ? checks - deletes : 0) + copies; }
};

/// Whether a push whose dry run found only new or changed files (no deletes, nothing else)
/// may upload just those files (`copy --files-from-raw --no-traverse`) instead of running the
/// whole sync again: every copy is named, there are at most DryRunTally::k_max_listed of them
/// and at most one per 20 files at the destination (each is looked up on its own, which must
/// stay cheaper than listing), and no name holds a line break (the list is one per line).
bool upload_listed_only(const DryRunTally& tally);

/// How a run whose deletions a delete guard refused still copies what is new or changed.
enum class HeldBackCopy {
  nothing,  ///< the dry run found only deletions: nothing to copy
  listed,   ///< push-only: upload just the files the dry run named (as upload_listed_only)
  full,     ///< rclone copy SOURCE DEST: compares both sides again, never deletes
};

/// The copy that replaces a sync whose deletions are held back. `listed` only for push-only
/// runs whose copies pass the same tests as upload_listed_only (deletions aside).
HeldBackCopy held_back_copy(const DryRunTally& tally, Direction direction);

/// What to report when the delete cap refused the deletions of `action`'s sync (dry run in
/// `tally`, cap `max_percent`): how many, the first names (control characters shown as '?'),
/// and a sentence saying what was copied instead and how to apply the deletions
/// (--force-deletes, or a higher max_delete_percent). `trash`: a forced push moves what it
/// deletes into the trash, and the sentence says so.
HeldBackDeletes held_back_deletes(const DryRunTally& tally, const Action& action,
                                  std::uint32_t max_percent, bool trash);

/// Count the deletions in a whole dry-run output (see DryRunTally).
DeletePlan count_planned_deletes(const std::vector<std::string>& lines);

/// The delete cap: refuse when more than `max_percent` % of the destination would be
/// deleted (and at least one file), unless `force`.
SafetyDecision check_delete_cap(const DeletePlan& plan, std::uint32_t max_percent, bool force);

/// Where a push-only sync moves what it deletes or overwrites on the remote: a sibling of
/// the synced folder, outside it: "<parent>/.coltec-trash/<action>/<stamp>".
/// Empty when the remote path has no parent to hold it.
std::string trash_dir_for(const Action& action, std::string_view stamp);

/// The folder holding every trash run of the action (for retention).
std::string trash_root_for(const Action& action);

}  // namespace coltec
