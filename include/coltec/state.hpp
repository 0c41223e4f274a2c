#pragma once
// The daemon's state directory: where it lives, atomic writes, the per-workspace lock,
// per-action markers and health.json.
// Layout of <base>/<workspace>/ (kept compatible with the earlier daemon); every path in it
// comes from the functions under "Layout" below, nowhere else:
//   daemon.lock        flock + our PID          health.json      Health, atomic
//   <action>.bisync    the earlier daemon's     bisync/          its rclone bisync --workdir
//                      first-run marker                          (listings the upgrade reads)
//   rclone.version     `rclone version`, cached under the binary's identity
//   restore-backup/    <action>/<stamp>/: local files a two-way run replaced
//   <action>.pushed, .trash-pruned   per-action markers (marker_path)
//   <action>.baseline  the two-way engine's baseline (marker_path)
//   owner-id           this state directory's name in claims     tmp/  two-way file lists

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <coltec/result.hpp>

namespace coltec {

/// The state directory of `workspace`: `$COLTEC_STATE_DIR/<workspace>` when set, else
/// `$XDG_DATA_HOME/coltec-daemon/<workspace>`, else `$HOME/.local/share/coltec-daemon/
/// <workspace>`. Pure: reads only `env`, touches nothing. Fails when the workspace name is
/// empty, ".", "..", contains '/' or a NUL, or when no base can be found (all unset or not
/// absolute).
Result<std::string> state_dir_for(const std::string& workspace,
                                  const std::map<std::string, std::string>& env);

/// Create directory `path` and missing parents (parents 0755, `path` itself `mode`, both
/// before umask). An existing `path` of ours looser than `mode` is tightened to `mode` (a
/// writable directory owned by someone else is used as it is). Fails, with
/// the path and the OS reason, when it cannot be created or is not writable, e.g.
/// "state directory /x is not writable: Permission denied".
Status ensure_dir(const std::string& path, unsigned mode);

/// Replace `path` with `contents` atomically: a temp file in the same directory is written,
/// fsynced, given `mode` (exact, not subject to umask), renamed over `path`, and the directory
/// is fsynced. A crash leaves either the old or the new file; on failure no temp file is left.
Status write_file_atomic(const std::string& path, const std::string& contents,
                         unsigned mode = 0644);

/// write_file_atomic with mode 0600, for files holding secrets (our rclone config).
Status write_private_file(const std::string& path, const std::string& contents);

// Layout: every file and directory of a workspace's state directory. Pure (paths only).

/// `<state_dir>/bisync`, the earlier daemon's rclone bisync --workdir (the two-way engine's
/// upgrade reads its listings).
std::string bisync_workdir(const std::string& state_dir);
/// `<state_dir>/health.json` (Health, written after every run).
std::string health_file(const std::string& state_dir);
/// `<state_dir>/daemon.lock` (WorkspaceLock).
std::string lock_file(const std::string& state_dir);
/// `<state_dir>/rclone.version` (the tool cache of `rclone version`).
std::string rclone_version_file(const std::string& state_dir);
/// `<state_dir>/owner-id`: this state directory's name in claims on shared remote paths.
std::string owner_id_file(const std::string& state_dir);
/// `<state_dir>/restore-backup/`: where a two-way run keeps the local files it replaced.
std::string restore_backup_root(const std::string& state_dir);
/// `<state_dir>/restore-backup/<action>/<stamp>`: one recovery's copies.
std::string restore_backup_dir(const std::string& state_dir, const std::string& action,
                               const std::string& stamp);
/// Create `state_dir` and its bisync workdir, both 0700 (see ensure_dir).
Status ensure_state_layout(const std::string& state_dir);

/// `<state_dir>/<action><suffix>`: an empty per-action marker file. ".bisync" (the default)
/// is the earlier daemon's first-run marker; the executor keeps ".pushed" and
/// ".trash-pruned".
std::string marker_path(const std::string& state_dir, const std::string& action,
                        std::string_view suffix = ".bisync");
/// True when the marker exists (false for an action name that cannot name a file).
bool has_marker(const std::string& state_dir, const std::string& action,
                std::string_view suffix = ".bisync");
/// Create the (empty) marker, atomically; a new file, so its mtime is now.
Status write_marker(const std::string& state_dir, const std::string& action,
                    std::string_view suffix = ".bisync");
/// Remove the marker; removing a missing marker succeeds.
Status remove_marker(const std::string& state_dir, const std::string& action,
                     std::string_view suffix = ".bisync");

/// An exclusive flock on a workspace's `daemon.lock`, with our PID written into the file.
/// Released (and the file closed) on destruction; the file itself is left in place so a
/// waiting reader never sees it vanish. Move-only. Not thread-safe.
class WorkspaceLock {
 public:
  /// Take the lock at `path` without blocking (creating the file 0644 if needed). Fails
  /// when another open file description holds it, naming the holder when its PID is known:
  /// "another coltec-daemon (pid 1234) holds /x/daemon.lock"; and when `path` is a symlink,
  /// which is never followed (its target would be truncated).
  static Result<WorkspaceLock> acquire(const std::string& path);

