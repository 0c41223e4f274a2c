#pragma once
// The fixture of the watcher tests against real inotify: a recorder of every callback, a
// temporary tree with a "sentinel" root, and settle(), which proves "reports nothing":
// inotify delivers events in order, so once a sentinel write is reported every earlier
// event has been handled.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <coltec/watcher.hpp>

#include "fakes/io_wait.hpp"
#include "fakes/test_files.hpp"

namespace coltec {

namespace fs = std::filesystem;

inline void write_file(const fs::path& path, const std::string& text = "x") {
  std::ofstream(path) << text;
}

struct Recorder {
  std::vector<std::string> changes;
  std::vector<std::string> overflows;
  std::vector<std::pair<std::string, std::string>> fallbacks;
  std::vector<std::pair<std::string, std::string>> errors;
  std::map<std::string, std::vector<ChangedPath>> paths;  ///< every path reported, per action
  std::set<std::string> incomplete;                       ///< actions with a truncated batch

  WatcherCallbacks callbacks() {
    return WatcherCallbacks{
        [this](const std::string& a) { changes.push_back(a); },
        [this](const std::string& a) { overflows.push_back(a); },
        [this](const std::string& a, const std::string& m) { fallbacks.emplace_back(a, m); },
        [this](const std::string& a, const std::string& m) { errors.emplace_back(a, m); },
        [this](const std::string& a, const std::vector<ChangedPath>& p, bool complete) {
          auto& all = paths[a];
          all.insert(all.end(), p.begin(), p.end());
          if (!complete) incomplete.insert(a);
        }};
  }
  std::size_t changed(const std::string& action) const {
    return static_cast<std::size_t>(std::count(changes.begin(), changes.end(), action));
  }
};

using test::run_until;

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(m_dir / "root");
    fs::create_directories(m_dir / "sentinel");
  }

  void start(WatcherOptions options = {}) {
    auto created = Watcher::create(m_io, m_rec.callbacks(), std::move(options));
    ASSERT_TRUE(created.ok()) << created.error().message;
    m_watcher = std::move(created).value();
    ASSERT_TRUE(m_watcher->available());
    m_watcher->add_root(WatchRoot{"sentinel", (m_dir / "sentinel").string(), {}});
  }

  // Every event caused before this call has been handled when it returns.
  void settle() {
    const std::size_t before = m_rec.changed("sentinel");
    write_file(m_dir / "sentinel" / "tick");
    ASSERT_TRUE(run_until(m_io, [&] { return m_rec.changed("sentinel") > before; }));
  }

  std::string root() const { return (m_dir / "root").string(); }

  test::TempDir m_dir{"coltec-watcher"};
  boost::asio::io_context m_io;
  Recorder m_rec;
  std::unique_ptr<Watcher> m_watcher;
};

}  // namespace coltec
