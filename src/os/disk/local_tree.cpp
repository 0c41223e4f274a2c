// Looking at the local side before a sync: does the root exist, does it hold any file
// rclone would see? The walk stops at the first such file, so it costs little however big
// the tree is, and it honours the action's excludes (a folder holding only excluded files
// is empty as far as rclone is concerned, and mirroring it would delete the remote).

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <coltec/local_tree.hpp>
#include <coltec/rclone_filter.hpp>

namespace coltec {

namespace fs = std::filesystem;

SideState inspect_local(const std::string& root, const std::vector<std::string>& exclude) {
  SideState state;
  std::error_code ec;
  const auto st = fs::symlink_status(root, ec);
  if (ec || !fs::is_directory(st)) return state;
  state.exists = true;
  const auto filter = ExcludeFilter::build(exclude);
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto rel = fs::relative(it->path(), root, ec).generic_string();
    if (ec) break;
    const bool is_dir = it->is_directory(ec) && !it->is_symlink(ec);
    if (filter.excluded(rel, is_dir)) {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (!is_dir) {
      state.files = 1;  // one is enough to know the side is not empty
      break;
    }
  }
  return state;
}

}  // namespace coltec

namespace coltec {

bool is_mount_point(const std::string& path) {
  // st_dev comparisons miss bind mounts from the same filesystem; mountinfo lists them all.
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    std::string decoded;  // the kernel escapes space, tab, newline and backslash as \ooo
    for (std::size_t i = 0; i < mount_point.size(); ++i) {
      const bool escape = mount_point[i] == '\\' && i + 3 < mount_point.size() &&
                          std::all_of(mount_point.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                      mount_point.begin() + static_cast<std::ptrdiff_t>(i) + 4,
                                      [](char ch) { return ch >= '0' && ch <= '7'; });
      if (escape) {
        decoded +=
            static_cast<char>(((mount_point[i + 1] - '0') << 6) |
                              ((mount_point[i + 2] - '0') << 3) | (mount_point[i + 3] - '0'));
        i += 3;
      } else {
        decoded += mount_point[i];
      }
    }
    if (decoded == path) return true;
  }
  return false;
}

}  // namespace coltec
