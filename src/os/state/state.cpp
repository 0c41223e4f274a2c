// State directory location, directory creation, atomic writes and first-run markers.

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "state_internal.hpp"

namespace coltec {

using state_detail::os_reason;
using state_detail::valid_component;

namespace state_detail {

bool read_small_file(const std::string& path, std::size_t limit, std::string& out) {
  // State files are ours: a symlink in their place is not followed (ELOOP).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0) return false;
  out.clear();
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      errno = err;
      return n == 0;
    }
    // Bounded so a hostile or runaway file cannot grow our memory.
    if (out.size() + static_cast<std::size_t>(n) > limit) {
      ::close(fd);
      errno = EFBIG;
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace state_detail

namespace {

std::string lookup(const std::map<std::string, std::string>& env, const char* name) {
  const auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// mkdir -p for everything above `path`; the leaf is left to the caller so it gets its mode.
Status make_parents(const std::string& path) {
  for (auto slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (prefix.empty() || prefix.back() == '/') continue;
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return make_error("cannot create state directory " + prefix + ": " + os_reason(errno));
    }
  }
  return Unit{};
}

Status write_all(int fd, const std::string& contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(os_reason(errno));
    done += static_cast<std::size_t>(n);
  }
  return Unit{};
}

// Everything up to the rename: a complete, durable temp file with the final mode.
Status fill_temp(int fd, const std::string& contents, unsigned mode) {
  if (auto written = write_all(fd, contents); !written) return written;
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return make_error(os_reason(errno));
  if (::fsync(fd) != 0) return make_error(os_reason(errno));
  return Unit{};
}

Status sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(os_reason(errno));
  // Some file systems cannot fsync a directory (EINVAL); the rename itself still happened.
  const bool ok = ::fsync(fd) == 0 || errno == EINVAL;
  const int err = errno;
  ::close(fd);
  if (!ok) return make_error(os_reason(err));
  return Unit{};
}

}  // namespace

Result<std::string> state_dir_for(const std::string& workspace,
                                  const std::map<std::string, std::string>& env) {
  if (!valid_component(workspace)) {
    return make_error("workspace name \"" + workspace +
                      "\" cannot name a state directory (it must not be empty, \".\" or "
                      "\"..\" and must not contain '/')");
  }
  std::string base = lookup(env, "COLTEC_STATE_DIR");
  if (!base.empty() && base.front() != '/') {
    return make_error("COLTEC_STATE_DIR must be an absolute path, got \"" + base + "\"");
  }
  if (base.empty()) {
    const std::string xdg = lookup(env, "XDG_DATA_HOME");
    const std::string home = lookup(env, "HOME");
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if (!xdg.empty() && xdg.front() == '/') {
      base = xdg + "/coltec-daemon";
    } else if (!home.empty() && home.front() == '/') {
      base = home + "/.local/share/coltec-daemon";
    } else {
      return make_error(
          "cannot find a state directory: set COLTEC_STATE_DIR, XDG_DATA_HOME or HOME to an "
          "absolute path");
    }
  }
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return (base == "/" ? std::string() : base) + "/" + workspace;
}

Status ensure_dir(const std::string& path, unsigned mode) {
  if (path.empty()) return make_error("state directory path is empty");
  if (auto parents = make_parents(path); !parents) return parents;
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
    return make_error("cannot create state directory " + path + ": " + os_reason(errno));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error("cannot create state directory " + path + ": " + os_reason(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error("state directory " + path + " is not a directory");
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    return make_error("state directory " + path + " is not writable: " + os_reason(errno));
  }
  // Only the owner may chmod; someone else's (writable) directory is used as it is.
  const auto current = static_cast<unsigned>(st.st_mode) & 07777U;
  if ((current & ~mode) != 0 && st.st_uid == ::geteuid() &&
      ::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    return make_error("cannot restrict the permissions of " + path + ": " + os_reason(errno));
  }
  return Unit{};
}

Status write_file_atomic(const std::string& path, const std::string& contents, unsigned mode) {
  const std::string dir = parent_of(path);
  std::string temp = dir + "/." + base_of(path) + ".tmp.XXXXXX";
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return make_error("cannot write " + path + ": " + os_reason(errno));
  auto filled = fill_temp(fd, contents, mode);
  if (::close(fd) != 0 && filled) filled = make_error(os_reason(errno));
  if (filled && ::rename(temp.c_str(), path.c_str()) != 0) filled = make_error(os_reason(errno));
  if (!filled) {
    ::unlink(temp.c_str());
    return make_error("cannot write " + path + ": " + filled.error().message);
  }
  if (auto synced = sync_dir(dir); !synced) {
    return make_error("wrote " + path +
                      " but cannot sync its directory: " + synced.error().message);
  }
  return Unit{};
}

Status write_private_file(const std::string& path, const std::string& contents) {
  return write_file_atomic(path, contents, 0600);
}

std::string bisync_workdir(const std::string& state_dir) {
  return state_dir + "/bisync";
}

std::string health_file(const std::string& state_dir) {
  return state_dir + "/health.json";
}

std::string lock_file(const std::string& state_dir) {
  return state_dir + "/daemon.lock";
}

std::string rclone_version_file(const std::string& state_dir) {
  return state_dir + "/rclone.version";
}

std::string owner_id_file(const std::string& state_dir) {
  return state_dir + "/owner-id";
}

std::string restore_backup_root(const std::string& state_dir) {
  return state_dir + "/restore-backup/";
}

std::string restore_backup_dir(const std::string& state_dir, const std::string& action,
                               const std::string& stamp) {
  return restore_backup_root(state_dir) + action + "/" + stamp;
}

Status ensure_state_layout(const std::string& state_dir) {
  for (const auto& dir : {state_dir, bisync_workdir(state_dir)}) {
    if (auto made = ensure_dir(dir, 0700); !made) return made;
  }
  return Unit{};
}

std::string marker_path(const std::string& state_dir, const std::string& action,
                        std::string_view suffix) {
  return state_dir + "/" + action + std::string(suffix);
}

bool has_marker(const std::string& state_dir, const std::string& action, std::string_view suffix) {
  if (!valid_component(action)) return false;
  struct stat st {};
  return ::stat(marker_path(state_dir, action, suffix).c_str(), &st) == 0;
}

Status write_marker(const std::string& state_dir, const std::string& action,
                    std::string_view suffix) {
  if (!valid_component(action)) {
    return make_error("action name \"" + action + "\" cannot name a marker file");
  }
  return write_file_atomic(marker_path(state_dir, action, suffix), "");
}

Status remove_marker(const std::string& state_dir, const std::string& action,
                     std::string_view suffix) {
  if (!valid_component(action)) {
    return make_error("action name \"" + action + "\" cannot name a marker file");
  }
  const std::string path = marker_path(state_dir, action, suffix);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return make_error("cannot remove " + path + ": " + os_reason(errno));
  }
  return Unit{};
}

}  // namespace coltec
