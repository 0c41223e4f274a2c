#pragma once
// The order of a two-way run, decided by a pure function of what the run has observed so
// far (as ninja's Plan answers "what is ready"): the executor carries out each step and
// records what it saw, then asks again. Also the plan for a run triggered by local changes
// alone, and how compared files resolve into conflicts.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <coltec/twoway.hpp>
#include <coltec/twoway_control.hpp>

namespace coltec {

/// Why a two-way run started.
enum class TwoWayTrigger {
  full,           ///< start-up, reconcile, retry, manual, overflow: list both sides
  local_changes,  ///< the watcher reported changes: if nothing changed remotely, send them
  check,          ///< an interval with no local change: look at the generation, maybe stop
};

/// One step of a two-way run.
enum class TwoWayStep {
  list_control,      ///< lsjson of the remote control folder
  list_sides,        ///< lsjson of the remote and of the local folder
  claim,             ///< write our claim file
  verify_claim,      ///< lsjson of the control folder: did we get the turn?
  hash_local,        ///< md5 of the local files to compare (remote has md5s)
  fetch,             ///< download remote versions into the local staging folder
  apply_local,       ///< renames on the local disk: placements, conflict copies, backups
  upload,            ///< local -> remote, replaced remote versions to the trash
  delete_remote,     ///< remote files to the trash
  lookup_uploaded,   ///< what the uploaded files look like on the remote now
  save_baseline,     ///< write the new baseline
  owe_generation,    ///< save the baseline owing a marker, before the remote changes
  write_generation,  ///< a new gen-<id>: one the baseline owed, or after the remote changed
  release,           ///< remove our claim and the old generation
  done,
};

/// Stable lower-case name, for logs ("list_control").
const char* to_string(TwoWayStep step);

/// How a two-way run ended when it did not sync (for the report).
enum class TwoWayStop {
  none,       ///< still running, or finished normally
  unchanged,  ///< a check found the remote generation unchanged and nothing local to do
  deferred,   ///< another daemon holds the turn on this remote path
  refused,    ///< the plan refused (a side went empty)
  failed,     ///< a step failed
};

/// Everything next_step needs to know.
struct TwoWayProgress {
  TwoWayTrigger trigger = TwoWayTrigger::full;
  bool have_baseline = false;
  bool dry_run = false;
  /// The baseline owes the others a marker (Baseline::owes_generation): written first.
  bool owes_generation = false;
  bool owed_written = false;  ///< that marker's write was tried
  /// The quick plan (local changes only, see quick_plan) when one applies.
  bool quick = false;
  std::optional<ControlState> control;  ///< first listing of the control folder
  /// Control's first valid claim was someone else's (whose_turn == Turn::other). Only
  /// then does a run wait: another daemon's claim behind our own leftover one (a killed
  /// run, a release that failed) must not stop us, or two leftovers stop both daemons.
  bool other_claim = false;
  /// Control holds a claim of ours from an earlier run (killed, or its release failed while
  /// the remote was away). A run that stops early removes it too: an idle daemon would
  /// otherwise hold every other daemon back until the claim expires.
  bool own_leftover_claim = false;
  std::string baseline_generation;            ///< Baseline::generation
  std::optional<Turn> turn_after_claim;       ///< from verify_claim
  bool generation_moved_under_claim = false;  ///< verify_claim saw a new generation
  bool listed = false;                        ///< list_sides done (for the current plan)
  bool relisted = false;                      ///< list_sides repeated under our claim
  std::optional<SyncPlan> plan;
  bool claimed = false;
  bool needs_hashes = false;  ///< compare paths whose remote has md5s
  bool hashed = false;
  bool needs_fetch = false;  ///< downloads or compares that need the remote bytes
  bool fetched = false;
  bool local_applied = false;
  bool needs_upload = false;
  bool uploaded = false;
  bool needs_remote_delete = false;
  bool remote_deleted = false;
  bool looked_up = false;
  bool owed_recorded = false;  ///< owe_generation done
  bool saved = false;
  bool generation_written = false;
  bool released = false;
  bool failed = false;
};

/// A step, and when it is `done`, why the run stopped early (none: it ran to the end).
struct NextStep {
  TwoWayStep step = TwoWayStep::done;
  TwoWayStop stop = TwoWayStop::none;
  bool operator==(const NextStep&) const = default;
};

/// What to do next.
NextStep next_step(const TwoWayProgress& progress);

/// Whether the plan changes anything on either side (else only the baseline is written and no
/// claim is needed).
bool plan_transfers(const SyncPlan& plan);

/// A baseline generation no control folder can hold ("gen-…" names only): a run that left a
/// file for later records it, so the next interval's check lists both sides again instead of
/// taking "generation unchanged" for "nothing to do" (else the file waits for the reconcile).
inline constexpr std::string_view k_unsettled_generation = "unsettled";

/// What a run saw that decides the generation its baseline records.
struct RunGenerations {
  bool left_work = false;       ///< some file was left for a later run
  bool remote_changed = false;  ///< this run uploaded or deleted something on the remote
  bool marker_written = false;  ///< ...and its new marker is on the remote
  std::string new_generation;   ///< that marker's name
  /// The control folder's generation as this run last listed it (nullopt: not listed).
  std::optional<std::string> seen;
  std::string old_generation;  ///< what the baseline held before
  bool owed_before = false;    ///< the baseline owed a marker at the start
  bool owed_paid = false;      ///< ...and this run wrote one
};

/// The generation a run's baseline records, and whether it still owes the others a marker.
struct RecordedGeneration {
  std::string generation;
  bool owes = false;
  bool operator==(const RecordedGeneration&) const = default;
};
RecordedGeneration recorded_generation(const RunGenerations& run);

/// After a run that was stopped while sending (killed, or failed in the upload): takes each
/// file it was sending as sent and recorded when the remote now holds a version of that size
/// other than the one the upload was to replace (Baseline::sent_replaces, else the
/// baseline's), and nobody has changed the remote since (the control folder's
/// generation, less our own marker `own_marker`, is still Baseline::sent_under). Else the file
/// is compared as usual. Without this, a file sent and then deleted locally before the next
/// run would look "changed on the remote" and come back. Clears Baseline::sent; returns the
/// paths taken.
std::vector<std::string> adopt_sent(Baseline& baseline, const Listing& remote,
                                    const ControlState& control, const std::string& own_marker);

/// A local change as the watcher reported it, looked at again just before the run.
struct LocalChange {
  std::string path;                ///< rclone's name for it
  std::optional<FileState> state;  ///< a regular file now; nullopt: gone
  bool operator==(const LocalChange&) const = default;
};

/// The plan for changes the watcher saw when the remote's generation is what the baseline
/// recorded (so the remote side is as the baseline says): upload what changed, move to the
/// trash what was deleted. nullopt when a full run is needed instead: a change the baseline
/// cannot place, or deletions past the delete cap.
std::optional<SyncPlan> quick_plan(const Baseline& baseline,
                                   const std::vector<LocalChange>& changes,
                                   std::uint32_t max_delete_percent, bool force_deletes);

/// What comparing one path's two versions found.
struct CompareFacts {
  FileState local;
  FileState remote;
  /// Set once known: md5s of both (remote from its listing, local hashed) or the bytes.
  std::optional<bool> identical;
  /// The remote version's own modification time (the fetched copy's mtime).
  std::optional<std::int64_t> remote_file_mtime_ns;
};

/// The resolution of a compared path.
enum class Resolution {
  identical,     ///< record both sides, transfer nothing
  need_content,  ///< fetch the remote version (and compare the bytes)
  local_wins,    ///< the remote version becomes "<name>.conflict-…-remote"
  remote_wins,   ///< the local version becomes "<name>.conflict-…-local"
};
Resolution resolve(const CompareFacts& facts);

}  // namespace coltec
