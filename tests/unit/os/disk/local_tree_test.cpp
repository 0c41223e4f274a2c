// The local disk as the executor sees it before a sync.

#include <gtest/gtest.h>

#include <coltec/local_tree.hpp>

namespace coltec {
namespace {

TEST(LocalTree, KnowsMountPoints) {
  EXPECT_TRUE(is_mount_point("/"));
  EXPECT_TRUE(is_mount_point("/proc"));
  EXPECT_FALSE(is_mount_point("/proc/self"));
  EXPECT_FALSE(is_mount_point("/no/such/dir"));
}

}  // namespace
}  // namespace coltec
