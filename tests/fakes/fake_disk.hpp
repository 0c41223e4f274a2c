#pragma once
// An in-memory Disk (ninja's VirtualFileSystem): files with bytes and an mtime, folders implied
// by the files under them or made explicitly. Records every move so tests can assert on them.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <coltec/disk.hpp>
#include <coltec/rclone_filter.hpp>

namespace coltec {

class FakeDisk final : public Disk {
 public:
  struct File {
    std::string bytes;
    std::int64_t mtime_ns = 0;
  };

  /// Put a file (its folders exist from then on).
  void put(const std::string& path, std::string bytes, std::int64_t mtime_ns) {
    files[path] = File{std::move(bytes), mtime_ns};
  }
  bool has(const std::string& path) const { return files.count(path) != 0; }
  std::string bytes(const std::string& path) const {
    const auto it = files.find(path);
    return it == files.end() ? std::string("<missing>") : it->second.bytes;
  }

  DiskEntry stat(const std::string& path) override {
    DiskEntry e;
    if (const auto it = files.find(path); it != files.end()) {
      e.kind = EntryKind::file;
      e.state.size = it->second.bytes.size();
      e.state.mtime_ns = it->second.mtime_ns;
    } else if (is_dir(path)) {
      e.kind = EntryKind::directory;
    }
    return e;
  }
  Status move(const std::string& from, const std::string& to) override {
    const auto it = files.find(from);
    if (it == files.end() || fail_moves_to.count(to) != 0) {
      return make_error("cannot move " + from + " to " + to);
    }
    files[to] = it->second;
    files.erase(from);
    moves.emplace_back(from, to);
    return Unit{};
  }
  Result<bool> same_bytes(const std::string& a, const std::string& b) override {
    if (!has(a) || !has(b)) return make_error("missing file");
    return files.at(a).bytes == files.at(b).bytes;
  }
  Status make_dirs(const std::string& path) override {
    dirs.insert(path);
    return Unit{};
  }
  Status remove_all(const std::string& path) override {
    std::erase_if(files, [&](const auto& f) { return under(f.first, path); });
    std::erase_if(dirs, [&](const std::string& d) { return under(d, path); });
    return Unit{};
  }
  Result<std::string> read_file(const std::string& path, std::size_t max_bytes) override {
    if (!has(path)) return make_error("cannot read " + path + ": No such file or directory");
    if (files.at(path).bytes.size() > max_bytes) return make_error(path + " is too large");
    return files.at(path).bytes;
  }
  Status write_file(const std::string& path, const std::string& contents) override {
    if (fail_writes) return make_error("cannot write " + path);
    files[path] = File{contents, 0};
    return Unit{};
  }
  bool read_refused(const std::string& path, bool /*is_dir*/) override {
    return refused.contains(path);
  }

  SideState inspect(const std::string& root, const std::vector<std::string>& exclude) override {
    const auto filter = ExcludeFilter::build(exclude);
    SideState side{is_dir(root), 0};
    for (const auto& [path, file] : files) {
      if (!under(path, root) || path == root) continue;
      const auto rel = path.substr(root.size() + 1);
      bool excluded = filter.excluded(rel, false);
      for (auto slash = rel.find('/'); !excluded && slash != std::string::npos;
           slash = rel.find('/', slash + 1)) {
        excluded = filter.excluded(rel.substr(0, slash), true);
      }
      if (!excluded) return {true, 1};  // as the real walk, it stops at the first
    }
    return side;
  }
  bool is_mount_point(const std::string& path) override { return mounts.contains(path); }

  Result<std::vector<std::string>> list_dir(const std::string& path) override {
    std::set<std::string> names;
    for (const auto& [p, f] : files) {
      if (!under(p, path) || p == path) continue;
      const auto rest = p.substr(path.size() + 1);
      names.insert(rest.substr(0, rest.find('/')));
    }
    if (names.empty() && !is_dir(path)) return make_error("cannot list " + path);
    return std::vector<std::string>(names.begin(), names.end());
  }

  std::map<std::string, File> files;
  std::set<std::string> refused;  ///< paths read_refused says we may not read
  std::set<std::string> mounts;   ///< where is_mount_point finds something mounted
  std::set<std::string> dirs;
  std::vector<std::pair<std::string, std::string>> moves;
  std::set<std::string> fail_moves_to;
  bool fail_writes = false;

 private:
  static bool under(const std::string& path, const std::string& root) {
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                            path[root.size()] == '/');
  }
  bool is_dir(const std::string& path) const {
    if (dirs.count(path) != 0) return true;
    return std::any_of(files.begin(), files.end(),
                       [&](const auto& f) { return under(f.first, path) && f.first != path; });
  }
};

}  // namespace coltec
