// The real ProcessRunner: one PosixProcess per child, driven entirely by the io_context.
// The child's exit is learnt from a pidfd (or by polling waitpid), never from SIGCHLD, so it
// coexists with any signal_set. Every pending operation holds a shared_ptr to its process,
// which therefore lives until the exit was reported.

#include <array>
#include <cerrno>
#include <string>
#include <utility>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coltec/process_runner.hpp>

#include "process_runner_internal.hpp"

namespace coltec {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

constexpr std::size_t k_max_line = std::size_t{64} * 1024;

class PosixProcess final : public RunningProcess,
                           public std::enable_shared_from_this<PosixProcess> {
 public:
  PosixProcess(asio::io_context& io, const ProcessRunnerOptions& options, LineHandler on_line,
               ExitHandler on_exit)
      : m_io(io),
        m_options(options),
        m_on_line(std::move(on_line)),
        m_on_exit(std::move(on_exit)),
        m_out(io, OutputStream::out),
        m_err(io, OutputStream::err),
        m_pidfd(io),
        m_poll(io),
        m_timeout(io),
        m_kill_timer(io),
        m_drain(io) {}

  void begin(const runner_detail::SpawnedChild& child, const ProcessSpec& spec);
  void fail(std::string error);

  int pid() const override { return m_pid; }
  void terminate(std::chrono::milliseconds grace) override;
  void kill() override;

 private:
  struct Stream {
    Stream(asio::io_context& io, OutputStream w) : sd(io), which(w) {}
    asio::posix::stream_descriptor sd;
    OutputStream which;
    bool open = false;
    std::string pending;
    std::array<char, 16384> buf{};
  };

  void open_stream(Stream& s, int fd);
  void read(Stream& s);
  void consume(Stream& s);
  void close_stream(Stream& s);
  void emit(OutputStream which, const std::string& line);
  void watch_exit();
  void poll_exit();
  void try_reap();
  void reaped(int status);
  void maybe_finish();
  void finish();
  void signal_group(int sig) const;

  asio::io_context& m_io;
  ProcessRunnerOptions m_options;
  LineHandler m_on_line;
  ExitHandler m_on_exit;
  Stream m_out;
  Stream m_err;
  asio::posix::stream_descriptor m_pidfd;
  asio::steady_timer m_poll;
  asio::steady_timer m_timeout;
  asio::steady_timer m_kill_timer;
  asio::steady_timer m_drain;
  int m_pid = -1;
  bool m_reaped = false;
  bool m_finished = false;
  bool m_kill_armed = false;
  Clock::time_point m_start = Clock::now();
  Clock::time_point m_kill_deadline;
  ProcessResult m_result;
};

void PosixProcess::begin(const runner_detail::SpawnedChild& child, const ProcessSpec& spec) {
  m_pid = child.pid;
  m_start = Clock::now();
  open_stream(m_out, child.out_fd);
  open_stream(m_err, child.err_fd);
  watch_exit();
  if (spec.timeout) {
    const auto grace = spec.kill_grace;
    m_timeout.expires_after(*spec.timeout);
    m_timeout.async_wait([self = shared_from_this(), grace](const ErrorCode& ec) {
      if (ec || self->m_reaped) return;
      self->m_result.timed_out = true;
      self->terminate(grace);
    });
  }
}

void PosixProcess::fail(std::string error) {
  m_reaped = true;  // there is no child to signal or wait for
  m_result.spawn_failed = true;
  m_result.spawn_error = std::move(error);
  asio::post(m_io, [self = shared_from_this()] { self->finish(); });
}

void PosixProcess::open_stream(Stream& s, int fd) {
  ErrorCode ec;
  s.sd.assign(fd, ec);
  if (ec) {
    ::close(fd);  // unreadable output is dropped rather than leaking the descriptor
    return;
  }
  s.open = true;
  read(s);
}

void PosixProcess::read(Stream& s) {
  s.sd.async_read_some(asio::buffer(s.buf),
                       [self = shared_from_this(), &s](const ErrorCode& ec, std::size_t n) {
                         if (!s.open) return;  // closed by the drain timer meanwhile
                         if (n > 0) {
                           s.pending.append(s.buf.data(), n);
                           self->consume(s);
                         }
                         if (ec) {
                           self->close_stream(s);
                           self->try_reap();  // EOF usually means the child just exited
                           self->maybe_finish();
                           return;
                         }
                         self->read(s);
                       });
}

void PosixProcess::consume(Stream& s) {
  std::size_t start = 0;
  for (auto nl = s.pending.find('\n'); nl != std::string::npos; nl = s.pending.find('\n', start)) {
    emit(s.which, s.pending.substr(start, nl - start));
    start = nl + 1;
  }
  // Split only beyond the limit so a line of exactly k_max_line bytes stays whole.
  while (s.pending.size() - start > k_max_line) {
    emit(s.which, s.pending.substr(start, k_max_line));
    start += k_max_line;
  }
  s.pending.erase(0, start);
}

void PosixProcess::close_stream(Stream& s) {
  if (!s.open) return;
  s.open = false;
  if (!s.pending.empty()) emit(s.which, s.pending);  // a last line without '\n'
  s.pending.clear();
  ErrorCode ignored;
  s.sd.close(ignored);
}

void PosixProcess::emit(OutputStream which, const std::string& line) {
  if (m_on_line) m_on_line(which, line);
}

void PosixProcess::watch_exit() {
  if (m_options.use_pidfd) {
    const long fd = ::syscall(SYS_pidfd_open, m_pid, 0);
    if (fd >= 0) {
      m_pidfd.assign(static_cast<int>(fd));
      m_pidfd.async_wait(asio::posix::stream_descriptor::wait_read,
                         [self = shared_from_this()](const ErrorCode& ec) {
                           if (ec) return;
                           self->try_reap();
                           if (!self->m_reaped) self->poll_exit();  // should not happen
                         });
      return;
    }
  }
  poll_exit();
}

void PosixProcess::poll_exit() {
  m_poll.expires_after(m_options.poll_interval);
  m_poll.async_wait([self = shared_from_this()](const ErrorCode& ec) {
    if (ec || self->m_reaped) return;
    self->try_reap();
    if (!self->m_reaped) self->poll_exit();
  });
}

void PosixProcess::try_reap() {
  if (m_reaped) return;
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(m_pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == m_pid) {
    reaped(status);
  } else if (r < 0) {
    reaped(-1);  // ECHILD: someone else reaped it; the status is lost
  }
}

void PosixProcess::reaped(int status) {
  m_reaped = true;
  m_result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_start);
  if (status >= 0 && WIFEXITED(status)) m_result.exit_code = WEXITSTATUS(status);
  if (status >= 0 && WIFSIGNALED(status)) m_result.term_signal = WTERMSIG(status);
  m_timeout.cancel();
  m_kill_timer.cancel();
  m_poll.cancel();
  ErrorCode ignored;
  m_pidfd.close(ignored);
  if (m_out.open || m_err.open) {
    // A grandchild may still hold the pipes; do not wait for it forever.
    m_drain.expires_after(m_options.output_drain);
    m_drain.async_wait([self = shared_from_this()](const ErrorCode& ec) {
      if (ec) return;
      self->close_stream(self->m_out);
      self->close_stream(self->m_err);
      self->maybe_finish();
    });
  }
  maybe_finish();
}

