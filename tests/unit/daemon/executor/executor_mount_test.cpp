// A folder the spec mounts a volume at is synced only while something is mounted there: an
// empty mount point would read as "every file deleted". The mounts are played through the
// Disk seam (a test cannot mount), for push-only and two-way runs alike.

#include <gtest/gtest.h>

#include <coltec/executor.hpp>

#include "executor_fixture.hpp"
#include "fakes/played_disk.hpp"
#include "twoway_run_fixture.hpp"

namespace coltec {
namespace {

TEST_F(ExecutorTest, APushOfAMountedVolumeRunsAndOfAnUnmountedOneIsRefused) {
  add_local_file();
  pushed_before();
  auto a = action(Direction::push_only);
  a.expect_mount = true;
  PlayedDisk disk;
  ExecutorSeams seams;
  seams.disk = &disk;
  Executor ex(runner, *log, settings, {a}, seams);
  const auto refused = run(ex);
  EXPECT_EQ(refused.failure, RcloneFailure::refused);
  EXPECT_NE(refused.error.find(a.local_path + " should be a mounted volume"), std::string::npos)
      << refused.error;
  EXPECT_TRUE(runner.calls.empty());

  disk.mounts.insert(a.local_path);
  const auto ran = run(ex);
  EXPECT_EQ(ran.failure, RcloneFailure::none) << ran.error;
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_TRUE(has_arg(runner.calls.front(), "--dry-run"));  // the pre-check
}

TEST_F(TwoWayRunTest, ATwoWayRunOfAnUnmountedVolumeIsRefusedAndOfAMountedOneRuns) {
  disk.put(k_local + "/a.txt", "a", 1);
  auto a = action();
  a.expect_mount = true;
  Executor ex(runner, *log, settings, {a}, seams);
  const auto refused = run(ex);
  EXPECT_EQ(refused.failure, RcloneFailure::refused);
  EXPECT_NE(refused.error.find("should be a mounted volume"), std::string::npos) << refused.error;
  EXPECT_TRUE(commands().empty());
  EXPECT_TRUE(rclone.remote.empty());

  disk.mounts.insert(k_local);
  const auto ran = run(ex);
  EXPECT_EQ(ran.failure, RcloneFailure::none) << ran.error;
  EXPECT_EQ(rclone.remote.count("a.txt"), 1U);
}

}  // namespace
}  // namespace coltec
