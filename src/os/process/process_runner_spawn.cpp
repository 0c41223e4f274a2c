// fork/exec of one child. Everything the child needs is prepared before fork(), because
// between fork and exec only async-signal-safe calls are allowed (the daemon may have
// other threads, e.g. a logger's).

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process_runner_internal.hpp"

namespace coltec::runner_detail {

namespace {

// Owns a descriptor on the parent side so every failure path closes what it opened.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(std::exchange(o.m_fd, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(-1); }
  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }
  void reset(int fd) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }

 private:
  int m_fd = -1;
};

std::string reason(int err) {
  return std::generic_category().message(err);
}

// Keeps fds 0-2 free: when the daemon runs with a closed stdio, pipe() may hand out fd 1,
// and the child's dup2 dance would then clobber one stream with another.
bool lift(UniqueFd& fd) {
  if (fd.get() > 2) return true;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return false;
  fd.reset(moved);
  return true;
}

bool make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return lift(read_end) && lift(write_end);
}

// stdin as a sealed in-memory file: the child reads it at its own pace, we never block
// writing it and never get SIGPIPE when the child ignores it.
bool make_stdin(const std::string& data, UniqueFd& out) {
  if (data.empty()) {
    out.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    return out.get() >= 0 && lift(out);
  }
  out.reset(::memfd_create("coltec-stdin", MFD_CLOEXEC));
  if (out.get() < 0) return false;
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(out.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return ::lseek(out.get(), 0, SEEK_SET) == 0 && lift(out);
}

// Pointers into strings owned by the caller, plus the fds, so the child touches no heap.
struct ChildPlan {
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<const char*> candidates;
  int stdin_fd = -1;
  int out_fd = -1;
  int err_fd = -1;
  int report_fd = -1;  // CLOEXEC pipe: gets errno if exec fails, EOF when exec succeeds
  pid_t parent = 0;
  std::vector<int> keep_fds;  // cleared of CLOEXEC in the child: it inherits them
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

void reset_signals() {
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  // Ignored dispositions survive exec; rclone must see SIGTERM/SIGPIPE as by default.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
}

void close_other_fds() {
  // CLOEXEC rather than close: report_fd must stay usable until exec closes everything.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  const long max_fd = ::sysconf(_SC_OPEN_MAX);
  const int limit = max_fd > 0 && max_fd < 65536 ? static_cast<int>(max_fd) : 65536;
  for (int fd = 3; fd < limit; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

[[noreturn]] void report_and_exit(int fd, int err) {
  ssize_t ignored = ::write(fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void child_main(const ChildPlan& p) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The daemon may have died between fork() and prctl(); then nobody would kill us.
  if (::getppid() != p.parent) ::_exit(127);
  reset_signals();
  if (::dup2(p.stdin_fd, 0) < 0 || ::dup2(p.out_fd, 1) < 0 || ::dup2(p.err_fd, 2) < 0) {
    report_and_exit(p.report_fd, errno);
  }
  close_other_fds();
  for (const int fd : p.keep_fds) {
    if (::fcntl(fd, F_SETFD, 0) != 0) report_and_exit(p.report_fd, errno);
  }
  int err = ENOENT;
  bool denied = false;
  for (const char* candidate : p.candidates) {
    ::execve(candidate, p.argv.data(), p.envp.data());
    err = errno;
    // As execvpe: keep searching past missing or unusable entries, remember EACCES.
    if (err == EACCES) {
      denied = true;
    } else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV) {
      report_and_exit(p.report_fd, err);
    }
  }
  report_and_exit(p.report_fd, denied ? EACCES : err);
}

// Waits for the child's report: EOF means exec succeeded, an errno means it failed.
int exec_outcome(int report_fd) {
  int err = 0;
  std::size_t got = 0;
  while (got < sizeof err) {
    const ssize_t n = ::read(report_fd, reinterpret_cast<char*>(&err) + got, sizeof err - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got == sizeof err ? err : 0;
}

}  // namespace

std::vector<std::string> exec_candidates(const std::string& argv0, const std::string& path_value) {
  if (argv0.find('/') != std::string::npos) return {argv0};
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path_value.size()) {
    const auto end = std::min(path_value.find(':', start), path_value.size());
    // An empty entry means the current directory; a daemon must not run whatever is there.
    if (end > start) out.push_back(path_value.substr(start, end - start) + "/" + argv0);
    start = end + 1;
  }
  return out;
}

std::string search_path(const std::vector<std::string>& env) {
  for (const auto& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
  }
  const char* own = std::getenv("PATH");
  return own != nullptr ? own : "/usr/local/bin:/usr/bin:/bin";
}

Result<SpawnedChild> spawn_child(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return make_error("cannot start a process without a program name");
  }
  const std::string& name = spec.argv[0];
  const auto candidates = exec_candidates(name, search_path(spec.env));
  if (candidates.empty()) return make_error(name + ": " + reason(ENOENT));
  for (const int fd : spec.keep_fds) {
    if (fd < 3) return make_error(name + ": cannot pass descriptor " + std::to_string(fd));
  }
  UniqueFd in, out_r, out_w, err_r, err_w, report_r, report_w;
  if (!make_stdin(spec.stdin_data, in) || !make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) ||
      !make_pipe(report_r, report_w)) {
    return make_error(name + ": cannot set up the child's input and output: " + reason(errno));
  }
  ChildPlan plan{c_strings(spec.argv), c_strings(spec.env), {},         in.get(),     out_w.get(),
                 err_w.get(),          report_w.get(),      ::getpid(), spec.keep_fds};
  for (const auto& c : candidates) plan.candidates.push_back(c.c_str());
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(name + ": cannot fork: " + reason(errno));
  if (pid == 0) child_main(plan);
  // Our copies of the child's ends must go, or we would never see EOF on its output.
  in.reset(-1);
  out_w.reset(-1);
  err_w.reset(-1);
  report_w.reset(-1);
  if (const int err = exec_outcome(report_r.get()); err != 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return make_error(name + ": " + reason(err));
  }
  return SpawnedChild{pid, out_r.release(), err_r.release()};
}

}  // namespace coltec::runner_detail

namespace coltec {

std::optional<std::string> resolve_program(const std::string& argv0,
                                           const std::vector<std::string>& env) {
  if (argv0.empty()) return std::nullopt;
  for (const auto& candidate :
       runner_detail::exec_candidates(argv0, runner_detail::search_path(env))) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace coltec
