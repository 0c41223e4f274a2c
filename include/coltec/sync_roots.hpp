#pragma once
// Where a sync may never point: the root of the file system, the system's own folders and
// the daemon's own state. Pure: paths in, a sentence out. The loader applies it to the
// spec's local paths, the planner to local remotes, and the daemon to the same paths as the
// disk resolves them (symlinks followed) before every run.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace coltec {

/// A system folder a sync must not use: the folder itself (`subtree` false: /home, /var, …,
/// whose subfolders are people's own), or the folder and everything below it (/etc, /usr,
/// /proc, …).
struct SystemFolder {
  std::string_view path;
  bool subtree = false;
};

/// Every system folder, in the order they are checked (documented in README).
std::span<const SystemFolder> system_folders();

/// `path` with repeated '/', '.' and '..' resolved by text alone ('..' never climbs above
/// '/') and no trailing '/'. A relative path is returned unchanged.
std::string normalize_path(std::string_view path);

/// Why an absolute `path` may not be a sync root, as the end of a sentence that starts with
/// its name ("resolves to /, the root of the file system: …", "is the system folder /etc,
/// …", "lies in the system folder /proc, …"); nullopt when it may. The sentence names only
/// the folder of the list, never `path`, so it is safe to print whatever `path` holds.
std::optional<std::string> system_folder_refusal(std::string_view path);

/// system_folder_refusal, and also refused: `state_dir` (the daemon's per-workspace state),
/// anything inside it, and any folder that holds it (the sync would copy the state, and
/// could delete it). An empty `state_dir` adds nothing.
std::optional<std::string> sync_root_refusal(std::string_view path, std::string_view state_dir);

}  // namespace coltec
