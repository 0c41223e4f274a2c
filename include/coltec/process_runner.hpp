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
};

/// How a child ended.
struct ProcessResult {
  int exit_code = -1;        ///< exit status when exited normally, else -1
  int term_signal = 0;       ///< signal number when killed by a signal, else 0
  bool timed_out = false;    ///< we killed it because ProcessSpec::timeout passed
  bool spawn_failed = false; ///< it never started (e.g. executable not found)
  std::string spawn_error;   ///< why it never started
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

}  // namespace coltec
