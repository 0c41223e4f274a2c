// The watcher against real inotify on temporary directories. Waits are bounded: the
// io_context is polled until the expected callback fires. "Reports nothing" is proven
// with a sentinel write in another root: inotify delivers events in order, so once the
// sentinel is reported every earlier event has been handled.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <coltec/watcher.hpp>

#include "watcher_fixture.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_F(WatcherTest, WriteInRootReportsThatAction) {
  fs::create_directories(m_dir / "root" / "a" / "b");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  EXPECT_EQ(m_watcher->watch_count("work"), 3u);
  EXPECT_EQ(m_watcher->watch_count(), 4u);
  EXPECT_EQ(m_watcher->mode("work"), WatchMode::watching);
  write_file(m_dir / "root" / "a" / "b" / "f.txt");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("work") > 0; }));
  EXPECT_TRUE(m_rec.fallbacks.empty());
  EXPECT_TRUE(m_rec.errors.empty());
}

TEST_F(WatcherTest, ReadPendingReportsQueuedEventsWithoutTheLoopAndOnlyOnce) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  EXPECT_EQ(m_watcher->read_pending(), 0u);  // nothing queued: returns at once
  write_file(m_dir / "root" / "last-words.txt");
  // The io_context never runs here: the event must come from the kernel queue directly,
  // as it does when a stop signal is handled first.
  EXPECT_GT(m_watcher->read_pending(), 0u);
  EXPECT_EQ(m_rec.changed("work"), 1u);
  const auto& p = m_rec.paths["work"];
  EXPECT_NE(std::find(p.begin(), p.end(), ChangedPath{"last-words.txt", false}), p.end());
  // The asynchronous read finds the queue empty afterwards: nothing is reported twice.
  settle();
  EXPECT_EQ(m_rec.changed("work"), 1u);
}

TEST_F(WatcherTest, ReadPendingDrainsAQueueLargerThanOneRead) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  const std::string stem(200, 'n');  // long names: 600 files fill several 64 KiB reads
  constexpr int k_files = 600;
  for (int i = 0; i < k_files; ++i) write_file(m_dir / "root" / (stem + std::to_string(i)));
  EXPECT_GT(m_watcher->read_pending(), std::size_t{64} * 1024);
  std::set<std::string> seen;
  for (const auto& c : m_rec.paths["work"]) seen.insert(c.relative);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(k_files));
}

TEST_F(WatcherTest, ReadPendingAfterStopReadsNothing) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  write_file(m_dir / "root" / "f.txt");
  m_watcher->stop();
  EXPECT_EQ(m_watcher->read_pending(), 0u);
  EXPECT_TRUE(m_rec.changes.empty());
}

TEST_F(WatcherTest, ReportsWhichPathsChanged) {
  fs::create_directories(m_dir / "root" / "a");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {"*.log"}});
  write_file(m_dir / "root" / "a" / "f.txt");
  write_file(m_dir / "root" / "skip.log");
  fs::create_directories(m_dir / "root" / "newdir");
  settle();
  const auto& p = m_rec.paths["work"];
  EXPECT_NE(std::find(p.begin(), p.end(), ChangedPath{"a/f.txt", false}), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), ChangedPath{"newdir", true}), p.end());
  EXPECT_EQ(std::count_if(p.begin(), p.end(),
                          [](const ChangedPath& c) { return c.relative == "skip.log"; }),
            0);
  EXPECT_EQ(m_rec.incomplete.count("work"), 0u);
}

TEST_F(WatcherTest, ManyChangesInOneBatchAreReportedAsIncomplete) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  for (std::size_t i = 0; i < k_max_reported_paths + 50; ++i) {
    write_file(m_dir / "root" / ("f" + std::to_string(i)));
  }
  settle();
  EXPECT_EQ(m_rec.incomplete.count("work"), 1u);
}

TEST_F(WatcherTest, NewSubdirectoryIsWatchedAndItsContentsScanned) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  // The nested directories and the file exist before any watch on them can.
  fs::create_directories(m_dir / "root" / "a" / "b" / "c");
  write_file(m_dir / "root" / "a" / "b" / "c" / "early.txt");
  ASSERT_TRUE(run_until(m_io, [&] { return m_watcher->watch_count("work") == 4; }));
  EXPECT_GE(m_rec.changed("work"), 1u);
  m_rec.changes.clear();
  write_file(m_dir / "root" / "a" / "b" / "c" / "later.txt");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("work") > 0; }));
}

