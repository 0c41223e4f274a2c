#pragma once
// Looking at a local folder before a sync touches it: does it exist and hold anything rclone
// would see, and is it the mount point the spec promises? Synchronous, bounded walks of the
// local disk (the executor's one direct view of it).

#include <optional>
#include <string>
#include <vector>

#include <coltec/planner.hpp>
#include <coltec/safety.hpp>

namespace coltec {

/// Whether the local side exists and holds at least one file rclone would see (the action's
/// rclone-style `exclude` patterns applied). Stops at the first such file.
SideState inspect_local(const std::string& root, const std::vector<std::string>& exclude);

/// Whether `path` (absolute, normalised) is a mount point, from /proc/self/mountinfo.
bool is_mount_point(const std::string& path);

/// `path` as the disk resolves it now: symlinks followed for the part that exists, the rest
/// normalised by text (std::filesystem::weakly_canonical); normalised by text alone when
/// that fails.
std::string resolved_path(const std::string& path);

/// Why no run of `action` may start now: its local root, or the folder of a `local` remote,
/// is or resolves (symlinks followed) to the root of the file system, a system folder, or
/// the daemon's state directory `state_dir` (or a folder holding it); see
/// sync_root_refusal. A sentence naming the folder, or nullopt when the run may go ahead.
/// Checked before every run, because a folder can be replaced by a symlink at any time.
std::optional<std::string> sync_root_problem(const Action& action, const std::string& state_dir);

}  // namespace coltec