  WorkspaceLock(WorkspaceLock&& other) noexcept;
  WorkspaceLock& operator=(WorkspaceLock&& other) noexcept;
  WorkspaceLock(const WorkspaceLock&) = delete;
  WorkspaceLock& operator=(const WorkspaceLock&) = delete;
  ~WorkspaceLock();

  /// The lock file's path.
  const std::string& path() const { return m_path; }

 private:
  WorkspaceLock(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
  int m_fd = -1;
  std::string m_path;
};

/// Whether the lock at `path` is held, and by whom: the PID written in the file when it is
/// held (0 when held but the file holds no valid PID), std::nullopt when it is free or the
/// file does not exist. Never takes or keeps the lock.
std::optional<int> lock_holder(const std::string& path);

/// One action's entry in health.json. Times are unix seconds (UTC).
struct ActionHealth {
  std::string name;
  std::string direction;
  /// "ok" | "held-back" (ok, deletions held back) | "failed" | "refused" | "needs-resync" |
  /// "cancelled" | "running" | "never"
  std::string last_result = "never";
  std::string last_error;
  std::optional<std::int64_t> last_success;
  std::optional<std::int64_t> last_attempt;
  std::optional<std::int64_t> next_run;
  std::uint32_t consecutive_failures = 0;
  std::uint64_t files = 0;  ///< files transferred by the last run
  std::uint64_t bytes = 0;  ///< bytes transferred by the last run
  std::uint64_t pending_changes = 0;
  bool needs_attention = false;
  /// Bidirectional: conflict copies that wait for a person (README "Conflicts").
  std::vector<std::string> conflicts;
  std::uint64_t held_back_deletes = 0;       ///< deletions the last run's delete cap held back
  std::vector<std::string> held_back_files;  ///< the first of them
  std::vector<std::string> warnings;         ///< the last run's warnings (nothing at risk)
  bool operator==(const ActionHealth&) const = default;
};

/// health.json. The first five fields are the earlier daemon's format and keep their names.
struct Health {
  bool healthy = false;
  std::optional<std::int64_t> last_success;  ///< unix seconds (UTC)
  std::optional<std::int64_t> last_attempt;  ///< unix seconds (UTC)
  std::uint32_t consecutive_failures = 0;
  std::string last_error;
  int pid = 0;
  std::string workspace;
  std::vector<ActionHealth> actions;
  bool operator==(const Health&) const = default;
};

/// `h` as JSON; times become RFC 3339 UTC strings ("2026-11-23T12:00:00Z"), absent times null.
nlohmann::json to_json(const Health& h);
/// Parse health JSON. Missing optional fields take their defaults; wrong types, bad times,
/// out-of-range numbers or a non-object give an error (never a throw).
Result<Health> health_from_json(const nlohmann::json& j);

/// Read and parse health.json. A missing, unreadable, oversized (> 16 MiB) or broken file
/// gives an error naming the path.
Result<Health> read_health(const std::string& path);
/// Write health.json atomically (0644).
Status write_health(const std::string& path, const Health& h);

/// Unix seconds as RFC 3339 UTC, e.g. "2026-11-23T12:00:00Z".
std::string format_rfc3339(std::int64_t unix_seconds);
/// Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" into unix seconds (fraction dropped).
Result<std::int64_t> parse_rfc3339(const std::string& text);

/// What identifies an executable for caching facts about it (ccache's compiler check).
struct FileIdentity {
  std::string path;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};
/// stat() of `path` (following symlinks, so a re-pointed link is a different file); nullopt
/// unless it is a regular file.
std::optional<FileIdentity> identify_file(const std::string& path);
/// The cache file's text: one JSON object with a format number, the identity, and `fact`
/// (its first line only).
std::string tool_cache_text(const FileIdentity& id, std::string_view fact);
/// The fact in `text` when it was recorded for exactly `id`; nullopt for any other identity,
/// another format, a missing or mistyped field, or text that is not JSON. Pure.
std::optional<std::string> tool_cache_fact(std::string_view text, const FileIdentity& id);
/// read_small_file + tool_cache_fact; nullopt when missing or unreadable.
std::optional<std::string> read_tool_cache(const std::string& path, const FileIdentity& id);
/// Atomic, 0600.
Status write_tool_cache(const std::string& path, const FileIdentity& id, std::string_view fact);

}  // namespace coltec
