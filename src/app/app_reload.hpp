#pragma once
// Private to app: what a SIGHUP reload changes in the running daemon. The decisions are pure
// functions of plain values (tests/unit/app/app_reload_test.cpp); SyncLoop::reload
// (app_reload.cpp) carries them out.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <coltec/cli.hpp>
#include <coltec/executor.hpp>
#include <coltec/planner.hpp>
#include <coltec/process_runner.hpp>
#include <coltec/result.hpp>
#include <coltec/scheduler.hpp>
#include <coltec/watcher.hpp>

#include "app_setup.hpp"

namespace coltec {

/// What the watcher must do to go from one set of roots to another.
struct WatchRootChanges {
  std::vector<std::string> removed;  ///< actions to stop watching, in `before` order
  std::vector<WatchRoot> added;      ///< roots to watch, in `after` order
  bool operator==(const WatchRootChanges&) const = default;
};

/// A root of `before` that `after` does not hold in the same form (same action, path and
/// excludes) is removed; a root of `after` that `before` does not hold in the same form is
/// added. A changed root is in both lists: removing first, then adding, applies it.
WatchRootChanges diff_watch_roots(const std::vector<WatchRoot>& before,
                                  const std::vector<WatchRoot>& after);

/// The roots a watcher covers for `plan`: every action that is not pull-only.
std::vector<WatchRoot> watch_roots(const Plan& plan);

/// The scheduler's view of every action of `plan`.
std::vector<JobSpec> job_specs(const Plan& plan, bool event_driven);

/// The executor's settings for `plan`: safety values from the spec, credentials passing and
/// secrets from `prepared`, the rest from the command line and the state directory.
ExecutorSettings executor_settings(const Options& o, const Plan& plan, const EnvMap& env,
                                   const Prepared& prepared);

/// Why a valid new plan cannot replace `current` without a restart (the old one is then
/// kept whole); nullopt when it can. The workspace name fixes the state directory and its
/// lock, which a running daemon holds.
std::optional<std::string> reload_blocker(const Plan& current, const Plan& next);

/// The secrets to redact after a reload: every earlier one and the new ones. A credential
/// that left the spec is still a credential, and a run in flight may still print it.
std::vector<std::string> merged_secrets(std::vector<std::string> before,
                                        const std::vector<std::string>& after);

/// Crypt password variables (name -> obscured value), as rclone's config wants them.
using ObscuredPasswords = std::map<std::string, std::string>;

/// The crypt password variables `plan` needs that `known` has no obscured value for.
std::vector<std::string> passwords_to_obscure(const Plan& plan, const ObscuredPasswords& known);

/// Obscure the value of each variable in `vars` with `rclone obscure` (the password on stdin,
/// never in argv), one after another on `runner`'s io_context, without blocking it. `done`
/// is called once, on that io_context (at once when `vars` is empty), with every value or
/// with the first failure (an unset variable, rclone failing). `runner` must outlive it.
void obscure_passwords_async(ProcessRunner& runner, std::vector<std::string> vars,
                             const EnvMap& env,
                             std::function<void(Result<ObscuredPasswords>)> done);

/// The same, to completion, on a private io_context (start-up, before the loop runs).
Result<ObscuredPasswords> obscure_passwords_now(const std::vector<std::string>& vars,
                                                const EnvMap& env);

/// Hand `secrets` to the logger, with a warning when one is so short that masking it also
/// masks unrelated text.
void apply_log_secrets(Logger& log, const std::vector<std::string>& secrets);

}  // namespace coltec
