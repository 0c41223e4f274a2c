// The real process runner while children run: streaming, timeouts, terminate/kill on the
// whole group, and no child outliving its parent (PR_SET_PDEATHSIG). A wait for a real
// process death blocks on its pidfd (no polling, no sleeps); the io_context always runs
// with a limit. No assertion reads the clock: what a run took is measured by the runner.

#include <cerrno>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coltec/process_runner.hpp>

namespace coltec {
namespace {

using namespace std::chrono_literals;

ProcessSpec sh(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  return spec;
}

// Dead, or a zombie nobody reaped yet (orphans go to a PID 1 that may never reap them).
bool gone(int pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() &&
         (stat[close + 2] == 'Z' || stat[close + 2] == 'X');
}

// Blocks until `pid` has ended (a zombie counts) or `limit` passed. A pidfd becomes
// readable when its process terminates, whoever its parent is.
bool wait_gone(int pid, std::chrono::milliseconds limit) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd ready{fd, POLLIN, 0};
  const int n = ::poll(&ready, 1, static_cast<int>(limit.count()));
  ::close(fd);
  return n == 1 || gone(pid);
}

// Runs `spec`; `on_line` may act on the running process through the handle.
struct Session {
  boost::asio::io_context io;
  std::unique_ptr<ProcessRunner> runner;
  std::shared_ptr<RunningProcess> proc;
  std::vector<std::string> lines;
  std::optional<ProcessResult> result;
  bool line_seen_while_running = false;

  explicit Session(ProcessRunnerOptions options = {}) : runner(make_process_runner(io, options)) {}

  void run(const ProcessSpec& spec, const std::function<void(Session&)>& on_first_line = {}) {
    proc = runner->start(
        spec,
        [this, on_first_line](OutputStream, const std::string& line) {
          lines.push_back(line);
          if (lines.size() == 1) {
            line_seen_while_running = !result && !gone(proc->pid());
            if (on_first_line) on_first_line(*this);
          }
        },
        [this](const ProcessResult& r) { result = r; });
    io.run_for(20s);
  }
};

TEST(ProcessRunnerKill, LinesArriveWhileTheChildStillRuns) {
  Session s;
  s.run(sh("echo ready; exec sleep 30"), [](Session& self) { self.proc->terminate(5s); });
  ASSERT_TRUE(s.result);
  EXPECT_TRUE(s.line_seen_while_running);
  EXPECT_EQ(s.result->term_signal, SIGTERM);
  EXPECT_FALSE(s.result->timed_out);
}

TEST(ProcessRunnerKill, TimeoutKillsTheWholeGroupIncludingGrandchildren) {
  Session s;
  auto spec = sh("sleep 30 & echo $!; wait");
  spec.timeout = 300ms;
  spec.kill_grace = 5s;
  s.run(spec);
  ASSERT_TRUE(s.result);
  ASSERT_EQ(s.lines.size(), 1U);
  EXPECT_TRUE(s.result->timed_out);
  EXPECT_EQ(s.result->term_signal, SIGTERM) << "SIGTERM was enough; no SIGKILL after the grace";
  EXPECT_TRUE(wait_gone(std::stoi(s.lines[0]), 5s)) << "grandchild survived";
}

TEST(ProcessRunnerKill, TimeoutEscalatesToSigkill) {
  Session s;
  auto spec = sh("trap '' TERM; echo ready; exec sleep 30");
  spec.timeout = 100ms;
  spec.kill_grace = 200ms;
  s.run(spec);
  ASSERT_TRUE(s.result);
  EXPECT_TRUE(s.result->timed_out);
  EXPECT_EQ(s.result->term_signal, SIGKILL);
  EXPECT_GE(s.result->duration, 300ms);
}

TEST(ProcessRunnerKill, TerminateEscalatesToSigkillWhenSigtermIsIgnored) {
  Session s;
  s.run(sh("trap '' TERM; echo ready; exec sleep 30"),
        [](Session& self) { self.proc->terminate(200ms); });
  ASSERT_TRUE(s.result);
  EXPECT_EQ(s.result->term_signal, SIGKILL);
  EXPECT_FALSE(s.result->timed_out);
}

TEST(ProcessRunnerKill, SecondTerminateKeepsTheEarlierDeadline) {
  Session s;
  s.run(sh("trap '' TERM; echo ready; exec sleep 30"), [](Session& self) {
    self.proc->terminate(200ms);
    self.proc->terminate(60s);
  });
  ASSERT_TRUE(s.result);
  // With the later deadline (60 s) the child would outlive the 20 s run and report nothing.
  EXPECT_EQ(s.result->term_signal, SIGKILL);
}

TEST(ProcessRunnerKill, KillIsImmediate) {
  Session s;
  s.run(sh("trap '' TERM; echo ready; exec sleep 30"), [](Session& self) { self.proc->kill(); });
  ASSERT_TRUE(s.result);
  EXPECT_EQ(s.result->term_signal, SIGKILL);
}

TEST(ProcessRunnerKill, ChildGetsDefaultSignalDispositions) {
  // A daemon that ignores SIGTERM must not hand that down: rclone has to die on SIGTERM.
  struct sigaction ignore {};
  struct sigaction old {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGTERM, &ignore, &old), 0);
  Session s;
  s.run(sh("echo ready; exec sleep 30"), [](Session& self) { self.proc->terminate(30s); });
  ::sigaction(SIGTERM, &old, nullptr);
  ASSERT_TRUE(s.result);
  EXPECT_EQ(s.result->term_signal, SIGTERM);
}

