// The per-workspace lock: exclusive, names its holder, released on destruction and on death.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coltec/state.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

class LockTest : public ::testing::Test {
 protected:
  test::TempDir m_tmp{"coltec-lock"};
  std::string m_dir = m_tmp.str();
  std::string m_lock = m_tmp.path("daemon.lock");
};

TEST_F(LockTest, AcquireWritesOurPid) {
  auto lock = WorkspaceLock::acquire(m_lock);
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(lock->path(), m_lock);
  EXPECT_EQ(test::read_file(m_lock), std::to_string(::getpid()) + "\n");
}

TEST_F(LockTest, SecondAcquireInTheSameProcessConflictsAndNamesTheHolder) {
  auto first = WorkspaceLock::acquire(m_lock);
  ASSERT_TRUE(first.ok());
  const auto second = WorkspaceLock::acquire(m_lock);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "another coltec-daemon (pid " + std::to_string(::getpid()) + ") holds " + m_lock);
}

TEST_F(LockTest, HolderWithoutReadablePidIsStillReported) {
  auto first = WorkspaceLock::acquire(m_lock);
  ASSERT_TRUE(first.ok());
  std::ofstream(m_lock, std::ios::trunc) << "garbage";
  const auto second = WorkspaceLock::acquire(m_lock);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message, "another coltec-daemon holds " + m_lock);
  EXPECT_EQ(lock_holder(m_lock), std::optional<int>(0));
}

TEST_F(LockTest, ReleasedOnDestruction) {
  {
    auto first = WorkspaceLock::acquire(m_lock);
    ASSERT_TRUE(first.ok());
  }
  EXPECT_TRUE(WorkspaceLock::acquire(m_lock).ok());
}

TEST_F(LockTest, MovedLockStaysHeldUntilTheLastOwnerDies) {
  auto first = WorkspaceLock::acquire(m_lock);
  ASSERT_TRUE(first.ok());
  std::optional<WorkspaceLock> kept;
  kept.emplace(std::move(first).value());
  EXPECT_FALSE(WorkspaceLock::acquire(m_lock).ok());
  kept.reset();
  EXPECT_TRUE(WorkspaceLock::acquire(m_lock).ok());
}

TEST_F(LockTest, LockHolderReportsPidWithoutTakingTheLock) {
  EXPECT_EQ(lock_holder(m_lock), std::nullopt) << "no file";
  {
    auto lock = WorkspaceLock::acquire(m_lock);
    ASSERT_TRUE(lock.ok());
    EXPECT_EQ(lock_holder(m_lock), std::optional<int>(::getpid()));
    EXPECT_EQ(lock_holder(m_lock), std::optional<int>(::getpid())) << "asking twice is fine";
  }
  EXPECT_EQ(lock_holder(m_lock), std::nullopt) << "file left behind, but free";
  EXPECT_TRUE(WorkspaceLock::acquire(m_lock).ok()) << "lock_holder kept nothing";
}

TEST_F(LockTest, LockHeldByAnotherProcessIsReleasedWhenItIsKilled) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = WorkspaceLock::acquire(m_lock);
    const char c = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');
  EXPECT_EQ(lock_holder(m_lock), std::optional<int>(child));
  const auto refused = WorkspaceLock::acquire(m_lock);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("(pid " + std::to_string(child) + ")"), std::string::npos);
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(lock_holder(m_lock), std::nullopt);
  EXPECT_TRUE(WorkspaceLock::acquire(m_lock).ok());
}

TEST_F(LockTest, ASymlinkedLockIsRefusedAndItsTargetLeftAlone) {
  const auto target = m_tmp.path("precious.txt");
  std::ofstream(target) << "keep me\n";
  fs::create_symlink(target, m_lock);
  const auto lock = WorkspaceLock::acquire(m_lock);
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.error().message.find("is a symbolic link; refusing to follow it"),
            std::string::npos)
      << lock.error().message;
  EXPECT_EQ(test::read_file(target), "keep me\n");
  EXPECT_EQ(lock_holder(m_lock), std::nullopt);  // not held: a symlink is not our lock
}

TEST_F(LockTest, UnopenableLockPathIsAClearError) {
  const auto lock = WorkspaceLock::acquire(m_dir + "/missing/daemon.lock");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().message,
            "cannot open lock file " + m_dir + "/missing/daemon.lock: No such file or directory");
}

}  // namespace
}  // namespace coltec
