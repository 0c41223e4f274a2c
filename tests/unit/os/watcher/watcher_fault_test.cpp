// The watcher under an injected InotifyApi: the watch limit (ENOSPC), no inotify at all
// (EMFILE), and synthetic kernel events (overflow, garbage, EOF) fed through a pipe.

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <coltec/watcher.hpp>

#include "fakes/io_wait.hpp"
#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct ApiLog {
  int add_calls = 0;
  std::vector<int> removed;
  std::map<std::string, int> wd_by_path;
  int pipe_writer = -1;
};

// Real inotify, except that add_watch fails with ENOSPC once `allowed` watches under
// `limited` were granted.
class LimitedApi final : public InotifyApi {
 public:
  LimitedApi(std::shared_ptr<ApiLog> log, std::string limited, int allowed)
      : m_real(make_system_inotify_api()),
        m_log(std::move(log)),
        m_limited(std::move(limited)),
        m_allowed(allowed) {}
  int init() override { return m_real->init(); }
  int add_watch(int fd, const std::string& path, std::uint32_t mask) override {
    ++m_log->add_calls;
    if (path.starts_with(m_limited) && m_allowed-- <= 0) return -ENOSPC;
    return m_real->add_watch(fd, path, mask);
  }
  int remove_watch(int fd, int wd) override {
    m_log->removed.push_back(wd);
    return m_real->remove_watch(fd, wd);
  }

 private:
  std::unique_ptr<InotifyApi> m_real;
  std::shared_ptr<ApiLog> m_log;
  std::string m_limited;
  int m_allowed;
};

// No kernel at all: init returns a pipe the test writes raw event bytes into, and
// add_watch hands out numbers (the same number for the same path, as the kernel does).
class PipeApi final : public InotifyApi {
 public:
  explicit PipeApi(std::shared_ptr<ApiLog> log, int init_error = 0)
      : m_log(std::move(log)), m_init_error(init_error) {}
  int init() override {
    if (m_init_error != 0) return -m_init_error;
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -errno;
    m_log->pipe_writer = fds[1];
    return fds[0];
  }
  int add_watch(int, const std::string& path, std::uint32_t) override {
    ++m_log->add_calls;
    auto [it, inserted] = m_log->wd_by_path.try_emplace(path, m_next);
    if (inserted) ++m_next;
    return it->second;
  }
  int remove_watch(int, int wd) override {
    m_log->removed.push_back(wd);
    return 0;
  }

 private:
  std::shared_ptr<ApiLog> m_log;
  int m_init_error;
  int m_next = 1;
};

std::vector<std::byte> event_bytes(int wd, std::uint32_t mask, const std::string& name = "") {
  inotify_event header{};
  header.wd = wd;
  header.mask = mask;
  header.len = name.empty() ? 0 : static_cast<std::uint32_t>((name.size() / 16 + 1) * 16);
  std::vector<std::byte> out(sizeof header + header.len);
  std::memcpy(out.data(), &header, sizeof header);
  std::memcpy(out.data() + sizeof header, name.data(), name.size());
  return out;
}

struct Recorder {
  std::vector<std::string> changes;
  std::vector<std::string> overflows;
  std::vector<std::pair<std::string, std::string>> fallbacks;

  WatcherCallbacks callbacks() {
    return WatcherCallbacks{
        [this](const std::string& a) { changes.push_back(a); },
        [this](const std::string& a) { overflows.push_back(a); },
        [this](const std::string& a, const std::string& m) { fallbacks.emplace_back(a, m); },
        {},
        {}};
  }
};

using test::run_until;

class WatcherFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* dir : {"a/x", "a/y/z", "b", "c/sub"}) fs::create_directories(m_dir / dir);
  }
  void TearDown() override {
    m_watcher.reset();
    if (m_log->pipe_writer >= 0) ::close(m_log->pipe_writer);
  }

  void start(std::unique_ptr<InotifyApi> api, WatcherOptions options = {}) {
    auto created = Watcher::create(m_io, m_rec.callbacks(), std::move(options), std::move(api));
    ASSERT_TRUE(created.ok());
    m_watcher = std::move(created).value();
  }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }
  void feed(const std::vector<std::vector<std::byte>>& events) {
    std::vector<std::byte> all;
    for (const auto& e : events) all.insert(all.end(), e.begin(), e.end());
    ASSERT_EQ(::write(m_log->pipe_writer, all.data(), all.size()),
              static_cast<ssize_t>(all.size()));
  }

  test::TempDir m_dir{"coltec-watcher"};
  boost::asio::io_context m_io;
  Recorder m_rec;
  std::shared_ptr<ApiLog> m_log = std::make_shared<ApiLog>();
  std::unique_ptr<Watcher> m_watcher;
};

TEST_F(WatcherFaultTest, WatchLimitMeansOneFallbackAndReleasedWatches) {
  start(std::make_unique<LimitedApi>(m_log, path("a"), 2));
  m_watcher->add_root(WatchRoot{"a", path("a"), {}});
  ASSERT_EQ(m_rec.fallbacks.size(), 1u);
  EXPECT_EQ(m_rec.fallbacks[0].first, "a");
  EXPECT_NE(m_rec.fallbacks[0].second.find("fs.inotify.max_user_watches"), std::string::npos);
  EXPECT_NE(m_rec.fallbacks[0].second.find(path("a")), std::string::npos);
  EXPECT_EQ(m_watcher->mode("a"), WatchMode::polling);
  EXPECT_EQ(m_watcher->watch_count(), 0u);
  EXPECT_EQ(m_log->removed.size(), 2u) << "the two granted watches are given back";
  EXPECT_EQ(m_log->add_calls, 3) << "no retry loop";

  // Other actions keep working, and the fallen-back one stays quiet.
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  EXPECT_EQ(m_watcher->mode("b"), WatchMode::watching);
  std::ofstream(m_dir / "a" / "x" / "f") << "x";
  std::ofstream(m_dir / "b" / "f") << "x";
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.changes.empty(); }));
  EXPECT_EQ(m_rec.changes, std::vector<std::string>{"b"});
  EXPECT_EQ(m_rec.fallbacks.size(), 1u);
}

TEST_F(WatcherFaultTest, WatchLimitHitByANewDirectoryFallsBackOnce) {
  start(std::make_unique<LimitedApi>(m_log, path("c"), 2));
  m_watcher->add_root(WatchRoot{"c", path("c"), {}});
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  ASSERT_TRUE(m_rec.fallbacks.empty());
  fs::create_directories(m_dir / "c" / "new1");
  fs::create_directories(m_dir / "c" / "new2");
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.fallbacks.empty(); }));
  std::ofstream(m_dir / "b" / "sentinel") << "x";
  ASSERT_TRUE(run_until(m_io, [&] {
    return std::find(m_rec.changes.begin(), m_rec.changes.end(), "b") != m_rec.changes.end();
  }));
  EXPECT_EQ(m_rec.fallbacks.size(), 1u);
  EXPECT_EQ(m_watcher->watch_count("c"), 0u);
  EXPECT_EQ(m_watcher->watch_count(), 1u);
}

TEST_F(WatcherFaultTest, NoInotifyMeansEveryActionFallsBack) {
  start(std::make_unique<PipeApi>(m_log, EMFILE));
  EXPECT_FALSE(m_watcher->available());
  m_watcher->add_root(WatchRoot{"a", path("a"), {}});
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  ASSERT_EQ(m_rec.fallbacks.size(), 2u);
  EXPECT_EQ(m_rec.fallbacks[1].first, "b");
  EXPECT_NE(m_rec.fallbacks[0].second.find("fs.inotify.max_user_instances"), std::string::npos);
  EXPECT_EQ(m_watcher->mode("a"), WatchMode::polling);
  EXPECT_EQ(m_log->add_calls, 0);
}

