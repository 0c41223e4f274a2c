// Turning inotify events into per-action reports: decoding, mapping a path to the
// deepest root that holds it, excludes and daemon-owned paths, new directories, lost
// roots and queue overflows.

#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <sys/inotify.h>

#include <coltec/watcher.hpp>

namespace coltec {

Result<std::vector<InotifyEvent>> parse_events(std::span<const std::byte> bytes) {
  std::vector<InotifyEvent> events;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    inotify_event header{};
    if (bytes.size() - offset < sizeof header) {
      return make_error("truncated inotify event header at offset " + std::to_string(offset));
    }
    std::memcpy(&header, bytes.data() + offset, sizeof header);
    offset += sizeof header;
    if (header.len > bytes.size() - offset) {
      return make_error("inotify event name runs past the buffer at offset " +
                        std::to_string(offset));
    }
    const char* name = reinterpret_cast<const char*>(bytes.data() + offset);
    events.push_back(InotifyEvent{header.wd, header.mask, header.cookie,
                                  std::string(name, ::strnlen(name, header.len))});
    offset += header.len;
  }
  return events;
}

struct Watcher::Batch {
  bool overflow = false;
  std::set<std::size_t> dirty;  // root indices, ordered so reports follow add_root order
  std::map<std::size_t, std::vector<ChangedPath>> paths;  // per root, bounded
  std::set<std::size_t> truncated;                        // roots with too many paths
};

void Watcher::handle_events(const std::vector<InotifyEvent>& events) {
  Batch batch;
  for (const InotifyEvent& event : events) {
    if (!m_alive) return;  // stop() was called from a callback
    handle_event(event, batch);
  }
  if (m_alive) finish_batch(batch);
}

void Watcher::handle_event(const InotifyEvent& event, Batch& batch) {
  if ((event.mask & IN_Q_OVERFLOW) != 0) {
    batch.overflow = true;
    return;
  }
  const auto it = m_watches.find(event.wd);
  if (it == m_watches.end()) return;  // released already; late events are harmless
  const std::string dir = it->second.path;
  if ((event.mask & IN_IGNORED) != 0) {
    forget_watch(event.wd);
    return;
  }
  if ((event.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) != 0) {
    handle_self_gone(dir);
    return;
  }
  if (event.name.empty()) return;
  const std::string path = join_path(dir, event.name);
  const bool is_dir = (event.mask & IN_ISDIR) != 0;
  // Paths below a directory renamed away are stale; MOVED_TO re-adds it where it landed.
  if (is_dir && (event.mask & IN_MOVED_FROM) != 0) remove_subtree(path);
  if (is_ignored_path(path)) return;
  for (const std::size_t index : deepest_roots(path)) {
    const RootState& root = m_roots[index];
    const std::string relative = relative_path(root.root, path);
    if (!root.filter.excluded(relative, is_dir) && !m_ignored_names.excluded(relative, is_dir)) {
      batch.dirty.insert(index);
      auto& list = batch.paths[index];
      if (list.size() < k_max_reported_paths) {
        list.push_back({relative, is_dir});
      } else {
        batch.truncated.insert(index);
      }
    }
  }
  if (is_dir && (event.mask & (IN_CREATE | IN_MOVED_TO)) != 0) handle_new_dir(path);
}

void Watcher::handle_self_gone(const std::string& dir) {
  for (std::size_t index = 0; index < m_roots.size(); ++index) {
    if (m_roots[index].mode != WatchMode::watching || m_roots[index].root != dir) continue;
    fall_back(index, WatchMode::root_missing,
              "local root " + dir + " disappeared (deleted, moved or unmounted); action '" +
                  m_roots[index].spec.action +
                  "' is synced at its interval until the root is back");
  }
}

void Watcher::handle_new_dir(const std::string& path) {
  // Every root holding the new directory watches it (nested roots share the kernel
  // watch), so releasing one root never blinds another. Files created before the watch
  // existed are covered by the change already reported for the directory itself.
  for (std::size_t index = 0; index < m_roots.size(); ++index) {
    const RootState& root = m_roots[index];
    if (root.mode != WatchMode::watching || !is_under(path, root.root) ||
        root.filter.excluded(relative_path(root.root, path), true)) {
      continue;
    }
    walk(index, path);
  }
}

void Watcher::finish_batch(const Batch& batch) {
  std::set<std::size_t> overflowed;
  if (batch.overflow) {
    for (std::size_t index = 0; index < m_roots.size(); ++index) {
      if (m_roots[index].mode == WatchMode::watching) overflowed.insert(index);
    }
    // Directories created while events were dropped have no watch yet: one walk per root
    // finds them (existing watches are reused), and never more than one per overflow.
    for (const std::size_t index : overflowed) {
      if (m_roots[index].mode == WatchMode::watching) walk(index, m_roots[index].root);
    }
  }
  for (const std::size_t index : overflowed) {
    if (!m_alive) return;
    if (m_callbacks.on_overflow) m_callbacks.on_overflow(m_roots[index].spec.action);
  }
  for (const std::size_t index : batch.dirty) {
    if (!m_alive) return;
    if (overflowed.count(index) != 0) continue;
    if (m_callbacks.on_paths) {
      const auto found = batch.paths.find(index);
      m_callbacks.on_paths(m_roots[index].spec.action,
                           found != batch.paths.end() ? found->second : std::vector<ChangedPath>{},
                           batch.truncated.count(index) == 0);
      if (!m_alive) return;
    }
    if (m_callbacks.on_change) m_callbacks.on_change(m_roots[index].spec.action);
  }
}

std::vector<std::size_t> Watcher::deepest_roots(const std::string& path) const {
  std::vector<std::size_t> best;
  std::size_t best_length = 0;
  for (std::size_t index = 0; index < m_roots.size(); ++index) {
    const RootState& root = m_roots[index];
    if (root.mode == WatchMode::root_missing || !is_under(path, root.root)) continue;
    if (root.root.size() > best_length) {
      best.clear();
      best_length = root.root.size();
    }
    if (root.root.size() == best_length) best.push_back(index);
  }
  return best;
}

bool Watcher::is_ignored_path(const std::string& path) const {
  for (const std::string& prefix : m_options.ignored_prefixes) {
    if (path == prefix || is_under(path, prefix)) return true;
  }
  return false;
}

}  // namespace coltec
