#pragma once
// Looking at a local folder before a sync touches it: does it exist and hold anything rclone
// would see, and is it the mount point the spec promises? Synchronous, bounded walks of the
// local disk (the executor's one direct view of it).

#include <string>
#include <vector>

#include <coltec/safety.hpp>

namespace coltec {

/// Whether the local side exists and holds at least one file rclone would see (the action's
/// rclone-style `exclude` patterns applied). Stops at the first such file.
SideState inspect_local(const std::string& root, const std::vector<std::string>& exclude);

/// Whether `path` (absolute, normalised) is a mount point, from /proc/self/mountinfo.
bool is_mount_point(const std::string& path);

}  // namespace coltec
