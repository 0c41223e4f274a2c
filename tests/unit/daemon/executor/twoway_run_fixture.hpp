#pragma once
// The two-way run tests' fixture: an in-memory disk and a scripted rclone that plays the
// remote (FakeRclone), an Executor's settings and seams, and helpers that run it and read
// what it recorded. No rclone, no sleeps.

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <coltec/executor.hpp>
#include <coltec/rclone_twoway.hpp>
#include <coltec/twoway.hpp>
#include <coltec/twoway_control.hpp>

#include "fakes/fake_disk.hpp"
#include "fakes/fake_process_runner.hpp"

namespace coltec {

inline const std::string k_local = "/w/code";
inline const std::string k_remote = "r:bucket/ws/code";
inline const std::string k_control = k_remote + "/.coltec-sync";

inline bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

inline std::string after(const std::vector<std::string>& argv, const std::string& flag) {
  const auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

// RFC 3339 with nanoseconds, as rclone prints ModTime.
inline std::string time_text(std::int64_t ns) {
  const std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

inline std::string entry(const std::string& path, std::size_t size, std::int64_t ns,
                         const std::string& md5) {
  std::string line = R"({"Path":")" + path + R"(","Name":"x","Size":)" + std::to_string(size) +
                     R"(,"ModTime":")" + time_text(ns) + R"(","IsDir":false)";
  if (!md5.empty()) line += R"(,"Hashes":{"md5":")" + md5 + "\"}";
  return line + "},";
}

/// rclone as far as a two-way run uses it: the remote is a map, the local side the FakeDisk.
class FakeRclone {
 public:
  struct Object {
    std::string bytes;
    std::int64_t server_time = 0;  ///< what --use-server-modtime lists
  };
  std::map<std::string, Object> remote;  ///< relative path -> object
  std::set<std::string> control;         ///< names in the control folder
  std::map<std::string, std::string> trash;
  std::int64_t clock = 5000;
  /// to fail: "copy-down", "upload", "touch-gen", "delete-root"
  std::set<std::string> fail_steps;
  FakeDisk& disk;

  explicit FakeRclone(FakeDisk& d) : disk(d) {}

  static std::string md5(const std::string& bytes) { return "md5-" + bytes; }

  std::vector<std::string> list_file(const std::string& path) const {
    std::vector<std::string> out;
    std::istringstream in(disk.bytes(path));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  Script lsjson(const std::vector<std::string>& argv) {
    Script s;
    // Remote folders are listed as "r:bucket/path/" (no HEAD first); the map has no slash.
    auto target = argv[2];
    if (target.size() > 1 && target.back() == '/') target.pop_back();
    const auto listed = after(argv, "--files-from-raw");
    std::set<std::string> only;
    if (!listed.empty()) {
      for (const auto& p : list_file(listed)) only.insert(p);
    }
    if (target == k_control) {
      for (const auto& c : control) s.out.push_back(entry(c, 0, 0, ""));
      return s;
    }
    if (target == k_remote) {
      for (const auto& [p, o] : remote) {
        if (!only.empty() && only.count(p) == 0) continue;
        const auto line = entry(p, o.bytes.size(), o.server_time * 1'000'000'000,
                                has(argv, "--hash") ? md5(o.bytes) : "");
        s.out.push_back(line);
      }
      return s;
    }
    for (const auto& [path, f] : disk.files) {  // the local side
      if (path.rfind(k_local + "/", 0) != 0) continue;
      const auto rel = path.substr(k_local.size() + 1);
      if (rel.rfind(".coltec-sync/", 0) == 0 || (!only.empty() && only.count(rel) == 0)) continue;
      const auto line =
          entry(rel, f.bytes.size(), f.mtime_ns, has(argv, "--hash") ? md5(f.bytes) : "");
      s.out.push_back(line);
    }
    return s;
  }

  // `rclone move` of listed remote files into the trash.
  Script move_to_trash(const std::vector<std::string>& files) {
    // The server went away: rclone names its remote, not a file, and moves nothing.
    if (fail_steps.count("delete-root") != 0) {
      return Script{
          1,
          {R"({"level":"error","msg":"error reading source root directory: RequestError: send request failed","object":"S3 bucket bucket path ws/code","objectType":"*s3.Fs"})"},
          {}};
    }
    for (const auto& p : files) {
      trash[p] = remote[p].bytes;
      remote.erase(p);
    }
    return {};
  }

  Script transfer(const std::vector<std::string>& argv) {
    const auto& src = argv[2];
    const auto& dst = argv[3];
    const auto listed = after(argv, "--files-from-raw");
    std::vector<std::string> files;
    if (!listed.empty()) {
      files = list_file(listed);
    } else {
      for (const auto& [p, o] : remote) files.push_back(p);
    }
    if (src == k_remote && dst.rfind(k_local + "/.coltec-sync/staging-", 0) == 0) {
      if (fail_steps.count("copy-down") != 0)
        return Script{1, {R"({"level":"error","msg":"boom"})"}, {}};
      for (const auto& p : files) {
        if (remote.count(p) != 0) disk.put(dst + "/" += p, remote.at(p).bytes, 7);
      }
      return {};
    }
    if (src == k_local && dst == k_remote) {
      if (fail_steps.count("upload") != 0)
        return Script{1, {R"({"level":"error","msg":"boom"})"}, {}};
      for (const auto& p : files) {
        if (remote.count(p) != 0) trash[p] = remote[p].bytes;
        remote[p] = Object{disk.bytes(k_local + "/" += p), ++clock};
      }
      return {};
    }
    if (src == k_remote && argv[1] == "move") return move_to_trash(files);
    ADD_FAILURE() << "unexpected transfer " << src << " -> " << dst;
    return Script{1, {}, {}};
  }

  Script operator()(const std::vector<std::string>& argv) {
    const auto& cmd = argv[1];
    if (cmd == "lsjson") return lsjson(argv);
    if (cmd == "copy" || cmd == "move") return transfer(argv);
    if (cmd == "touch") {
      const auto name = argv[2].substr(k_control.size() + 1);
      if (fail_steps.count("touch-gen") != 0 && name.rfind("gen-", 0) == 0)
        return Script{1, {R"({"level":"error","msg":"boom"})"}, {}};
      control.insert(name);
      return {};
    }
    if (cmd == "delete" && argv[2] == k_control) {
      for (const auto& n : list_file(after(argv, "--files-from-raw"))) control.erase(n);
      return {};
    }
    ADD_FAILURE() << "unexpected rclone " << cmd;
    return Script{1, {}, {}};
  }
};

class TwoWayRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings.state_dir = "/state";
    settings.bisync_workdir = "/state/bisync";
    settings.config_path = "/run/rclone.conf";
    settings.owner_id = "me";
    settings.safety.max_delete_percent = 100;
    log = Logger::capture(LogSettings{}, &logged);
    runner.script = [this](const std::vector<std::string>& argv) { return rclone(argv); };
    seams.disk = &disk;
    seams.unix_now = [] { return std::int64_t{1'000'000}; };
    seams.random_id = [this] { return "id" + std::to_string(++ids); };
  }

  Action action() const {
    Action a;
    a.name = "code";
    a.local_path = k_local;
    a.remote_name = "r";
    a.remote_path = "bucket/ws/code";
    a.remote_type = "s3";
    a.backend_type = "s3";
    a.direction = Direction::bidirectional;
    return a;
  }

  SyncReport run(Executor& ex, RunKind kind = RunKind::full) {
    SyncReport report;
    bool done = false;
    runner.calls.clear();
    ex.run(
        "code",
        [&](const SyncReport& r) {
          report = r;
          done = true;
        },
        kind);
    io.restart();
    io.run();
    EXPECT_TRUE(done);
    return report;
  }

  /// One run of a folder holding a.txt while the control folder holds `claims`.
  SyncReport run_among_claims(const std::vector<std::string>& claims) {
    for (const auto& c : claims) rclone.control.insert(c);
    disk.put(k_local + "/a.txt", "mine", 1);
    Executor ex(runner, *log, settings, {action()}, seams);
    return run(ex);
  }

  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& argv : runner.calls) {
      auto target = argv[2];
      if (target.size() > 1 && target.back() == '/') target.pop_back();  // listed folders
      out.push_back(argv[1] + " " +
                    (target == k_control  ? "control"
                     : target == k_remote ? "remote"
                     : target == k_local  ? "local"
                                          : target));
    }
    return out;
  }

  Baseline baseline() {
    auto text = disk.read_file("/state/code.baseline", 1 << 20);
    EXPECT_TRUE(text.ok());
    auto b = parse_baseline(text.ok() ? *text : "");
    EXPECT_TRUE(b.ok());
    return b.ok() ? *b : Baseline{};
  }

  boost::asio::io_context io;
  FakeProcessRunner runner{io};
  FakeDisk disk;
  FakeRclone rclone{disk};
  ExecutorSettings settings;
  ExecutorSeams seams;
  int ids = 0;
  std::string logged;
  std::unique_ptr<Logger> log;
};

using Commands = std::vector<std::string>;

}  // namespace coltec
