// Stale bisync lock detection: dead PIDs, garbage, reused PIDs, and live rclone processes.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

class BisyncLockTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (m_rclone > 0) {
      ::kill(m_rclone, SIGKILL);
      ::waitpid(m_rclone, nullptr, 0);
    }
  }
  std::string put(const std::string& name, const std::string& text) const {
    auto p = m_dir + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  // A live process whose comm is "rclone": /bin/sleep started through a symlink so named.
  // Returns once the exec happened (so /proc/<pid>/comm says rclone): the child's end of a
  // close-on-exec pipe closes exactly then, and the read sees end-of-file.
  pid_t start_fake_rclone() {
    const auto link = m_dir + "/rclone";
    fs::create_symlink("/bin/sleep", link);
    int sync[2];
    EXPECT_EQ(::pipe2(sync, O_CLOEXEC), 0);
    m_rclone = ::fork();
    if (m_rclone == 0) {
      ::close(sync[0]);
      ::execl(link.c_str(), "rclone", "30", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(sync[1]);
    char byte = 0;
    EXPECT_EQ(::read(sync[0], &byte, 1), 0) << "the exec happened";
    ::close(sync[0]);
    return m_rclone;
  }
  static pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
  }
  test::TempDir m_tmp{"coltec-bisync"};
  std::string m_dir = m_tmp.str();
  pid_t m_rclone = -1;
};

TEST_F(BisyncLockTest, MissingWorkdirHasNoLocks) {
  EXPECT_TRUE(stale_bisync_locks(m_dir + "/missing").empty());
}

TEST_F(BisyncLockTest, LockOfADeadPidIsStale) {
  const auto lock = put("a..r{x}_b.lck", std::to_string(dead_pid()));
  EXPECT_EQ(stale_bisync_locks(m_dir), std::vector<std::string>{lock});
}

TEST_F(BisyncLockTest, GarbageOrEmptyLocksAreStale) {
  const auto empty = put("e.lck", "");
  const auto junk = put("j.lck", "12abc");
  const auto negative = put("n.lck", "-5");
  EXPECT_EQ(stale_bisync_locks(m_dir), (std::vector<std::string>{empty, junk, negative}));
}

TEST_F(BisyncLockTest, LockOfALivePidThatIsNotRcloneIsStale) {
  // Our own PID is alive but it is the test binary: the PID was "reused".
  const auto lock = put("self.lck", std::to_string(::getpid()) + "\n");
  EXPECT_EQ(stale_bisync_locks(m_dir), std::vector<std::string>{lock});
}

TEST_F(BisyncLockTest, LockOfALiveRcloneIsKept) {
  const pid_t pid = start_fake_rclone();
  put("live.lck", std::to_string(pid));
  EXPECT_TRUE(stale_bisync_locks(m_dir).empty());
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  m_rclone = -1;
  EXPECT_EQ(stale_bisync_locks(m_dir).size(), 1U) << "dead now";
}

TEST_F(BisyncLockTest, ZombieRcloneIsStale) {
  const pid_t pid = start_fake_rclone();
  put("zombie.lck", std::to_string(pid));
  ::kill(pid, SIGKILL);
  // Wait for the death without reaping (WNOWAIT): a zombie, which kill(pid, 0) still
  // reports as existing.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(stale_bisync_locks(m_dir).size(), 1U);
}

TEST_F(BisyncLockTest, OnlyLckFilesAreConsidered) {
  put("a.path1.lst", "1");
  put("a.path1.lst-err", "1");
  put(".lck", "1");
  fs::create_directory(m_dir + "/dir.lck");
  fs::create_symlink("/etc/passwd", m_dir + "/link.lck");
  EXPECT_TRUE(stale_bisync_locks(m_dir).empty());
}

TEST_F(BisyncLockTest, RemoveDeletesOnlyStaleLocks) {
  const pid_t pid = start_fake_rclone();
  const auto live = put("live.lck", std::to_string(pid));
  const auto stale = put("stale.lck", std::to_string(dead_pid()));
  const auto removed = remove_stale_bisync_locks(m_dir);
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, std::vector<std::string>{stale});
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
}

}  // namespace
}  // namespace coltec
