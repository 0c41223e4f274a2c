// The real process runner: exit status, spawn failures, environment, stdin, output lines.
// Children are real /bin/sh, /usr/bin/env and friends; every run is bounded by run_for.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/memory_file.hpp>
#include <coltec/process_runner.hpp>

#include "fakes/test_files.hpp"
#include "process_runner_internal.hpp"

namespace coltec {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  std::vector<std::pair<OutputStream, std::string>> lines;
  std::optional<ProcessResult> result;
  int exits = 0;
  std::vector<std::string> out() const {
    std::vector<std::string> v;
    for (const auto& [which, line] : lines) {
      if (which == OutputStream::out) v.push_back(line);
    }
    return v;
  }
};

Outcome run(const ProcessSpec& spec, const ProcessRunnerOptions& options = {}) {
  boost::asio::io_context io;
  auto runner = make_process_runner(io, options);
  Outcome o;
  runner->start(
      spec, [&](OutputStream w, const std::string& line) { o.lines.emplace_back(w, line); },
      [&](const ProcessResult& r) {
        o.result = r;
        ++o.exits;
      });
  io.run_for(20s);
  return o;
}

ProcessSpec sh(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  return spec;
}

TEST(ProcessRunner, ReportsExitCodeOnce) {
  const auto o = run(sh("echo hello; exit 3"));
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.exits, 1);
  EXPECT_EQ(o.result->exit_code, 3);
  EXPECT_EQ(o.result->term_signal, 0);
  EXPECT_FALSE(o.result->timed_out);
  EXPECT_FALSE(o.result->spawn_failed);
  EXPECT_EQ(o.out(), std::vector<std::string>{"hello"});
}

TEST(ProcessRunner, ReportsDeathBySignal) {
  const auto o = run(sh("kill -9 $$"));
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->exit_code, -1);
  EXPECT_EQ(o.result->term_signal, SIGKILL);
}

TEST(ProcessRunner, MissingProgramIsASpawnFailureNotAThrow) {
  ProcessSpec spec;
  spec.argv = {"rclone"};
  spec.env = {"PATH=/nonexistent:/also-missing"};
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.exits, 1);
  EXPECT_TRUE(o.result->spawn_failed);
  EXPECT_EQ(o.result->spawn_error, "rclone: No such file or directory");
  EXPECT_EQ(o.result->exit_code, -1);
}

TEST(ProcessRunner, ExecFailureComesBackThroughTheReportPipe) {
  ProcessSpec spec;
  spec.argv = {"/tmp"};  // a directory: exec fails with EACCES after fork
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_TRUE(o.result->spawn_failed);
  EXPECT_EQ(o.result->spawn_error, "/tmp: Permission denied");
}

TEST(ProcessRunner, EmptyArgvIsASpawnFailure) {
  const auto o = run(ProcessSpec{});
  ASSERT_TRUE(o.result);
  EXPECT_TRUE(o.result->spawn_failed);
}

TEST(ProcessRunner, SearchesThePathOfTheSpecsEnvironment) {
  ProcessSpec spec;
  spec.argv = {"true"};
  spec.env = {"PATH=/nonexistent::/bin"};
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_FALSE(o.result->spawn_failed) << o.result->spawn_error;
  EXPECT_EQ(o.result->exit_code, 0);
}

TEST(ProcessRunner, PathSearchSkipsEmptyEntries) {
  EXPECT_EQ(runner_detail::exec_candidates("rclone", ":/a::/b/:"),
            (std::vector<std::string>{"/a/rclone", "/b//rclone"}));
  EXPECT_EQ(runner_detail::exec_candidates("./x", "/a"), std::vector<std::string>{"./x"});
  EXPECT_EQ(runner_detail::search_path({"A=1", "PATH=/p"}), "/p");
}

TEST(ProcessRunner, ResolvesAProgramAsTheSpawnWould) {
  const test::TempDir tmp("coltec-resolve");
  const std::string& dir = tmp.str();
  const std::string plain = dir + "/plain", exe = dir + "/exe";
  ASSERT_EQ(::mkdir(plain.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(exe.c_str(), 0700), 0);
  std::ofstream(plain + "/tool") << "#!/bin/sh\n";  // not executable: skipped
  std::ofstream(exe + "/tool") << "#!/bin/sh\n";
  ASSERT_EQ(::chmod((exe + "/tool").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((plain + "/sub").c_str(), 0700), 0);
  const std::vector<std::string> env{"PATH=" + plain + "::" + exe};
  EXPECT_EQ(resolve_program("tool", env), exe + "/tool");
  EXPECT_EQ(resolve_program("sub", {"PATH=" + dir + "/plain"}), std::nullopt);  // a directory
  EXPECT_EQ(resolve_program("missing", env), std::nullopt);
  EXPECT_EQ(resolve_program(exe + "/tool", {}), exe + "/tool");
  EXPECT_EQ(resolve_program("", env), std::nullopt);
}

TEST(ProcessRunner, EnvironmentIsExactlyTheSpecs) {
  ProcessSpec spec;
  spec.argv = {"/usr/bin/env"};
  spec.env = {"A=1", "B=two words", "EMPTY="};
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->exit_code, 0);
  EXPECT_EQ(o.out(), spec.env);
}

TEST(ProcessRunner, StdinDataReachesTheChildAndFinalLineIsDelivered) {
  ProcessSpec spec;
  spec.argv = {"/bin/cat"};
  spec.stdin_data = "hello\nworld";
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.out(), (std::vector<std::string>{"hello", "world"}));
}

