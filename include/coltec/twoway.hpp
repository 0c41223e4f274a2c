#pragma once
// The two-way sync engine's decisions: what changed on each side since the last run both
// sides agreed on (the baseline), and what to do about it. Pure: listings come in as values,
// a plan comes out; the executor lists, transfers and records (src/daemon/executor/).
//
// Why not `rclone bisync`: rclone 1.60's bisync writes local files in place (a killed run
// leaves a truncated file under the real name), loses its listings on any interruption and
// then needs a --resync that lets one side win, turns identical files changed on both sides
// into ..path1/..path2 copies, saves a fresh remote listing as its baseline after pushing (so
// another writer's uploads that landed meanwhile count as synced), and costs one HEAD per
// object per run on S3. Here the baseline is ours, is written only after a run finished,
// and records for every file what both sides looked like, so an interrupted run is simply
// run again: whatever it had already done is seen as "changed on both sides, identical".
//
// Paths are rclone's names (as `rclone lsjson` prints them): valid UTF-8, control
// characters shown as U+2400.., relative to the synced folder, '/' separated.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <coltec/rclone_listing.hpp>
#include <coltec/result.hpp>

namespace coltec {

/// What both sides held when they last agreed on one path.
struct BaselineEntry {
  FileState local;
  FileState remote;
  bool operator==(const BaselineEntry&) const = default;
};

/// How remote modification times in a baseline were read.
enum class RemoteTimes {
  server,    ///< the server's own write time (rclone --use-server-modtime): any rewrite shows
  metadata,  ///< the mtime rclone stored with the object (imported from a bisync listing)
};

/// The engine's memory of one action, kept in the state directory.
struct Baseline {
  std::map<std::string, BaselineEntry> files;
  RemoteTimes remote_times = RemoteTimes::server;
  /// The remote's generation marker as of the last finished run (see ControlState), or
  /// k_unsettled_generation when that run left a file for later.
  std::string generation;
  /// This daemon changed the remote and is not sure the others were told (no new marker
  /// written yet): the next run writes one first.
  bool owes_generation = false;
  /// Saved before a run's uploads (see TwoWayStep::owe_generation): each file it was about
  /// to send, with the local state sent, and the control folder's generation then. Empty in
  /// the baseline a finished run writes; the next run reads it with adopt_sent.
  std::map<std::string, FileState> sent;
  /// For each sent file the remote held when the run listed it: that remote version, which
  /// the upload was to replace. A remote still holding it got nothing from the upload, even
  /// when it is of the same size (another daemon's version the run had seen).
  std::map<std::string, FileState> sent_replaces;
  std::string sent_under;
  /// Conflict copies this engine made that still need a person (see README "Conflicts").
  std::vector<std::string> conflicts;
  bool operator==(const Baseline&) const = default;
};

/// The baseline file's text: a header line, then one line per file. Names are escaped, so
/// any name round-trips.
std::string format_baseline(const Baseline& baseline);
/// Parse format_baseline's text; an unknown format or a damaged line is an error (the caller
/// then treats the action as having no baseline, which is safe: every difference is compared).
Result<Baseline> parse_baseline(std::string_view text);

/// A baseline from rclone bisync's two listing files (`<workdir>/<session>.path1.lst` and
/// `.path2.lst`, written by the earlier daemon and by this one's releases before the two-way
/// engine): the upgrade path, so the first run after an upgrade sees only real changes.
/// Local states come from path1, remote ones from path2 in RemoteTimes::metadata; only paths
/// present in both listings are taken (one in a single listing was mid-change: it is compared).
Result<Baseline> import_bisync_listings(std::string_view path1, std::string_view path2);

/// Whether `file_name` is the path1 listing of bisync's session for these two roots (rclone
/// names sessions "<local path>..<remote name>[{hash}]_<remote path>", every character that
/// is not a letter or digit replaced by '_'; the hash appears when options were overridden).
bool is_bisync_session_listing(const std::string& file_name, const std::string& local_path,
                               const std::string& remote_name, const std::string& remote_path);

/// How the two sides' changes combine for one path.
enum class Change { none, created, modified, deleted };

/// What to do for one path.
enum class Op {
  upload,         ///< copy local -> remote (replaced remote versions go to the trash)
  download,       ///< copy remote -> local (replaced local versions go to the backup)
  delete_remote,  ///< move the remote file to the trash
  delete_local,   ///< move the local file to the backup
  compare,        ///< both sides changed or are new: identical content is fine, else conflict
  forget,         ///< both sides deleted it: drop it from the baseline
  refresh,        ///< the same content, new times: record the new times
};

/// One decision, with its reason for the log.
struct PathAction {
  std::string path;
  Op op = Op::upload;
  Change local = Change::none;
  Change remote = Change::none;
  bool operator==(const PathAction&) const = default;
};

/// Inputs that are not listings.
struct ReconcileOptions {
  /// Folders (relative, no trailing '/') the local listing could not read: nothing under them
  /// counts as deleted locally.
  std::vector<std::string> local_unreadable;
  /// The same for the remote listing.
  std::vector<std::string> remote_unreadable;
  /// Paths to leave alone this run (e.g. a local name rclone cannot represent).
  std::vector<std::string> skipped;
  std::uint32_t max_delete_percent = 50;  ///< of the side's files in the baseline
  bool force_deletes = false;
  bool allow_empty_source = false;
  /// True when `remote` was listed in RemoteTimes::metadata terms (the upgrade run of an
  /// imported baseline); remote times then compare with the baseline's as they are.
  bool remote_listing_has_metadata_times = false;
};

/// The outcome of comparing baseline, local and remote.
struct SyncPlan {
  std::vector<PathAction> actions;  ///< sorted by path
  /// Deletions held back by the delete cap (still in the baseline, so they stay pending).
  std::vector<std::string> held_back_deletes;
  std::string held_back_reason;  ///< set when held_back_deletes is not empty
  /// Set when nothing may run at all (a side that emptied while the baseline held files).
  std::optional<std::string> refusal;
  bool empty() const { return actions.empty(); }
  bool operator==(const SyncPlan&) const = default;
};

/// Whether a side's file differs from what the baseline recorded for that side. Sizes
/// always count; with an md5 on both, the md5 decides (a rewrite with the same bytes is not
/// a change); otherwise the time does.
bool differs(const FileState& now, const FileState& recorded);

/// Decide every path (pure; see README "Two-way sync" for the table).
SyncPlan reconcile(const Baseline& baseline, const Listing& local, const Listing& remote,
                   const ReconcileOptions& options);

/// Which version stays under the original name when both sides changed a file differently:
/// the newer one (by the file's own modification time); a tie keeps the local one.
enum class Winner { local, remote };
Winner conflict_winner(std::int64_t local_mtime_ns, std::int64_t remote_mtime_ns);

/// The name of the conflict copy for `path`: "dir/name.conflict-<stamp>-<side>.ext" (the
/// extension after the last '.' of the file name is kept, so editors still know the type).
/// `stamp` is a UTC time such as 20261201T120000Z; `side` is "local" or "remote".
std::string conflict_name(const std::string& path, const std::string& stamp,
                          const std::string& side);

}  // namespace coltec
