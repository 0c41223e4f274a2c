#pragma once
// Every exit code the binary can return, declared once (as ninja's exit_status.h).
// README.md and --help list the same table; keep the three in step.

namespace coltec {

/// Process exit codes. Values are a public contract: never renumber.
enum class ExitCode : int {
  ok = 0,              ///< success (or nothing to do)
  config_error = 1,    ///< YAML, schema, semantic or flag error
  runtime_error = 2,   ///< rclone failed or missing, I/O error, mode not available
  safety_refused = 3,  ///< a data-safety guard refused a sync or held back its deletions
  lock_held = 4,       ///< another daemon holds this workspace's lock
  needs_resync = 5,    ///< --once: a bisync lost its listings; the next run recovers safely
  unhealthy = 6,       ///< `status`: the workspace is not healthy
  interrupted = 130,   ///< stopped by SIGINT
  terminated = 143,    ///< stopped by SIGTERM
};

/// The integer a process should exit with.
constexpr int to_int(ExitCode code) {
  return static_cast<int>(code);
}

}  // namespace coltec
