// Prometheus' own checker, when installed (Debian: the `prometheus` package ships promtool),
// must accept our output, lint rules included. Skipped when promtool is absent, so CI does
// not depend on it; metrics_parser_test.cpp is the check that always runs.

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coltec/metrics.hpp>

#include "fakes/test_files.hpp"

extern char** environ;

namespace coltec {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir;
    candidate += '/';
    candidate += program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

struct Checked {
  int status = -1;
  std::string output;
};

// Runs `promtool check metrics` with `input_file` as stdin (no shell), output to a file.
Checked promtool_check(const std::string& promtool, const std::string& input_file,
                       const std::string& output_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, input_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string arg0 = promtool;
  std::string arg1 = "check";
  std::string arg2 = "metrics";
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  pid_t pid = 0;
  Checked result;
  const int spawned = ::posix_spawn(&pid, promtool.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return result;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return result;
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(output_file);
  std::stringstream text;
  text << in.rdbuf();
  result.output = text.str();
  return result;
}

class MetricsPromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = find_in_path("promtool");
    if (!found) GTEST_SKIP() << "promtool not installed (apt-get install prometheus)";
    m_promtool = *found;
  }
  Checked run(const std::string& text) {
    const std::string input = m_dir + "/in.prom";
    std::ofstream(input) << text;
    return promtool_check(m_promtool, input, m_dir + "/out.txt");
  }
  std::string m_promtool;
  test::TempDir m_tmp{"coltec-promtool"};
  std::string m_dir = m_tmp.str();
};

TEST_F(MetricsPromtoolTest, AcceptsOurOutput) {
  Metrics metrics;
  metrics.set_build_info("0.1.0", "v1.60.1 \"os\"\n\\");
  metrics.set_watches(3);
  RunReport report;
  report.files = 2;
  report.bytes = 4096;
  report.duration = std::chrono::milliseconds(7300);
  metrics.record_run("code", report, 1700000000.5);
  report.outcome = Outcome::refused;
  metrics.record_run("agent \"ctx\"", report, 1700000001);
  metrics.record_retry("code");
  ActionStatus status;
  status.name = "code";
  status.pending_changes = true;
  metrics.set_actions_status({status});

  const Checked checked = run(metrics.render());
  EXPECT_EQ(checked.status, 0) << checked.output;
  EXPECT_EQ(checked.output, "") << "lint findings";
}

// Proves the harness can fail: promtool must reject a broken document.
TEST_F(MetricsPromtoolTest, RejectsBrokenInput) {
  const Checked checked = run("# TYPE x_total counter\nx_total{a=\"1} 1\n");
  EXPECT_NE(checked.status, 0) << checked.output;
}

}  // namespace
}  // namespace coltec
