#pragma once
// Shared between process_runner.cpp (the Asio side) and process_runner_spawn.cpp (fork/exec).

#include <string>
#include <vector>

#include <coltec/process_runner.hpp>
#include <coltec/result.hpp>

namespace coltec::runner_detail {

/// A child that has exec'd: its PID (also its process group) and the read ends of its
/// stdout and stderr pipes (O_CLOEXEC, owned by the caller).
struct SpawnedChild {
  int pid = -1;
  int out_fd = -1;
  int err_fd = -1;
};

/// The executables to try for `argv0`, in order: argv0 itself when it holds a '/', else
/// each non-empty entry of `path_value` joined with argv0.
std::vector<std::string> exec_candidates(const std::string& argv0, const std::string& path_value);

/// The PATH to search: the one in `env` ("PATH=..."), else the daemon's, else a default.
std::string search_path(const std::vector<std::string>& env);

/// fork/exec `spec` (see make_process_runner for the rules). Blocks until the child has
/// exec'd. Fails with "<argv0>: <reason>" when it could not start; nothing is left behind.
Result<SpawnedChild> spawn_child(const ProcessSpec& spec);

}  // namespace coltec::runner_detail