TEST(ProcessRunner, LargeStdinDoesNotBlockTheLoop) {
  ProcessSpec spec = sh("wc -c");
  spec.stdin_data = std::string(1 << 20, 'x');
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.out(), std::vector<std::string>{"1048576"});
}

TEST(ProcessRunner, ChildThatIgnoresStdinIsFine) {
  ProcessSpec spec = sh("exit 0");
  spec.stdin_data = std::string(1 << 20, 'x');
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->exit_code, 0);
}

TEST(ProcessRunner, NoStdinDataMeansDevNull) {
  const auto o = run(sh("cat; echo done"));
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.out(), std::vector<std::string>{"done"});
}

TEST(ProcessRunner, SeparatesStdoutAndStderr) {
  const auto o = run(sh("echo out; echo err >&2"));
  ASSERT_TRUE(o.result);
  std::vector<std::string> err;
  for (const auto& [w, line] : o.lines) {
    if (w == OutputStream::err) err.push_back(line);
  }
  EXPECT_EQ(o.out(), std::vector<std::string>{"out"});
  EXPECT_EQ(err, std::vector<std::string>{"err"});
}

TEST(ProcessRunner, SplitsLinesLongerThan64KiB) {
  const auto o =
      run(sh("head -c 150000 /dev/zero | tr '\\000' a; echo; "
             "head -c 65536 /dev/zero | tr '\\000' b; echo"));
  ASSERT_TRUE(o.result);
  const auto lines = o.out();
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[0], std::string(65536, 'a'));
  EXPECT_EQ(lines[1], std::string(65536, 'a'));
  EXPECT_EQ(lines[2], std::string(150000 - 2 * 65536, 'a'));
  EXPECT_EQ(lines[3], std::string(65536, 'b')) << "exactly 64 KiB stays one line";
}

TEST(ProcessRunner, AllOutputArrivesBeforeTheExit) {
  const auto o = run(sh("i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done"));
  ASSERT_TRUE(o.result);
  const auto lines = o.out();
  ASSERT_EQ(lines.size(), 2000U);
  EXPECT_EQ(lines.back(), "line1999");
}

TEST(ProcessRunner, OnlyStandardDescriptorsReachTheChild) {
  const int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaked, 0);
  const int high = ::dup2(leaked, 100);
  ASSERT_EQ(high, 100);
  const auto o = run(sh("ls /proc/self/fd"));
  ::close(leaked);
  ::close(high);
  ASSERT_TRUE(o.result);
  // 0, 1, 2 and the directory descriptor ls itself opens to list /proc/self/fd.
  EXPECT_EQ(o.out(), (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST(ProcessRunner, KeptDescriptorsReachTheChildUnderTheirNumber) {
  auto kept = MemoryFile::create("kept", "for the child\n");
  auto other = MemoryFile::create("other", "not for the child\n");
  ASSERT_TRUE(kept.ok() && other.ok());
  auto spec = sh("cat " + kept->path() + "; ls /proc/self/fd");
  spec.keep_fds = {kept->fd()};
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->exit_code, 0);
  // The kept one, nothing else: 0, 1, 2, it, and the directory ls opens itself.
  std::vector<std::string> fds{"0", "1", "2", std::to_string(kept->fd())};
  const auto lines = o.out();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "for the child");
  std::vector<std::string> listed(lines.begin() + 1, lines.end());
  EXPECT_EQ(std::count(listed.begin(), listed.end(), std::to_string(other->fd())), 0);
  for (const auto& fd : fds) EXPECT_EQ(std::count(listed.begin(), listed.end(), fd), 1) << fd;
  EXPECT_EQ(listed.size(), fds.size() + 1);
}

TEST(ProcessRunner, AKeptDescriptorBelowThreeIsRefused) {
  auto spec = sh("true");
  spec.keep_fds = {1};
  const auto o = run(spec);
  ASSERT_TRUE(o.result);
  EXPECT_TRUE(o.result->spawn_failed);
}

TEST(ProcessRunner, ChildRunsInItsOwnProcessGroup) {
  boost::asio::io_context io;
  auto runner = make_process_runner(io);
  std::vector<std::string> lines;
  auto proc = runner->start(
      sh("ps -o pgid= -p $$"), [&](OutputStream, const std::string& l) { lines.push_back(l); },
      [](const ProcessResult&) {});
  io.run_for(20s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(std::stoi(lines[0]), proc->pid());
  EXPECT_NE(proc->pid(), ::getpgrp());
}

TEST(ProcessRunner, PollingFallbackReapsToo) {
  ProcessRunnerOptions options;
  options.use_pidfd = false;
  options.poll_interval = 5ms;
  const auto o = run(sh("echo hi; exit 7"), options);
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->exit_code, 7);
  EXPECT_EQ(o.out(), std::vector<std::string>{"hi"});
}

TEST(ProcessRunner, ReportsDuration) {
  const auto o = run(sh("sleep 0.2"));
  ASSERT_TRUE(o.result);
  EXPECT_GE(o.result->duration, 150ms);  // a lower bound: no machine runs sleep 0.2 faster
}

}  // namespace
}  // namespace coltec