TEST_F(WatcherFaultTest, OverflowReportsEveryWatchedActionAndRescansOnce) {
  start(std::make_unique<PipeApi>(m_log));
  m_watcher->add_root(WatchRoot{"a", path("a"), {}});
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  m_watcher->add_root(WatchRoot{"gone", path("missing"), {}});
  ASSERT_EQ(m_watcher->watch_count(), 5u);
  // Created while the queue was overflowing: no event will ever name it.
  fs::create_directories(m_dir / "a" / "made-during-overflow");
  const int a_root = m_log->wd_by_path.at(path("a"));
  feed({event_bytes(a_root, IN_CLOSE_WRITE, "f"), event_bytes(-1, IN_Q_OVERFLOW)});
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.overflows.size() == 2; }));
  EXPECT_EQ(m_rec.overflows, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(m_rec.changes.empty()) << "the full sync covers the change";
  EXPECT_EQ(m_watcher->watch_count("a"), 5u);
  EXPECT_EQ(m_log->add_calls, 5 + 6) << "one walk of a (5 dirs) and b (1), no more";
}

TEST_F(WatcherFaultTest, SyntheticEventsAreFilteredPerRoot) {
  start(std::make_unique<PipeApi>(m_log), WatcherOptions{{path("a/y")}, {"*.partial"}});
  m_watcher->add_root(WatchRoot{"a", path("a"), {"*.pyc", "x/"}});
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  EXPECT_EQ(m_watcher->watch_count("a"), 1u) << "x/ is excluded and a/y is the daemon's";
  const int a_root = m_log->wd_by_path.at(path("a"));
  const int b_root = m_log->wd_by_path.at(path("b"));
  feed({event_bytes(a_root, IN_CLOSE_WRITE, "m.pyc"), event_bytes(a_root, IN_MODIFY, "t.partial"),
        event_bytes(a_root, IN_CREATE | IN_ISDIR, "x"), event_bytes(b_root, IN_ATTRIB, "f")});
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.changes.empty(); }));
  EXPECT_EQ(m_rec.changes, std::vector<std::string>{"b"});
  feed({event_bytes(a_root, IN_MOVED_TO, "keep.txt")});
  ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changes.size() == 2; }));
  EXPECT_EQ(m_rec.changes.back(), "a");
}

TEST_F(WatcherFaultTest, StopFromACallbackEndsTheBatch) {
  std::vector<std::string> changes;
  WatcherCallbacks callbacks;
  callbacks.on_change = [&](const std::string& action) {
    changes.push_back(action);
    m_watcher->stop();
  };
  auto created = Watcher::create(m_io, callbacks, {}, std::make_unique<PipeApi>(m_log));
  ASSERT_TRUE(created.ok());
  m_watcher = std::move(created).value();
  m_watcher->add_root(WatchRoot{"a", path("a"), {}});
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  feed({event_bytes(m_log->wd_by_path.at(path("a")), IN_MODIFY, "f"),
        event_bytes(m_log->wd_by_path.at(path("b")), IN_MODIFY, "f")});
  ASSERT_TRUE(run_until(m_io, [&] { return !changes.empty(); }));
  m_io.run_for(20ms);
  EXPECT_EQ(changes, std::vector<std::string>{"a"});
}

TEST_F(WatcherFaultTest, UndecodableBytesCountAsAnOverflow) {
  start(std::make_unique<PipeApi>(m_log));
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  feed({std::vector<std::byte>(5, std::byte{0x41})});
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.overflows.empty(); }));
  EXPECT_EQ(m_rec.overflows, std::vector<std::string>{"b"});
}

TEST_F(WatcherFaultTest, ALostInotifyDescriptorFallsBackInsteadOfSpinning) {
  start(std::make_unique<PipeApi>(m_log));
  m_watcher->add_root(WatchRoot{"b", path("b"), {}});
  ::close(m_log->pipe_writer);
  m_log->pipe_writer = -1;
  ASSERT_TRUE(run_until(m_io, [&] { return !m_rec.fallbacks.empty(); }));
  EXPECT_EQ(m_rec.fallbacks[0].first, "b");
  EXPECT_EQ(m_watcher->mode("b"), WatchMode::polling);
  EXPECT_FALSE(m_watcher->available());
  EXPECT_EQ(m_io.run_for(20ms), 0u) << "no read is re-armed";
}

}  // namespace
}  // namespace coltec