TEST(ProcessRunnerKill, TerminateAndKillAfterExitAreNoOps) {
  Session s;
  int exits = 0;
  s.proc = s.runner->start(sh("exit 0"), {}, [&](const ProcessResult&) { ++exits; });
  s.io.run_for(20s);
  ASSERT_EQ(exits, 1);
  s.proc->terminate(3s);
  s.proc->kill();
  s.io.restart();
  // Nothing was armed: a SIGKILL timer would be a handler to run (after 3 s).
  EXPECT_EQ(s.io.run(), 0u);
  EXPECT_EQ(exits, 1);
}

TEST(ProcessRunnerKill, DroppingTheHandleDoesNotStopTheChildOrItsReport) {
  Session s;
  std::optional<ProcessResult> result;
  std::vector<std::string> lines;
  s.runner->start(
      sh("echo started; sleep 0.2; echo done"),
      [&](OutputStream, const std::string& l) { lines.push_back(l); },
      [&](const ProcessResult& r) { result = r; });
  s.io.run_for(20s);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"started", "done"}));
}

TEST(ProcessRunnerKill, GrandchildHoldingThePipesDelaysTheExitOnlyUntilTheDrain) {
  ProcessRunnerOptions options;
  options.output_drain = 200ms;
  Session s(options);
  s.run(sh("sleep 30 & echo $!"));
  ASSERT_TRUE(s.result);
  EXPECT_EQ(s.result->exit_code, 0);
  ASSERT_EQ(s.lines.size(), 1U);
  const int grandchild = std::stoi(s.lines[0]);
  EXPECT_FALSE(gone(grandchild));
  ::kill(grandchild, SIGKILL);
}

TEST(ProcessRunnerKill, ChildDiesWhenTheDaemonIsSigkilled) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t daemon = ::fork();
  ASSERT_GE(daemon, 0);
  if (daemon == 0) {
    // A stand-in daemon: starts a long child, tells the test its PID, then waits.
    ::close(report[0]);
    boost::asio::io_context io;
    auto runner = make_process_runner(io);
    ProcessSpec spec;
    spec.argv = {"/bin/sleep", "30"};
    auto proc = runner->start(spec, {}, [](const ProcessResult&) {});
    const int pid = proc->pid();
    (void)!::write(report[1], &pid, sizeof pid);
    io.run_for(30s);
    ::_exit(0);
  }
  ::close(report[1]);
  int child = 0;
  ASSERT_EQ(::read(report[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  ::close(report[0]);
  ASSERT_GT(child, 0);
  EXPECT_FALSE(gone(child));
  ::kill(daemon, SIGKILL);
  ASSERT_EQ(::waitpid(daemon, nullptr, 0), daemon);
  EXPECT_TRUE(wait_gone(child, 5s)) << "the child outlived its SIGKILLed parent";
  if (!gone(child)) ::kill(child, SIGKILL);
}

}  // namespace
}  // namespace coltec
