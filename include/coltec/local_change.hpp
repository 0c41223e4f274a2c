#pragma once
// What the watcher reports about one change below a watched root, and how many such
// reports one batch carries. Plain values shared by the watcher (which produces them) and
// the executor (which turns them into the files a quick upload sends).

#include <cstddef>
#include <string>

namespace coltec {

/// One changed path below a watched root.
struct ChangedPath {
  std::string relative;  ///< relative to the root, no leading '/'
  bool is_dir = false;   ///< the event was about a directory (created, moved, deleted)
  bool operator==(const ChangedPath&) const = default;
};

/// Most changed paths reported per action per batch (beyond that: complete = false).
inline constexpr std::size_t k_max_reported_paths = 1000;

}  // namespace coltec
