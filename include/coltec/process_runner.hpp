#pragma once
// Starting child processes (rclone) behind a narrow interface, so the scheduler can be
// tested with FakeProcessRunner and the real one sits alone in process_runner.cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace coltec {

/// Which stream a line of child output came from.
enum class OutputStream { out, err };

/// What to run. argv[0] is looked up in PATH when it has no '/'. Never a shell string.
struct ProcessSpec {
  std::vector<std::string> argv;
  /// The child's complete environment ("NAME=value"); nothing is inherited implicitly.
  std::vector<std::string> env;
  /// Kill the child (SIGTERM to its group, SIGKILL after kill_grace) after this long.
  std::optional<std::chrono::milliseconds> timeout;
  std::chrono::milliseconds kill_grace{5000};
  /// Bytes written to the child's stdin, then stdin is closed (empty: /dev/null).
  std::string stdin_data;
  /// Descriptors (each >= 3 and open in the daemon, e.g. a MemoryFile's) that the child
  /// keeps under the same number; every other descriptor above 2 is closed at exec.
  std::vector<int> keep_fds;
};

/// How a child ended.
struct ProcessResult {
  int exit_code = -1;         ///< exit status when exited normally, else -1
  int term_signal = 0;        ///< signal number when killed by a signal, else 0
  bool timed_out = false;     ///< we killed it because ProcessSpec::timeout passed
  bool spawn_failed = false;  ///< it never started (e.g. executable not found)
  std::string spawn_error;    ///< why it never started
  std::chrono::milliseconds duration{0};
};

/// Called once per complete line (without '\n'), on the io_context's thread, while the
/// child runs. Lines longer than 64 KiB are split so a hostile child cannot grow memory.
using LineHandler = std::function<void(OutputStream, const std::string&)>;
/// Called exactly once, on the io_context's thread, after all output was delivered.
using ExitHandler = std::function<void(const ProcessResult&)>;

/// A running child. Destroying the handle does not stop the child; call terminate/kill.
class RunningProcess {
 public:
  virtual ~RunningProcess() = default;
  /// The child's PID (which is also its process-group ID).
  virtual int pid() const = 0;
  /// Send SIGTERM to the child's process group, SIGKILL after `grace`.
  virtual void terminate(std::chrono::milliseconds grace) = 0;
  /// Send SIGKILL to the child's process group now.
  virtual void kill() = 0;
};

/// Starts children asynchronously on an io_context.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// Start `spec`. Output lines and the exit are reported through the handlers on the
  /// io_context; a spawn failure is reported through on_exit (spawn_failed), never thrown.
  virtual std::shared_ptr<RunningProcess> start(const ProcessSpec& spec, LineHandler on_line,
                                                ExitHandler on_exit) = 0;
};

/// The real runner: fork/exec in a new process group, PR_SET_PDEATHSIG so no child outlives
/// the daemon, pipes read through Asio. `io` must outlive the runner.
std::unique_ptr<ProcessRunner> make_process_runner(boost::asio::io_context& io);

/// Tuning of the real runner; the defaults suit the daemon, tests shorten them.
struct ProcessRunnerOptions {
  /// Learn of the child's exit through pidfd_open (Linux >= 5.3). When false, or when the
  /// kernel lacks pidfd_open, waitpid(WNOHANG) is polled every `poll_interval` instead.
  /// Neither uses SIGCHLD, so other signal_sets on the same io_context are unaffected.
  bool use_pidfd = true;
  std::chrono::milliseconds poll_interval{50};
  /// After the child exited, how long to keep reading output that a surviving grandchild
  /// still holds open before reporting the exit anyway.
  std::chrono::milliseconds output_drain{2000};
};

/// The real runner with explicit options. Details of the contract:
/// - The child gets exactly ProcessSpec::env, its own process group (pgid == pid), stdin
///   from stdin_data (a memfd) or /dev/null, default signal dispositions and an empty signal
///   mask, and no file descriptor other than 0, 1, 2 and ProcessSpec::keep_fds. A keep_fds
///   entry below 3 is refused (spawn_failed): it would clash with the child's stdio.
/// - argv[0] without '/' is searched in the PATH of ProcessSpec::env, else the daemon's PATH,
///   else "/usr/local/bin:/usr/bin:/bin"; empty PATH entries (the current directory) are
///   skipped. No shell is ever involved.
/// - The child receives SIGKILL when the thread that called start() dies (PR_SET_PDEATHSIG
///   is tied to the forking thread): call start() only from the io_context thread, which
///   must live as long as the daemon. Grandchildren are not covered by this.
/// - start() blocks only until the child has exec'd (or failed to); a failed exec is
///   reported as spawn_failed with "<argv0>: <reason>", e.g. "rclone: No such file or
///   directory".
/// - terminate()/kill() signal the whole process group, are no-ops once the child was
///   reaped (a reaped PID may be reused), and must be called on the io_context thread.
std::unique_ptr<ProcessRunner> make_process_runner(boost::asio::io_context& io,
                                                   const ProcessRunnerOptions& options);

/// The file the runner would execute for `argv0` with environment `env` (the same PATH
/// search, first entry that is an executable regular file); nullopt when none is.
std::optional<std::string> resolve_program(const std::string& argv0,
                                           const std::vector<std::string>& env);

}  // namespace coltec
