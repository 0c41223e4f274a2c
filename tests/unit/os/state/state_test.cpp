// State directory location, directory creation, atomic writes and markers.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

class StateTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return m_dir + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(m_dir)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  static unsigned mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return static_cast<unsigned>(st.st_mode) & 07777U;
  }
  test::TempDir m_tmp{"coltec-state"};
  std::string m_dir = m_tmp.str();
};

using Env = std::map<std::string, std::string>;

TEST(StateDirFor, StateDirOverrideIsTheBase) {
  const auto dir = state_dir_for(
      "ws", Env{{"COLTEC_STATE_DIR", "/srv/state/"}, {"XDG_DATA_HOME", "/x"}, {"HOME", "/home/u"}});
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(*dir, "/srv/state/ws");
}

TEST(StateDirFor, XdgDataHomeThenHome) {
  EXPECT_EQ(*state_dir_for("ws", Env{{"XDG_DATA_HOME", "/data"}, {"HOME", "/home/u"}}),
            "/data/coltec-daemon/ws");
  EXPECT_EQ(*state_dir_for("ws", Env{{"HOME", "/home/u"}}),
            "/home/u/.local/share/coltec-daemon/ws");
  // A relative XDG_DATA_HOME is invalid by the XDG spec and ignored.
  EXPECT_EQ(*state_dir_for("ws", Env{{"XDG_DATA_HOME", "rel"}, {"HOME", "/h"}}),
            "/h/.local/share/coltec-daemon/ws");
}

TEST(StateDirFor, RejectsUnsafeWorkspaceNames) {
  const Env env{{"HOME", "/h"}};
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a/b", "../x", std::string("a\0b", 3)}) {
    EXPECT_FALSE(state_dir_for(bad, env).ok()) << bad;
  }
  EXPECT_TRUE(state_dir_for("..a", env).ok());
}

TEST(StateDirFor, NoBaseOrRelativeOverrideIsAnError) {
  EXPECT_FALSE(state_dir_for("ws", Env{}).ok());
  const auto rel = state_dir_for("ws", Env{{"COLTEC_STATE_DIR", "state"}});
  ASSERT_FALSE(rel.ok());
  EXPECT_NE(rel.error().message.find("absolute"), std::string::npos);
}

TEST_F(StateTest, EnsureDirCreatesParentsAndLeafMode) {
  const auto leaf = path("a/b/c");
  ASSERT_TRUE(ensure_dir(leaf, 0700).ok());
  EXPECT_TRUE(fs::is_directory(leaf));
  EXPECT_EQ(mode_of(leaf), 0700U);
  EXPECT_TRUE(ensure_dir(leaf, 0700).ok()) << "existing directory is fine";
}

TEST_F(StateTest, EnsureDirTightensLooseExistingDirectory) {
  const auto d = path("loose");
  ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(d.c_str(), 0777), 0);
  ASSERT_TRUE(ensure_dir(d, 0700).ok());
  EXPECT_EQ(mode_of(d), 0700U);
}

TEST_F(StateTest, EnsureDirFailsClearlyWhenAFileIsInTheWay) {
  std::ofstream(path("file")) << "x";
  const auto made = ensure_dir(path("file/sub"), 0700);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().message,
            "cannot create state directory " + path("file/sub") + ": Not a directory");
  const auto same = ensure_dir(path("file"), 0700);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message.find("is not a directory"), std::string::npos);
}

// Runs ensure_dir as an unprivileged user (root may write anywhere), returning its message.
std::string ensure_dir_as_nobody(const std::string& dir) {
  int out[2];
  if (::pipe(out) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(out[0]);
    std::string msg = "could not drop privileges";
    if (::geteuid() != 0 || (::setgid(65534) == 0 && ::setuid(65534) == 0)) {
      const auto made = ensure_dir(dir, 0700);
      msg = made.ok() ? "ok" : made.error().message;
    }
    (void)!::write(out[1], msg.data(), msg.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) {
    msg.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  ::waitpid(child, nullptr, 0);
  return msg;
}

TEST_F(StateTest, EnsureDirReportsNotWritable) {
  ASSERT_EQ(::chmod(m_dir.c_str(), 0755), 0);
  const auto d = path("ro");
  ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(d.c_str(), 0500), 0);
  }
  EXPECT_EQ(ensure_dir_as_nobody(d),
            "state directory " + d + " is not writable: Permission denied");
  EXPECT_EQ(ensure_dir_as_nobody(path("ro/sub")),
            "cannot create state directory " + path("ro/sub") + ": Permission denied");
}

