#pragma once
// Private data for child processes without a file: the rclone config (with credentials) and
// the quick upload's file list live in anonymous memory files (memfd) that a child inherits
// as a descriptor. Nothing has a name in any file system, so nothing is left behind however
// the daemon ends, SIGKILL included: the kernel frees the memory with the last descriptor.

#include <string>
#include <string_view>
#include <utility>

#include <coltec/result.hpp>

namespace coltec {

/// A sealed anonymous memory file. Its descriptor is >= 3 and close-on-exec, so a child
/// sees it only when ProcessSpec::keep_fds names it; the child then opens path()
/// ("/proc/self/fd/N"), which the kernel resolves in the child to a fresh open file (its
/// own offset), read-only in effect: the contents are sealed against writes, growth and
/// shrinking. Move-only; the destructor closes the descriptor. Not thread-safe.
class MemoryFile {
 public:
  /// A new file named `name` (shown only in /proc/<pid>/fd) holding `contents`. Fails with
  /// the OS reason, or when /proc is not mounted: a child could not open path() then.
  static Result<MemoryFile> create(std::string_view name, std::string_view contents);

  MemoryFile(MemoryFile&& other) noexcept;
  MemoryFile& operator=(MemoryFile&& other) noexcept;
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile();

  /// Replace the contents, keeping the descriptor number (and so path()): a new sealed
  /// file takes the number atomically (dup3). Children already started keep what they had.
  /// On failure the old contents stay.
  Status replace(std::string_view contents);

  /// The descriptor, to list in ProcessSpec::keep_fds.
  int fd() const { return m_fd; }
  /// "/proc/self/fd/<fd>": where a child that kept fd() reads the contents.
  std::string path() const;

 private:
  MemoryFile(int fd, std::string name) : m_fd(fd), m_name(std::move(name)) {}
  int m_fd = -1;
  std::string m_name;
};

}  // namespace coltec
