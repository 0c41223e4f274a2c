#pragma once
// Private to app: everything a sync mode needs before the loop starts, gathered once.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <coltec/cli.hpp>
#include <coltec/config.hpp>
#include <coltec/exit_code.hpp>
#include <coltec/logging.hpp>
#include <coltec/memory_file.hpp>
#include <coltec/planner.hpp>
#include <coltec/process_runner.hpp>
#include <coltec/rclone_command.hpp>
#include <coltec/spec_file.hpp>
#include <coltec/state.hpp>

namespace coltec {

/// A mode failed before it could start.
struct SetupFailure {
  ExitCode code = ExitCode::runtime_error;
  std::string message;
};

/// What a child printed on stdout, and how it ended.
struct Captured {
  ProcessResult result;
  std::string out;       ///< stdout, up to the first 64 KiB
  std::string err_tail;  ///< stderr, up to the first 4 KiB, for error messages
};

/// Run a short command to completion on its own io_context (start-up only).
Captured run_capture(ProcessRunner& runner, boost::asio::io_context& io, const ProcessSpec& spec);

/// The daemon's environment as a map.
EnvMap current_environment();

/// How a person can run this binary again: "coltec-daemon" when that name in PATH is this
/// very file, else the binary's full path (a fresh build in build/release is on no PATH),
/// so that every command a hint prints works as printed.
std::string self_command(const EnvMap& env);

/// Load the spec and build the plan; problems are printed and mapped to exit 1.
struct Planned {
  Spec spec;
  Plan plan;
};
std::optional<Planned> load_and_plan(const Options& o, const EnvMap& env, Logger& log,
                                     SetupFailure* failure);

/// Everything that exists while syncs run: rclone's version, the state directory and its
/// lock, the private rclone config (in memory, inherited by every rclone child), the
/// secrets to redact.
struct Prepared {
  RcloneCaps caps;
  std::string state_dir;
  std::optional<WorkspaceLock> lock;
  std::optional<MemoryFile> config_file;
  std::string config_path;  ///< config_file's path as rclone opens it
  std::vector<std::string> secrets;
  bool pass_aws = false;
  /// This state directory's name in claims on shared remote paths (<state>/owner-id).
  std::string owner_id;
  /// Crypt password variable -> its `rclone obscure` form, kept so a reload obscures only
  /// the variables it has not seen (the environment never changes while the daemon runs).
  std::map<std::string, std::string> obscured;
};

/// Detect rclone, create the state directory, take the lock (not for dry runs), obscure
/// crypt passwords and render the private rclone config into an in-memory file.
std::optional<Prepared> prepare(const Options& o, const Plan& plan, const EnvMap& env, Logger& log,
                                SetupFailure* failure);

/// Render and write the rclone config for `plan`, then record its secrets, whether a remote
/// uses env_auth, and the obscured crypt passwords in `prepared`. Only passwords not in
/// prepared.obscured run `rclone obscure` (SIGHUP obscures them first, without blocking the
/// loop). False, with a message, on failure; `prepared` is then unchanged.
bool write_rclone_config(const Plan& plan, const EnvMap& env, Prepared& prepared,
                         std::string* error);

}  // namespace coltec
