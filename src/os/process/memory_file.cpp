// Anonymous, sealed memory files handed to children as inherited descriptors.

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <coltec/memory_file.hpp>

namespace coltec {

namespace {

std::string reason(int err) {
  return std::generic_category().message(err);
}

// A sealed memfd at a descriptor >= 3 (fds 0-2 are the child's stdio), or -1 with errno.
int make_sealed(const std::string& name, std::string_view contents) {
  int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  if (fd <= 2) {
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    const int err = errno;
    ::close(fd);
    errno = err;
    if (moved < 0) return -1;
    fd = moved;
  }
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      errno = err;
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  // Sealed, a child (or anything else) can only read what we wrote.
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

std::string proc_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

Result<MemoryFile> MemoryFile::create(std::string_view name, std::string_view contents) {
  std::string label(name);
  const int fd = make_sealed(label, contents);
  if (fd < 0) return make_error("cannot create an in-memory file: " + reason(errno));
  MemoryFile file(fd, std::move(label));
  // The child finds the contents through /proc; without it there is no private way in.
  if (::access(file.path().c_str(), R_OK) != 0) {
    return make_error("cannot pass private data to rclone: " + file.path() + " is not readable (" +
                      reason(errno) + "); is /proc mounted?");
  }
  return file;
}

MemoryFile::MemoryFile(MemoryFile&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_name(std::move(other.m_name)) {}

MemoryFile& MemoryFile::operator=(MemoryFile&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
    m_name = std::move(other.m_name);
  }
  return *this;
}

MemoryFile::~MemoryFile() {
  if (m_fd >= 0) ::close(m_fd);
}

Status MemoryFile::replace(std::string_view contents) {
  if (m_fd < 0) return make_error("the in-memory file was moved away");
  const int fresh = make_sealed(m_name, contents);
  if (fresh < 0) return make_error("cannot create an in-memory file: " + reason(errno));
  // dup3 swaps the file behind our number in one step and keeps it close-on-exec.
  const int swapped = ::dup3(fresh, m_fd, O_CLOEXEC);
  const int err = errno;
  ::close(fresh);
  if (swapped < 0) return make_error("cannot replace the in-memory file: " + reason(err));
  return Unit{};
}

std::string MemoryFile::path() const {
  return proc_path(m_fd);
}

}  // namespace coltec
