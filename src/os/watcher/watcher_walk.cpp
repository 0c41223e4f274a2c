// Adding and releasing watches: the recursive walk (an explicit stack, never the C++
// stack, so depth is bounded only by memory), symlinks never followed, and the fallback
// to polling when the kernel refuses more watches.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/watcher.hpp>

namespace coltec {
namespace {

constexpr std::uint32_t k_dir_events = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE |
                                       IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
                                       IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

void erase_path(std::map<std::string, int, std::less<>>& by_path, const std::string& path, int wd) {
  const auto it = by_path.find(path);
  if (it != by_path.end() && it->second == wd) by_path.erase(it);
}

std::string limit_message(const std::string& path, const std::string& action) {
  return "inotify watch limit reached (fs.inotify.max_user_watches) while adding a watch "
         "for " +
         path + "; action '" + action +
         "' falls back to interval polling and its watches are released. Raise the limit, "
         "e.g. sysctl -w fs.inotify.max_user_watches=524288";
}

bool is_subdirectory(int dir_fd, const dirent& entry) {
  if (entry.d_type == DT_DIR) return true;
  if (entry.d_type != DT_UNKNOWN) return false;
  struct stat st {};
  return ::fstatat(dir_fd, entry.d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string Watcher::join_path(const std::string& dir, std::string_view name) {
  std::string out = dir;
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string Watcher::relative_path(const std::string& root, const std::string& path) {
  return path.substr(root == "/" ? 1 : root.size() + 1);
}

bool Watcher::is_under(std::string_view path, std::string_view root) {
  if (root == "/") return path.size() > 1 && path.front() == '/';
  return path.size() > root.size() + 1 && path.starts_with(root) && path[root.size()] == '/';
}

bool Watcher::root_is_directory(std::size_t index, std::string& why) const {
  const std::string& root = m_roots[index].root;
  struct stat st {};
  if (root.empty() || root.front() != '/') {
    why = "is not an absolute path";
    return false;
  }
  if (::stat(root.c_str(), &st) != 0) {
    why = errno == ENOENT ? "does not exist"
                          : "cannot be read (" + std::string(std::strerror(errno)) + ")";
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    why = "is not a directory";
    return false;
  }
  return true;
}

bool Watcher::setup_root(std::size_t index) {
  std::string why;
  if (!root_is_directory(index, why)) {
    const RootState& root = m_roots[index];
    fall_back(index, WatchMode::root_missing,
              "local root " + root.root + " " + why + "; action '" + root.spec.action +
                  "' is synced at its interval until the root can be watched");
    return false;
  }
  return walk(index, m_roots[index].root);
}

bool Watcher::walk(std::size_t index, const std::string& start) {
  std::vector<std::string> stack{start};
  while (!stack.empty()) {
    const std::string dir = std::move(stack.back());
    stack.pop_back();
    const AddOutcome outcome = add_watch(index, dir);
    if (outcome == AddOutcome::limit_reached) {
      fall_back(index, WatchMode::polling, limit_message(dir, m_roots[index].spec.action));
      return false;
    }
    if (outcome == AddOutcome::skipped && dir == m_roots[index].root) {
      fall_back(index, WatchMode::polling,
                "local root " + dir + " cannot be watched; action '" + m_roots[index].spec.action +
                    "' is synced at its interval");
      return false;
    }
    if (outcome == AddOutcome::added) push_subdirs(index, dir, stack);
  }
  return true;
}

Watcher::AddOutcome Watcher::add_watch(std::size_t index, const std::string& path) {
  // The root may be a symlink to the real folder (rclone follows it too); below the root
  // nothing is followed, so a symlink cannot lead the watcher out of the tree.
  const bool is_root = path == m_roots[index].root;
  const int wd = m_api->add_watch(m_fd, path, k_dir_events | (is_root ? 0u : IN_DONT_FOLLOW));
  if (wd == -ENOSPC || wd == -ENOMEM) return AddOutcome::limit_reached;
  if (wd < 0) {
    // ENOENT/ENOTDIR: the directory vanished or was swapped for a symlink since we listed
    // it; its parent's event covers that.
    if (wd != -ENOENT && wd != -ENOTDIR && m_callbacks.on_watch_error) {
      m_callbacks.on_watch_error(m_roots[index].spec.action,
                                 "cannot watch " + path + " (" + std::strerror(-wd) +
                                     "); changes below it are seen by the interval sync only");
    }
    return AddOutcome::skipped;
  }
  auto [it, inserted] = m_watches.try_emplace(wd);
  WatchEntry& entry = it->second;
  if (!inserted && entry.path != path) erase_path(m_wd_by_path, entry.path, wd);
  entry.path = path;
  m_wd_by_path[path] = wd;
  if (std::find(entry.owners.begin(), entry.owners.end(), index) == entry.owners.end()) {
    entry.owners.push_back(index);
  }
  return AddOutcome::added;
}

void Watcher::push_subdirs(std::size_t index, const std::string& dir,
                           std::vector<std::string>& stack) {
  const RootState& root = m_roots[index];
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (dir == root.root ? 0 : O_NOFOLLOW);
  const int fd = ::open(dir.c_str(), flags);
  if (fd < 0) return;
  DIR* listing = ::fdopendir(fd);
  if (listing == nullptr) {
    ::close(fd);
    return;
  }
  while (const dirent* entry = ::readdir(listing)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || !is_subdirectory(fd, *entry)) continue;
    std::string child = join_path(dir, name);
    if (is_ignored_path(child) || root.filter.dir_excluded(relative_path(root.root, child))) {
      continue;
    }
    stack.push_back(std::move(child));
  }
  ::closedir(listing);
}

void Watcher::release_root(std::size_t index) {
  for (auto it = m_watches.begin(); it != m_watches.end();) {
    std::erase(it->second.owners, index);
    if (!it->second.owners.empty()) {
      ++it;
      continue;
    }
    m_api->remove_watch(m_fd, it->first);
    erase_path(m_wd_by_path, it->second.path, it->first);
    it = m_watches.erase(it);
  }
}

void Watcher::remove_subtree(const std::string& path) {
  // A root moved away with its parent's rename is lost, not just forgotten.
  for (const RootState& root : m_roots) {
    if (root.mode == WatchMode::watching && (root.root == path || is_under(root.root, path))) {
      handle_self_gone(root.root);
    }
  }
  const std::string prefix = path + "/";
  std::vector<int> gone;
  const auto exact = m_wd_by_path.find(path);
  if (exact != m_wd_by_path.end()) gone.push_back(exact->second);
  for (auto it = m_wd_by_path.lower_bound(prefix);
       it != m_wd_by_path.end() && it->first.starts_with(prefix); ++it) {
    gone.push_back(it->second);
  }
  for (const int wd : gone) {
    m_api->remove_watch(m_fd, wd);
    forget_watch(wd);
  }
}

void Watcher::forget_watch(int wd) {
  const auto it = m_watches.find(wd);
  if (it == m_watches.end()) return;
  const std::string path = it->second.path;
  erase_path(m_wd_by_path, path, wd);
  m_watches.erase(it);
  // The kernel dropped a root's watch without DELETE_SELF/UNMOUNT first (e.g. after an
  // overflow ate those events): the root is no longer observed.
  handle_self_gone(path);
}

void Watcher::fall_back(std::size_t index, WatchMode mode, const std::string& message) {
  release_root(index);
  m_roots[index].mode = mode;
  if (m_callbacks.on_fallback) m_callbacks.on_fallback(m_roots[index].spec.action, message);
}

}  // namespace coltec