TEST_F(StateTest, AtomicWriteReplacesContentAndLeavesNoTempFile) {
  const auto f = path("health.json");
  ASSERT_TRUE(write_file_atomic(f, "old").ok());
  ASSERT_TRUE(write_file_atomic(f, "new contents").ok());
  EXPECT_EQ(test::read_file(f), "new contents");
  EXPECT_EQ(mode_of(f), 0644U);
  EXPECT_EQ(entries(), std::vector<std::string>{"health.json"});
}

TEST_F(StateTest, AtomicWriteFailureKeepsOldFileAndLeavesNoTempFile) {
  const auto target = path("target");
  ASSERT_EQ(::mkdir(target.c_str(), 0700), 0);
  std::ofstream(path("target/keep")) << "x";
  // rename() cannot replace a non-empty directory: the write fails after the temp file
  // existed, and the temp file must be cleaned up.
  const auto written = write_file_atomic(target, "data");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find("cannot write " + target), std::string::npos);
  EXPECT_EQ(entries(), std::vector<std::string>{"target"});
  EXPECT_TRUE(fs::is_directory(target));
}

TEST_F(StateTest, AtomicWriteIntoMissingDirectoryFails) {
  EXPECT_FALSE(write_file_atomic(path("missing/f"), "x").ok());
}

TEST_F(StateTest, PrivateFileIs0600EvenOverLooserFile) {
  const auto f = path("rclone.conf");
  std::ofstream(f) << "old";
  ASSERT_EQ(::chmod(f.c_str(), 0666), 0);
  ASSERT_TRUE(write_private_file(f, "[r]\ntype = s3\n").ok());
  EXPECT_EQ(mode_of(f), 0600U);
  EXPECT_EQ(test::read_file(f), "[r]\ntype = s3\n");
}

TEST_F(StateTest, LayoutCreatesThePrivateStateDirAndBisyncWorkdir) {
  const auto state = path("ws");
  ASSERT_TRUE(ensure_state_layout(state).ok());
  EXPECT_EQ(mode_of(state), 0700U);
  EXPECT_EQ(mode_of(state + "/bisync"), 0700U);
  EXPECT_FALSE(fs::exists(state + "/run")) << "nothing uses a run/ directory";
}

// The names are a contract with the earlier daemon and with `status` (DESIGN.md).
TEST(StateLayout, NamesEveryPathOfTheStateDirectory) {
  const std::string s = "/var/lib/coltec-daemon/ws";
  EXPECT_EQ(bisync_workdir(s), s + "/bisync");
  EXPECT_EQ(health_file(s), s + "/health.json");
  EXPECT_EQ(lock_file(s), s + "/daemon.lock");
  EXPECT_EQ(rclone_version_file(s), s + "/rclone.version");
  EXPECT_EQ(restore_backup_root(s), s + "/restore-backup/");
  EXPECT_EQ(restore_backup_dir(s, "code", "20261201T120000Z"),
            s + "/restore-backup/code/20261201T120000Z");
  EXPECT_EQ(marker_path(s, "code"), s + "/code.bisync");
}

TEST_F(StateTest, MarkersUseTheExistingDaemonsFileNames) {
  EXPECT_FALSE(has_marker(m_dir, "code"));
  ASSERT_TRUE(write_marker(m_dir, "code").ok());
  EXPECT_TRUE(has_marker(m_dir, "code"));
  EXPECT_TRUE(fs::exists(path("code.bisync")));
  EXPECT_EQ(fs::file_size(path("code.bisync")), 0U);
  ASSERT_TRUE(remove_marker(m_dir, "code").ok());
  EXPECT_FALSE(has_marker(m_dir, "code"));
  EXPECT_TRUE(remove_marker(m_dir, "code").ok()) << "removing a missing marker succeeds";
}

TEST_F(StateTest, OtherMarkersAreSeparateFiles) {
  ASSERT_TRUE(write_marker(m_dir, "code", ".pushed").ok());
  EXPECT_TRUE(fs::exists(path("code.pushed")));
  EXPECT_TRUE(has_marker(m_dir, "code", ".pushed"));
  EXPECT_FALSE(has_marker(m_dir, "code"));  // not the bisync marker
  ASSERT_TRUE(remove_marker(m_dir, "code", ".pushed").ok());
  EXPECT_TRUE(entries().empty());
}

TEST_F(StateTest, MarkersRejectPathLikeActionNames) {
  EXPECT_FALSE(write_marker(m_dir, "../escape").ok());
  EXPECT_FALSE(remove_marker(m_dir, "a/b").ok());
  EXPECT_FALSE(has_marker(m_dir, ".."));
  EXPECT_TRUE(entries().empty());
}

}  // namespace
}  // namespace coltec