TEST_F(WatcherTest, ExcludedSubtreesAreNotWatchedAndReportNothing) {
  for (const char* dir :
       {"node_modules/pkg/lib", ".git/objects", "build/out", "src/build", "src/__pycache__"}) {
    fs::create_directories(m_dir / "root" / dir);
  }
  start();
  m_watcher->add_root(
      WatchRoot{"work",
                root(),
                {"node_modules/**", ".git/**", "*.pyc", "/build/**", "__pycache__/**", "*.tmp"}});
  // root, src, src/build: "/build/**" is anchored, so src/build stays watched.
  EXPECT_EQ(m_watcher->watch_count("work"), 3u);
  write_file(m_dir / "root" / "node_modules" / "pkg" / "lib" / "x.js");
  write_file(m_dir / "root" / "module.pyc");
  write_file(m_dir / "root" / "src" / "scratch.tmp");
  fs::create_directories(m_dir / "root" / "node_modules" / "other");
  fs::create_directories(m_dir / "root" / "src" / "sub" / "__pycache__");
  write_file(m_dir / "root" / "src" / "x.pyc");
  settle();
  EXPECT_EQ(m_rec.changed("work"), 1u) << "only src/sub was a change";
  EXPECT_EQ(m_watcher->watch_count("work"), 4u) << "src/sub is watched, its __pycache__ not";
  m_rec.changes.clear();
  write_file(m_dir / "root" / "src" / "build" / "main.o");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("work") > 0; }));
}

TEST_F(WatcherTest, DaemonFilesAndRclonePartialsReportNothing) {
  fs::create_directories(m_dir / "root" / ".state" / "bisync");
  const std::string log_file = (m_dir / "root" / "daemon.log").string();
  start(WatcherOptions{{(m_dir / "root" / ".state/").string(), log_file}, {"*.partial"}});
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  EXPECT_EQ(m_watcher->watch_count("work"), 1u);
  write_file(m_dir / "root" / ".state" / "health.json");
  write_file(m_dir / "root" / ".state" / "bisync" / "x.lck");
  write_file(log_file, "log line");
  write_file(m_dir / "root" / "big.bin.3f2a.partial");
  settle();
  EXPECT_EQ(m_rec.changed("work"), 0u);
}

TEST_F(WatcherTest, NestedRootsReportTheDeepestRoot) {
  fs::create_directories(m_dir / "root" / "inner" / "deep");
  start();
  m_watcher->add_root(WatchRoot{"outer", root(), {}});
  m_watcher->add_root(WatchRoot{"inner", (m_dir / "root" / "inner").string(), {}});
  EXPECT_EQ(m_watcher->watch_count("outer"), 3u);
  EXPECT_EQ(m_watcher->watch_count("inner"), 2u);
  EXPECT_EQ(m_watcher->watch_count(), 4u) << "shared directories use one kernel watch";
  write_file(m_dir / "root" / "inner" / "deep" / "f");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("inner") > 0; }));
  write_file(m_dir / "root" / "g");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("outer") > 0; }));
  EXPECT_EQ(m_rec.changes, (std::vector<std::string>{"inner", "outer"}));
}

TEST_F(WatcherTest, TwoActionsOnOneFolderAreBothReported) {
  start();
  m_watcher->add_root(WatchRoot{"to-r2", root(), {}});
  m_watcher->add_root(WatchRoot{"to-s3", root() + "/", {}});
  write_file(m_dir / "root" / "f");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("to-r2") && m_rec.changed("to-s3"); }));
}

TEST_F(WatcherTest, SymlinksAreNotFollowed) {
  fs::create_directories(m_dir / "elsewhere" / "a" / "b");
  fs::create_directory_symlink(m_dir / "elsewhere", m_dir / "root" / "link");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  EXPECT_EQ(m_watcher->watch_count("work"), 1u);
}

TEST_F(WatcherTest, DeepTreesUseAnExplicitStack) {
  fs::path deep = m_dir / "root";
  for (int level = 0; level < 400; ++level) deep /= "d";
  fs::create_directories(deep);
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  EXPECT_EQ(m_watcher->watch_count("work"), 401u);
}

TEST_F(WatcherTest, VanishedDirectoriesLoseTheirBookkeeping) {
  fs::create_directories(m_dir / "root" / "sub" / "a");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  ASSERT_EQ(m_watcher->watch_count("work"), 3u);
  fs::remove_all(m_dir / "root" / "sub");
  ASSERT_TRUE(run_until(m_io, [&] { return m_watcher->watch_count("work") == 1; }));
  EXPECT_GE(m_rec.changed("work"), 1u);
}

