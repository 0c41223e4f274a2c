#pragma once
// The executor tests' fixture: a FakeProcessRunner (tests/fakes) that records each argv and
// answers with scripted output and exit codes on the same io_context, a temporary local
// folder and state directory, and a log captured into a string. No rclone, no sleeps.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <coltec/executor.hpp>

#include "fakes/fake_process_runner.hpp"
#include "fakes/test_files.hpp"

namespace coltec {

namespace fs = std::filesystem;

inline bool has_arg(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

// The word after `flag` in argv, or "".
inline std::string arg_after(const std::vector<std::string>& argv, const std::string& flag) {
  const auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? std::string() : *(it + 1);
}

// The descriptor behind "/proc/self/fd/N", or -1.
inline int proc_fd(const std::string& path) {
  const std::string prefix = "/proc/self/fd/";
  return path.rfind(prefix, 0) == 0 ? std::atoi(path.c_str() + prefix.size()) : -1;
}

inline std::string stats_line(int checks, int transfers) {
  return R"j({"level":"warning","msg":"stats","stats":{"bytes":100,"checks":)j" +
         std::to_string(checks) + R"j(,"transfers":)j" + std::to_string(transfers) + "}}";
}

inline std::string skipped(const char* what) {
  return std::string(R"j({"level":"warning","msg":"Skipped","object":"x","skipped":")j") + what +
         "\"}";
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root + "/local");
    fs::create_directories(root + "/state/bisync");
    settings.state_dir = root + "/state";
    settings.bisync_workdir = root + "/state/bisync";
    settings.config_path = root + "/rclone.conf";
    settings.caps = caps_for(RcloneVersion{1, 60, 1});
    log = Logger::capture(LogSettings{}, &logged);
  }

  Action action(Direction d) {
    Action a;
    a.name = "code";
    a.local_path = root + "/local";
    a.remote_name = "r";
    a.remote_path = "bucket/ws/code";
    a.remote_type = "s3";
    a.direction = d;
    return a;
  }
  void add_local_file() { std::ofstream(root + "/local/file.txt") << "data"; }
  /// The state of an action that has pushed before: no emptiness probe, straight to the
  /// pre-check.
  void pushed_before() { std::ofstream(root + "/state/code.pushed").flush(); }

  SyncReport run(Executor& ex, RunKind kind = RunKind::full) {
    SyncReport report;
    bool done = false;
    ex.run(
        "code",
        [&](const SyncReport& r) {
          report = r;
          done = true;
        },
        kind);
    io.restart();
    io.run();
    EXPECT_TRUE(done);
    return report;
  }

  test::TempDir m_tmp{"coltec-executor"};
  std::string root = m_tmp.str();
  boost::asio::io_context io;
  FakeProcessRunner runner{io};
  ExecutorSettings settings;
  std::string logged;
  std::unique_ptr<Logger> log;
};

}  // namespace coltec
