#pragma once
// The local disk as the executor uses it, behind a narrow interface (ninja's DiskInterface)
// so runs are tested against an in-memory twin (tests/fakes/fake_disk.hpp). Paths are
// absolute byte strings. Every call reports failure as a value; none throws.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <coltec/rclone_listing.hpp>
#include <coltec/result.hpp>
#include <coltec/safety.hpp>

namespace coltec {

/// What is at a path (lstat: a symlink is `other`, never followed).
enum class EntryKind { missing, file, directory, other };

struct DiskEntry {
  EntryKind kind = EntryKind::missing;
  FileState state;  ///< size and mtime (ns) for files; md5 is never filled in
  bool operator==(const DiskEntry&) const = default;
};

class Disk {
 public:
  virtual ~Disk() = default;
  /// lstat(path).
  virtual DiskEntry stat(const std::string& path) = 0;
  /// Move a file to `to`, creating missing parent folders (0755) and replacing a file
  /// already there. A rename when both are on one file system (atomic: a reader sees the
  /// old or the new file); otherwise a copy to a temporary name beside `to`, fsync, rename,
  /// and then the source is removed. The modification time is kept.
  virtual Status move(const std::string& from, const std::string& to) = 0;
  /// Whether two files hold the same bytes.
  virtual Result<bool> same_bytes(const std::string& a, const std::string& b) = 0;
  /// Create a folder and its parents (0700 for the last one).
  virtual Status make_dirs(const std::string& path) = 0;
  /// Remove a file or a whole tree (symlinks removed, never followed); a missing path is fine.
  virtual Status remove_all(const std::string& path) = 0;
  /// A whole file of at most `max_bytes`.
  virtual Result<std::string> read_file(const std::string& path, std::size_t max_bytes) = 0;
  /// Replace `path` atomically (temp file, fsync, rename), mode 0600.
  virtual Status write_file(const std::string& path, const std::string& contents) = 0;
  /// The names in a folder (not "." and ".."), sorted.
  virtual Result<std::vector<std::string>> list_dir(const std::string& path) = 0;
  /// Whether this process is refused reading a file (or listing and entering a folder):
  /// true only for "permission denied"; a missing path is not refused.
  virtual bool read_refused(const std::string& path, bool is_dir) = 0;
  /// Whether the folder exists and holds at least one file rclone would see (its
  /// rclone-style `exclude` patterns applied); the walk stops at the first such file.
  virtual SideState inspect(const std::string& root, const std::vector<std::string>& exclude) = 0;
  /// Whether something (a bind mount too) is mounted at `path` (absolute, normalised).
  virtual bool is_mount_point(const std::string& path) = 0;
};

/// The real disk (POSIX calls).
std::unique_ptr<Disk> make_system_disk();

}  // namespace coltec
