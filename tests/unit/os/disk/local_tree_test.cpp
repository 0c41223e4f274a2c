// The local disk as the executor sees it before a sync.

#include <gtest/gtest.h>

#include <coltec/local_tree.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

TEST(LocalTree, KnowsMountPoints) {
  // Whatever the machine (a container, a chroot where / is no mount point): the answer comes
  // from /proc/self/mountinfo, so procfs itself is mounted at /proc.
  EXPECT_TRUE(is_mount_point("/proc"));
  EXPECT_FALSE(is_mount_point("/proc/self"));
  EXPECT_FALSE(is_mount_point("/no/such/dir"));
  const test::TempDir fresh("coltec-mount");
  EXPECT_FALSE(is_mount_point(fresh.str()));
}

}  // namespace
}  // namespace coltec
