// The real Disk: lstat, rename (or copy across file systems), byte comparison, folders.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/disk.hpp>
#include <coltec/local_tree.hpp>
#include <coltec/state.hpp>

namespace coltec {
namespace {

namespace fs = std::filesystem;

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

 private:
  int m_fd;
};

Error os_error(const std::string& what, const std::string& path, int error) {
  return make_error(what + " " + path + ": " + std::strerror(error));
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? std::string("/") : path.substr(0, slash);
}

Status make_parents(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error("cannot create " + dir + ": " + ec.message());
  return Unit{};
}

bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Across file systems a rename is impossible: copy beside the target, then rename there, so
// the target is never seen half-written, and keep the source's modification time.
Status copy_then_rename(const std::string& from, const std::string& to) {
  const Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.get() < 0) return os_error("cannot read", from, errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return os_error("cannot inspect", from, errno);
  const std::string tmp = to + ".coltec-partial";
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (out.get() < 0) return os_error("cannot write", tmp, errno);
  std::array<char, 65536> buf{};
  while (true) {
    const ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (n > 0 && !write_all(out.get(), buf.data(), static_cast<std::size_t>(n)))) {
      const int e = errno;
      ::unlink(tmp.c_str());
      return os_error("cannot copy to", tmp, e);
    }
    if (n == 0) break;
  }
  const std::array<timespec, 2> times{st.st_atim, st.st_mtim};
  const bool ok = ::fchmod(out.get(), st.st_mode & 07777) == 0 &&
                  ::futimens(out.get(), times.data()) == 0 && ::fsync(out.get()) == 0 &&
                  ::close(out.release()) == 0 && ::rename(tmp.c_str(), to.c_str()) == 0;
  if (!ok) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return os_error("cannot move to", to, e);
  }
  if (::unlink(from.c_str()) != 0) return os_error("copied but cannot remove", from, errno);
  return Unit{};
}

class SystemDisk final : public Disk {
 public:
  DiskEntry stat(const std::string& path) override {
    struct stat st {};
    DiskEntry e;
    if (::lstat(path.c_str(), &st) != 0) return e;
    if (S_ISREG(st.st_mode)) {
      e.kind = EntryKind::file;
    } else if (S_ISDIR(st.st_mode)) {
      e.kind = EntryKind::directory;
    } else {
      e.kind = EntryKind::other;
    }
    e.state.size = static_cast<std::uint64_t>(st.st_size);
    e.state.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                       static_cast<std::int64_t>(st.st_mtim.tv_nsec);
    return e;
  }

  Status move(const std::string& from, const std::string& to) override {
    if (auto made = make_parents(parent_of(to)); !made) return made;
    if (::rename(from.c_str(), to.c_str()) == 0) return Unit{};
    if (errno != EXDEV) return os_error("cannot move " + from + " to", to, errno);
    return copy_then_rename(from, to);
  }

  Result<bool> same_bytes(const std::string& a, const std::string& b) override {
    const Fd fa(::open(a.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fa.get() < 0) return os_error("cannot read", a, errno);
    const Fd fb(::open(b.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fb.get() < 0) return os_error("cannot read", b, errno);
    std::array<char, 65536> ba{};
    std::array<char, 65536> bb{};
    while (true) {
      const ssize_t na = read_full(fa.get(), ba.data(), ba.size());
      const ssize_t nb = read_full(fb.get(), bb.data(), bb.size());
      if (na < 0 || nb < 0)
        return make_error(std::string("cannot compare ").append(a).append(" with ").append(b));
      if (na != nb || std::memcmp(ba.data(), bb.data(), static_cast<std::size_t>(na)) != 0) {
        return false;
      }
      if (na == 0) return true;
    }
  }

  Status make_dirs(const std::string& path) override {
    if (auto made = make_parents(path); !made) return made;
    ::chmod(path.c_str(), 0700);
    return Unit{};
  }

  Status remove_all(const std::string& path) override {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) return make_error("cannot remove " + path + ": " + ec.message());
    return Unit{};
  }

  Result<std::string> read_file(const std::string& path, std::size_t max_bytes) override {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return os_error("cannot read", path, errno);
    std::string text;
    std::array<char, 65536> buf{};
    while (true) {
      const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return os_error("cannot read", path, errno);
      if (n == 0) return text;
      text.append(buf.data(), static_cast<std::size_t>(n));
      if (text.size() > max_bytes) return make_error(path + " is larger than expected");
    }
  }

  Status write_file(const std::string& path, const std::string& contents) override {
    return write_private_file(path, contents);
  }

  Result<std::vector<std::string>> list_dir(const std::string& path) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return make_error("cannot list " + path + ": " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
  }

  bool read_refused(const std::string& path, bool is_dir) override {
    if (::access(path.c_str(), is_dir ? R_OK | X_OK : R_OK) == 0) return false;
    return errno == EACCES || errno == EPERM;
  }

  SideState inspect(const std::string& root, const std::vector<std::string>& exclude) override {
    return inspect_local(root, exclude);
  }

  bool is_mount_point(const std::string& path) override { return coltec::is_mount_point(path); }

 private:
  static ssize_t read_full(int fd, char* buf, std::size_t size) {
    std::size_t got = 0;
    while (got < size) {
      const ssize_t n = ::read(fd, buf + got, size - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -1;
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(got);
  }
};

}  // namespace

std::unique_ptr<Disk> make_system_disk() {
  return std::make_unique<SystemDisk>();
}

}  // namespace coltec
