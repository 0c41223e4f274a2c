// What a SIGHUP hands the executor: new settings (the next run uses the new safety values and
// secrets) and new actions (one that syncs another folder starts over with a full run).

#include <algorithm>
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
namespace {

namespace fs = std::filesystem;

class ExecutorReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(m_root + "/local");
    fs::create_directories(m_root + "/state/bisync");
    std::ofstream(m_root + "/local/file.txt") << "data";
    std::ofstream(m_root + "/state/code.pushed").flush();  // pushed before: no probe
    m_settings.state_dir = m_root + "/state";
    m_settings.bisync_workdir = m_root + "/state/bisync";
    m_settings.config_path = m_root + "/rclone.conf";
    m_settings.caps = caps_for(RcloneVersion{1, 60, 1});
    LogSettings debug;
    debug.level = Level::debug;
    m_log = Logger::capture(debug, &m_logged);
    // The pre-check finds one file to copy, so the real sync runs.
    m_runner.script = [](const std::vector<std::string>& argv) {
      const std::string stats = R"j({"level":"warning","msg":"stats","stats":{"checks":5}})j";
      if (std::find(argv.begin(), argv.end(), "--dry-run") != argv.end()) {
        return Script{0, {R"j({"level":"warning","msg":"Skipped","skipped":"copy"})j", stats}, {}};
      }
      return Script{0, {stats}, {}};
    };
  }

  Action push() const {
    Action a;
    a.name = "code";
    a.local_path = m_root + "/local";
    a.remote_name = "r";
    a.remote_path = "bucket/ws/code";
    a.remote_type = "s3";
    a.direction = Direction::push_only;
    return a;
  }

  SyncReport run(Executor& ex, RunKind kind = RunKind::full) {
    m_runner.calls.clear();
    SyncReport report;
    ex.run(
        "code", [&](const SyncReport& r) { report = r; }, kind);
    m_io.restart();
    m_io.run();
    return report;
  }

  // What the log shows of each rclone command.
  std::vector<std::string> logged_commands() const {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (auto end = m_logged.find('\n'); end != std::string::npos;
         end = m_logged.find('\n', start)) {
      const auto line = m_logged.substr(start, end - start);
      if (line.find("running rclone") != std::string::npos) out.push_back(line);
      start = end + 1;
    }
    return out;
  }

  // The real sync run of the last pass (not the dry-run pre-check).
  std::vector<std::string> sync_argv() const {
    for (const auto& argv : m_runner.calls) {
      if (argv.size() > 1 && argv[1] == "sync" &&
          std::find(argv.begin(), argv.end(), "--dry-run") == argv.end()) {
        return argv;
      }
    }
    return {};
  }

  test::TempDir m_tmp{"coltec-executor-reload"};
  std::string m_root = m_tmp.str();
  boost::asio::io_context m_io;
  FakeProcessRunner m_runner{m_io};
  ExecutorSettings m_settings;
  std::string m_logged;
  std::unique_ptr<Logger> m_log;
};

TEST_F(ExecutorReloadTest, TheNextRunUsesTheNewSafetyValues) {
  Executor ex(m_runner, *m_log, m_settings, {push()});
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  auto argv = sync_argv();
  ASSERT_FALSE(argv.empty());
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--backup-dir"), argv.end()) << "trash is on";

  auto changed = ex.settings();
  changed.safety.trash = false;
  ex.replace_settings(changed);
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  argv = sync_argv();
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--backup-dir"), argv.end()) << "trash is off";
  EXPECT_FALSE(ex.settings().safety.trash);
}

TEST_F(ExecutorReloadTest, TheNextRunRedactsTheNewSecrets) {
  Executor ex(m_runner, *m_log, m_settings, {push()});
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  auto commands = logged_commands();
  ASSERT_FALSE(commands.empty()) << m_logged;
  EXPECT_NE(commands[0].find("r:bucket/ws/code"), std::string::npos) << commands[0];
  auto changed = ex.settings();
  changed.secrets = {"bucket"};  // as if a credential happened to be this text
  ex.replace_settings(changed);
  m_logged.clear();
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  commands = logged_commands();
  ASSERT_FALSE(commands.empty()) << m_logged;
  for (const auto& line : commands) {
    EXPECT_EQ(line.find("bucket"), std::string::npos) << line;
    EXPECT_NE(line.find("r:***/ws/code"), std::string::npos) << line;
  }
}

// A run after local changes to existing files uploads just those files by name.
bool uploaded_by_name(const std::vector<std::vector<std::string>>& calls) {
  return !calls.empty() && calls[0].size() > 1 && calls[0][1] == "copy" &&
         std::find(calls[0].begin(), calls[0].end(), "--files-from-raw") != calls[0].end();
}

TEST_F(ExecutorReloadTest, AnActionMovedToAnotherFolderRunsInFullFirst) {
  fs::create_directories(m_root + "/elsewhere");
  std::ofstream(m_root + "/elsewhere/file.txt") << "data";
  Executor ex(m_runner, *m_log, m_settings, {push()});
  ASSERT_EQ(run(ex).failure, RcloneFailure::none);
  ex.note_changes("code", {{"file.txt", false}}, true);
  ASSERT_EQ(run(ex, RunKind::local_changes).failure, RcloneFailure::none);
  ASSERT_TRUE(uploaded_by_name(m_runner.calls)) << "the fast path, before the reload";

  auto slower = push();
  slower.interval = std::chrono::seconds(900);
  ex.replace_actions({slower});
  ex.note_changes("code", {{"file.txt", false}}, true);
  ASSERT_EQ(run(ex, RunKind::local_changes).failure, RcloneFailure::none);
  EXPECT_TRUE(uploaded_by_name(m_runner.calls)) << "a new interval changes nothing here";

  auto moved = push();
  moved.local_path = m_root + "/elsewhere";
  ex.replace_actions({moved});
  ex.note_changes("code", {{"file.txt", false}}, true);
  ASSERT_EQ(run(ex, RunKind::local_changes).failure, RcloneFailure::none);
  EXPECT_FALSE(uploaded_by_name(m_runner.calls))
      << "the new folder was never synced whole: a full run covers what is already there";
  ASSERT_FALSE(m_runner.calls.empty());
  const auto& first = m_runner.calls[0];
  EXPECT_NE(std::find(first.begin(), first.end(), "--dry-run"), first.end())
      << "the full run's pre-check";
}

}  // namespace
}  // namespace coltec