void PosixProcess::maybe_finish() {
  if (m_reaped && !m_out.open && !m_err.open && !m_finished) finish();
}

void PosixProcess::finish() {
  if (m_finished) return;
  m_finished = true;
  m_drain.cancel();
  m_timeout.cancel();
  m_kill_timer.cancel();
  // Drop the handlers before calling: they may own this process's handle (a cycle).
  auto on_exit = std::move(m_on_exit);
  m_on_exit = nullptr;
  m_on_line = nullptr;
  if (on_exit) on_exit(m_result);
}

void PosixProcess::signal_group(int sig) const {
  // Never after reaping: the PID (and so the group ID) may belong to someone else by now.
  if (m_reaped || m_pid <= 0) return;
  if (::kill(-m_pid, sig) != 0) ::kill(m_pid, sig);
}

void PosixProcess::terminate(std::chrono::milliseconds grace) {
  if (m_reaped || m_pid <= 0) return;
  signal_group(SIGTERM);
  const auto deadline = Clock::now() + grace;
  if (m_kill_armed && m_kill_deadline <= deadline) return;  // an earlier SIGKILL is due
  m_kill_armed = true;
  m_kill_deadline = deadline;
  m_kill_timer.expires_at(deadline);
  m_kill_timer.async_wait([self = shared_from_this()](const ErrorCode& ec) {
    if (!ec) self->kill();
  });
}

void PosixProcess::kill() {
  signal_group(SIGKILL);
}

class PosixProcessRunner final : public ProcessRunner {
 public:
  PosixProcessRunner(asio::io_context& io, ProcessRunnerOptions options)
      : m_io(io), m_options(options) {}

  std::shared_ptr<RunningProcess> start(const ProcessSpec& spec, LineHandler on_line,
                                        ExitHandler on_exit) override {
    auto process =
        std::make_shared<PosixProcess>(m_io, m_options, std::move(on_line), std::move(on_exit));
    auto child = runner_detail::spawn_child(spec);
    if (child) {
      process->begin(*child, spec);
    } else {
      process->fail(child.error().message);
    }
    return process;
  }

 private:
  asio::io_context& m_io;
  ProcessRunnerOptions m_options;
};

}  // namespace

std::unique_ptr<ProcessRunner> make_process_runner(boost::asio::io_context& io) {
  return make_process_runner(io, ProcessRunnerOptions{});
}

std::unique_ptr<ProcessRunner> make_process_runner(boost::asio::io_context& io,
                                                   const ProcessRunnerOptions& options) {
  return std::make_unique<PosixProcessRunner>(io, options);
}

}  // namespace coltec
