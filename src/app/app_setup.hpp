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
#include <coltec/planner.hpp>
#include <coltec/process_runner.hpp>
#include <coltec/rclone_command.hpp>
#include <coltec/spec_file.hpp>
#include <coltec/state.hpp>

namespace coltec {

/// A private directory (0700) removed with everything in it when this goes away; holds
/// the rclone config file with credentials, so it lives on tmpfs when one is writable.
class PrivateDir {
 public:
  static Result<PrivateDir> create();
  PrivateDir(PrivateDir&& other) noexcept : m_path(std::move(other.m_path)) {
    other.m_path.clear();
  }
  PrivateDir& operator=(PrivateDir&&) = delete;
  PrivateDir(const PrivateDir&) = delete;
  ~PrivateDir();
  const std::string& path() const { return m_path; }

 private:
  explicit PrivateDir(std::string path) : m_path(std::move(path)) {}
  std::string m_path;
};

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

/// Load the spec and build the plan; problems are printed and mapped to exit 1.
struct Planned {
  Spec spec;
  Plan plan;
};
std::optional<Planned> load_and_plan(const Options& o, const EnvMap& env, Logger& log,
                                     SetupFailure* failure);

/// Everything that exists while syncs run: rclone's version, the state directory and its
/// lock, the private rclone config file, the secrets to redact.
struct Prepared {
  RcloneCaps caps;
  std::string state_dir;
  std::optional<WorkspaceLock> lock;
  std::optional<PrivateDir> runtime;
  std::string config_path;
  std::vector<std::string> secrets;
  bool pass_aws = false;
  /// Crypt password variable -> its `rclone obscure` form, kept so a reload obscures only
  /// the variables it has not seen (the environment never changes while the daemon runs).
  std::map<std::string, std::string> obscured;
};

/// Detect rclone, create the state directory, take the lock (not for dry runs), obscure
/// crypt passwords and write the private rclone config file.
std::optional<Prepared> prepare(const Options& o, const Plan& plan, const EnvMap& env, Logger& log,
                                SetupFailure* failure);

/// Render and write the rclone config for `plan`, then record its secrets, whether a remote
/// uses env_auth, and the obscured crypt passwords in `prepared`. Only passwords not in
/// prepared.obscured run `rclone obscure` (SIGHUP obscures them first, without blocking the
/// loop). False, with a message, on failure; `prepared` is then unchanged.
bool write_rclone_config(const Plan& plan, const EnvMap& env, Prepared& prepared,
                         std::string* error);

}  // namespace coltec