TEST_F(WatcherTest, DirectoriesMovedOutAndBackAreTrackedByTheirNewPath) {
  fs::create_directories(m_dir / "root" / "sub" / "a");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  fs::rename(m_dir / "root" / "sub", m_dir / "away");
  ASSERT_TRUE(run_until(m_io, [&] { return m_watcher->watch_count("work") == 1; }));
  write_file(m_dir / "away" / "a" / "outside.txt");
  settle();
  m_rec.changes.clear();
  fs::rename(m_dir / "away", m_dir / "root" / "back");
  ASSERT_TRUE(run_until(m_io, [&] { return m_watcher->watch_count("work") == 3; }));
  m_rec.changes.clear();
  write_file(m_dir / "root" / "back" / "a" / "inside.txt");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("work") > 0; }));
}

TEST_F(WatcherTest, MissingRootFallsBackAndCanBeRetried) {
  start();
  const std::string missing = (m_dir / "later").string();
  m_watcher->add_root(WatchRoot{"work", missing, {}});
  ASSERT_EQ(m_rec.fallbacks.size(), 1u);
  EXPECT_EQ(m_rec.fallbacks[0].first, "work");
  EXPECT_NE(m_rec.fallbacks[0].second.find("does not exist"), std::string::npos);
  EXPECT_EQ(m_watcher->mode("work"), WatchMode::root_missing);
  EXPECT_TRUE(m_watcher->retry_missing_roots().empty());
  EXPECT_EQ(m_rec.fallbacks.size(), 1u) << "a retry that still fails is silent";
  fs::create_directories(missing);
  EXPECT_EQ(m_watcher->retry_missing_roots(), std::vector<std::string>{"work"});
  EXPECT_EQ(m_watcher->mode("work"), WatchMode::watching);
  write_file(fs::path(missing) / "f");
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("work") > 0; }));
}

TEST_F(WatcherTest, RootDeletedWhileWatchedFallsBackOnce) {
  fs::create_directories(m_dir / "root" / "sub");
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  fs::remove_all(m_dir / "root");
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.fallbacks.empty(); }));
  settle();
  ASSERT_EQ(m_rec.fallbacks.size(), 1u);
  EXPECT_NE(m_rec.fallbacks[0].second.find("disappeared"), std::string::npos);
  EXPECT_EQ(m_watcher->mode("work"), WatchMode::root_missing);
  EXPECT_EQ(m_watcher->watch_count("work"), 0u);
}

TEST_F(WatcherTest, NestedRootMovedAwayIsLost) {
  fs::create_directories(m_dir / "root" / "inner");
  start();
  m_watcher->add_root(WatchRoot{"outer", root(), {}});
  m_watcher->add_root(WatchRoot{"inner", (m_dir / "root" / "inner").string(), {}});
  fs::rename(m_dir / "root" / "inner", m_dir / "moved");
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.fallbacks.empty(); }));
  EXPECT_EQ(m_rec.fallbacks[0].first, "inner");
  EXPECT_EQ(m_watcher->mode("inner"), WatchMode::root_missing);
  EXPECT_EQ(m_watcher->mode("outer"), WatchMode::watching);
}

TEST_F(WatcherTest, DuplicateActionsAndBadPatternsAreReportedNotFatal) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {"[broken", "*.pyc"}});
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  ASSERT_EQ(m_rec.errors.size(), 2u);
  EXPECT_NE(m_rec.errors[0].second.find("[broken"), std::string::npos);
  EXPECT_NE(m_rec.errors[1].second.find("already watched"), std::string::npos);
  write_file(m_dir / "root" / "a.pyc");
  settle();
  EXPECT_EQ(m_rec.changed("work"), 0u) << "the valid patterns still apply";
}

TEST_F(WatcherTest, StopReleasesEverythingAndSilencesCallbacks) {
  start();
  m_watcher->add_root(WatchRoot{"work", root(), {}});
  write_file(m_dir / "root" / "f");
  m_watcher->stop();
  EXPECT_EQ(m_watcher->watch_count(), 0u);
  EXPECT_FALSE(m_watcher->available());
  m_io.run_for(20ms);
  EXPECT_TRUE(m_rec.changes.empty());
}

TEST(WatcherCreate, RejectsInvalidIgnoredNamePatterns) {
  boost::asio::io_context io;
  auto created = Watcher::create(io, {}, WatcherOptions{{}, {"{unclosed"}});
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().message.find("{unclosed"), std::string::npos);
}

}  // namespace
}  // namespace coltec
