// --demo: a sample workspace synced to a local-folder rclone remote, so a person sees the
// daemon's main job without any cloud account. The spec is embedded here.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "app_modes.hpp"
#include "app_setup.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

// {DEMO} is replaced by the demo folder. One push-only path and one bidirectional
// environment volume, both on a named `local` remote.
constexpr const char* k_demo_spec = R"(# Written by coltec-daemon --demo
name: coltec-demo
metadata:
  org: demo-org
  project: sample
  environment: dev
  description: Built-in demo syncing to a local folder
devcontainer:
  image:
    name: mcr.microsoft.com/devcontainers/base:bookworm
persistence:
  enabled: true
  mode: replicated
  default_remote: demo-remote
  remotes:
    demo-remote:
      type: local
      path_prefix: {DEMO}/remote
  sync:
    - name: notes
      path: {DEMO}/workspace/notes
      remote_path: "{org}/{project}/{env}/notes"
      direction: push-only
      interval: 60
      priority: 1
      exclude:
        - "*.tmp"
  multi_scope_volumes:
    environment:
      - name: agent-context
        remote_path: "{org}/{project}/{env}/agent-context"
        mount_path: {DEMO}/workspace/agent-context
        sync: bidirectional
        interval: 60
        priority: 2
)";

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string demo_dir(const Options& o) {
  if (o.demo_dir) return *o.demo_dir;
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/coltec-demo.XXXXXX";
  return mkdtemp(templ.data()) != nullptr ? templ : std::string();
}

void seed_workspace(const fs::path& dir) {
  const auto ws = dir / "workspace";
  if (fs::exists(ws / "notes" / "README.md")) return;  // keep a re-run's edits
  write_file(ws / "notes" / "README.md", "# Notes\nTyped in a devcontainer, kept safe.\n");
  write_file(ws / "notes" / "todo.txt", "- try coltec-daemon --once --dry-run\n");
  write_file(ws / "notes" / "scratch.tmp", "excluded by the spec\n");
  write_file(ws / "agent-context" / "context.md", "Agent context survives the container.\n");
  write_file(ws / "agent-context" / "sessions" / "s1.json", "{\"session\": 1}\n");
}

void print_remote_files(const std::string& dir) {
  std::cout << "\nFiles now on the remote (" << dir << "/remote):\n";
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/remote", ec)) {
    if (entry.is_regular_file()) {
      std::cout << "  " << fs::relative(entry.path(), dir + "/remote").string() << "\n";
    }
  }
}

}  // namespace

ExitCode run_demo(const Options& options, Logger& log) {
  const auto dir = demo_dir(options);
  if (dir.empty()) {
    log.error("cannot create the demo folder");
    return ExitCode::runtime_error;
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "remote", ec);
  seed_workspace(dir);
  std::string spec = k_demo_spec;
  for (auto pos = spec.find("{DEMO}"); pos != std::string::npos; pos = spec.find("{DEMO}")) {
    spec.replace(pos, 6, dir);
  }
  const auto spec_path = dir + "/workspace-spec.yaml";
  write_file(spec_path, spec);
  std::cout << "Demo folder: " << dir << "\n  spec:   " << spec_path << "\n  local:  " << dir
            << "/workspace\n  remote: " << dir << "/remote\n\n"
            << std::flush;
  Options o = options;
  o.mode = Mode::once;
  o.config = spec_path;
  o.state_dir = dir + "/state";
  const auto code = run_sync(o, log);
  print_remote_files(dir);
  // Printed so that each line works as it is, whatever PATH holds (self_command).
  const auto cmd = [&](std::vector<std::string> head) {
    head.insert(head.begin(), self_command(current_environment()));
    head.insert(head.end(), {"-c", spec_path, "--state-dir", dir + "/state"});
    return shell_join(head);
  };
  std::cout << fmt::format(
      "\nTry: edit a file under {}/workspace and run\n  {}\nor see what would happen first "
      "with --dry-run, and the status with\n  {}\n(status says UNHEALTHY while no daemon "
      "runs; start one in another terminal with\n  {}\nand status turns healthy.)\n",
      dir, cmd({"--once"}), cmd({"status"}), cmd({}));
  return code;
}

}  // namespace coltec
