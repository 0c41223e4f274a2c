// The per-workspace lock: flock on daemon.lock plus the holder's PID inside the file, so a
// second daemon (or `status`) can name who holds it. flock locks belong to the open file
// description, so the kernel drops ours when the daemon dies, even by SIGKILL.

#include <cerrno>
#include <charconv>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "state_internal.hpp"

namespace coltec {

using state_detail::os_reason;

namespace {

// The PID written in the lock file, if it holds a plausible one.
std::optional<int> read_pid(const std::string& path) {
  std::string text;
  if (!state_detail::read_small_file(path, 64, text)) return std::nullopt;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  int pid = 0;
  const char* begin = text.data() + first;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, pid);
  if (ec != std::errc() || ptr == begin || pid <= 0) return std::nullopt;
  if (text.find_first_not_of(" \t\r\n", static_cast<std::size_t>(ptr - text.data())) !=
      std::string::npos) {
    return std::nullopt;
  }
  return pid;
}

Status write_pid(int fd) {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) return make_error(os_reason(errno));
  const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  if (n < 0) return make_error(os_reason(errno));
  if (static_cast<std::size_t>(n) != text.size()) return make_error("short write");
  return Unit{};
}

}  // namespace

Result<WorkspaceLock> WorkspaceLock::acquire(const std::string& path) {
  // O_NOFOLLOW: a daemon.lock that is a symlink would have us truncate and write its target.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
  if (fd < 0 && errno == ELOOP) {
    return make_error("lock file " + path +
                      " is a symbolic link; refusing to follow it (remove it, the daemon makes "
                      "a new one)");
  }
  if (fd < 0) return make_error("cannot open lock file " + path + ": " + os_reason(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err != EWOULDBLOCK) return make_error("cannot lock " + path + ": " + os_reason(err));
    const auto holder = read_pid(path);
    const std::string who = holder ? "another coltec-daemon (pid " + std::to_string(*holder) + ")"
                                   : std::string("another coltec-daemon");
    return make_error(who + " holds " + path);
  }
  if (auto written = write_pid(fd); !written) {
    ::close(fd);
    return make_error("cannot write our pid into " + path + ": " + written.error().message);
  }
  return WorkspaceLock(fd, path);
}

WorkspaceLock::WorkspaceLock(WorkspaceLock&& other) noexcept
    : m_fd(other.m_fd), m_path(std::move(other.m_path)) {
  other.m_fd = -1;
}

WorkspaceLock& WorkspaceLock::operator=(WorkspaceLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.m_fd;
    m_path = std::move(other.m_path);
    other.m_fd = -1;
  }
  return *this;
}

WorkspaceLock::~WorkspaceLock() {
  // Closing the only descriptor of the open file description releases the flock.
  if (m_fd >= 0) ::close(m_fd);
}

std::optional<int> lock_holder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
    return std::nullopt;
  }
  const int err = errno;
  ::close(fd);
  if (err != EWOULDBLOCK) return std::nullopt;
  return read_pid(path).value_or(0);
}

}  // namespace coltec
