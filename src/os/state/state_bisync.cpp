// Mechanics of bisync crash recovery. rclone 1.60 has no --max-lock: a SIGKILLed bisync
// leaves `<session>.lck` (holding its PID) in the workdir and every later run fails until
// the file is deleted. We only say which locks are provably orphaned; policy lives elsewhere.

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "state_internal.hpp"

namespace coltec {

namespace {

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::optional<int> parse_pid(const std::string& text) {
  const std::string t = trimmed(text);
  int pid = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

// A zombie has exited: it cannot still be using the lock.
bool is_zombie(int pid) {
  std::string stat;
  if (!state_detail::read_small_file("/proc/" + std::to_string(pid) + "/stat", 4096, stat)) {
    return false;
  }
  // The state letter follows the ") " that closes the (possibly hostile) command name.
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() &&
         (stat[close + 2] == 'Z' || stat[close + 2] == 'X');
}

bool lock_is_stale(const std::string& path) {
  std::string text;
  if (!state_detail::read_small_file(path, 64, text)) return errno == EFBIG;
  const auto pid = parse_pid(text);
  if (!pid) return true;
  if (::kill(*pid, 0) != 0 && errno == ESRCH) return true;
  if (is_zombie(*pid)) return true;
  std::string comm;
  if (!state_detail::read_small_file("/proc/" + std::to_string(*pid) + "/comm", 64, comm)) {
    return false;  // cannot tell (no /proc): assume the owner still runs
  }
  // The PID was reused by something that is not rclone.
  return trimmed(comm) != "rclone";
}

bool is_lock_name(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".lck") == 0;
}

}  // namespace

std::vector<std::string> stale_bisync_locks(const std::string& workdir) {
  std::vector<std::string> out;
  DIR* dir = ::opendir(workdir.c_str());
  if (dir == nullptr) return out;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (!is_lock_name(name)) continue;
    std::string path = workdir;
    path.append("/").append(name);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (lock_is_stale(path)) out.push_back(path);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> remove_stale_bisync_locks(const std::string& workdir) {
  std::vector<std::string> removed;
  std::string failures;
  for (const auto& path : stale_bisync_locks(workdir)) {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) {
      removed.push_back(path);
    } else if (failures.empty()) {
      failures = "cannot remove stale bisync lock " + path + ": " + state_detail::os_reason(errno);
    }
  }
  if (!failures.empty()) return make_error(failures);
  return removed;
}

}  // namespace coltec
