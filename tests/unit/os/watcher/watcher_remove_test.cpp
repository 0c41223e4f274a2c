// Removing a root (SIGHUP: an action removed, or its path or excludes changed): its watches
// go, except directories another root still covers, and nothing more is reported for it.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/watcher.hpp>

#include "watcher_fixture.hpp"

namespace coltec {
namespace {

TEST_F(WatcherTest, ARemovedRootReportsNothingAndReleasesItsWatches) {
  fs::create_directories(m_dir / "root" / "a");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  ASSERT_EQ(m_watcher->watch_count(), 3u);
  EXPECT_TRUE(m_watcher->remove_root("work"));
  EXPECT_EQ(m_watcher->watch_count(), 1u) << "only the sentinel is left";
  EXPECT_EQ(m_watcher->mode("work"), std::nullopt);
  EXPECT_EQ(m_watcher->watch_count("work"), 0u);
  write_file(m_dir / "root" / "a" / "f");
  settle();
  EXPECT_EQ(m_rec.changed("work"), 0u);
  EXPECT_FALSE(m_watcher->remove_root("work")) << "unknown by now";
}

TEST_F(WatcherTest, RemovingANestedRootKeepsTheSharedDirectoriesForTheOther) {
  fs::create_directories(m_dir / "root" / "inner" / "deep");
  start();
  m_watcher->add_root(WatchRoot{"outer", root(), {}});
  m_watcher->add_root(WatchRoot{"inner", (m_dir / "root" / "inner").string(), {}});
  ASSERT_TRUE(m_watcher->remove_root("inner"));
  EXPECT_EQ(m_watcher->watch_count("outer"), 3u);
  write_file(m_dir / "root" / "inner" / "deep" / "f");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("outer") > 0; }));
  settle();
  EXPECT_EQ(m_rec.changed("inner"), 0u);
}

TEST_F(WatcherTest, RemovingTheOuterRootKeepsTheInnerOneWatched) {
  fs::create_directories(m_dir / "root" / "inner" / "deep");
  start();
  m_watcher->add_root(WatchRoot{"outer", root(), {}});
  m_watcher->add_root(WatchRoot{"inner", (m_dir / "root" / "inner").string(), {}});
  ASSERT_TRUE(m_watcher->remove_root("outer"));
  EXPECT_EQ(m_watcher->watch_count("inner"), 2u);
  EXPECT_EQ(m_watcher->watch_count(), 3u) << "inner, inner/deep and the sentinel";
  write_file(m_dir / "root" / "g");  // only the outer root covered this
  write_file(m_dir / "root" / "inner" / "deep" / "f");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("inner") > 0; }));
  settle();
  EXPECT_EQ(m_rec.changed("outer"), 0u);
  // A directory created now belongs to the remaining root alone.
  fs::create_directories(m_dir / "root" / "inner" / "new");
  settle();
  write_file(m_dir / "root" / "inner" / "new" / "h");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("inner") > 1; }));
}

TEST_F(WatcherTest, AnActionMovedToAnotherFolderIsWatchedThereOnly) {
  fs::create_directories(m_dir / "old");
  fs::create_directories(m_dir / "new");
  start();
  m_watcher->add_root(WatchRoot{"code", (m_dir / "old").string(), {}});
  ASSERT_TRUE(m_watcher->remove_root("code"));
  m_watcher->add_root(WatchRoot{"code", (m_dir / "new").string(), {"*.tmp"}});
  write_file(m_dir / "old" / "f");
  write_file(m_dir / "new" / "x.tmp");  // the new excludes apply
  settle();
  EXPECT_EQ(m_rec.changed("code"), 0u);
  write_file(m_dir / "new" / "f");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("code") > 0; }));
  for (const ChangedPath& changed : m_rec.paths["code"]) {
    EXPECT_EQ(changed, (ChangedPath{"f", false})) << "nothing from the old folder or excluded";
  }
}

TEST_F(WatcherTest, AMissingRootCanBeRemovedAndNoLongerComesBack) {
  start();
  m_watcher->add_root(WatchRoot{"later", (m_dir / "later").string(), {}});
  ASSERT_EQ(m_watcher->mode("later"), WatchMode::root_missing);
  ASSERT_TRUE(m_watcher->remove_root("later"));
  fs::create_directories(m_dir / "later");
  EXPECT_TRUE(m_watcher->retry_missing_roots().empty());
}

}  // namespace
}  // namespace coltec
