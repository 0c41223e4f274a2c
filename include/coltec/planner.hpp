#pragma once
// The pure planner: Spec + PlanOptions -> Plan. No clock, no environment lookups, no I/O:
// whatever it needs from the outside world (RCLONE_BUCKET, --interval, --only) arrives in
// PlanOptions.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <coltec/result.hpp>
#include <coltec/spec.hpp>

namespace coltec {

/// Inputs to planning that come from flags and the environment.
struct PlanOptions {
  std::optional<std::uint64_t> interval_override;   ///< --interval / COLTEC_INTERVAL, seconds
  std::vector<std::string> only;                    ///< --only NAME (repeatable); empty = all
  std::string legacy_bucket = "coltec-workspaces";  ///< RCLONE_BUCKET for legacy rclone_config
  bool operator==(const PlanOptions&) const = default;
};

/// A remote as rclone will see it: one section of the private rclone config file.
/// Option values are as written in the spec (${VAR} not yet expanded).
struct RemoteDef {
  std::string name;  ///< rclone remote name
  std::string type;  ///< s3, local, crypt, …
  std::map<std::string, std::string> options;
  std::optional<CryptConfig> crypt;  ///< crypt remotes: where the passwords come from
  bool legacy = false;  ///< legacy rclone_config: also takes RCLONE_CONFIG_<NAME>_* values
  bool operator==(const RemoteDef&) const = default;
};

/// One folder to keep in sync.
struct Action {
  std::string name;
  std::size_t declaration_index = 0;  ///< position across sync[] then environment[]
  std::string local_path;             ///< absolute local root
  std::string remote_name;            ///< rclone remote the argv names
  /// bucket/prefix/path; no '/' at either end, except the leading one of an absolute local path
  std::string remote_path;
  std::string remote_type;   ///< type of remote_name (s3, crypt, local, …)
  std::string backend_type;  ///< type at the bottom of the wrap chain (s3 for crypt over s3)
  Direction direction = Direction::bidirectional;
  std::chrono::seconds interval{300};
  std::uint32_t priority = 2;
  std::vector<std::string> exclude;
  std::uint32_t transfers = 8;
  std::uint32_t checkers = 16;
  std::optional<std::string> bwlimit;
  bool read_only = false;
  /// The spec mounts a volume or bind mount exactly at local_path: it must be a mount point
  /// before anything syncs (an unmounted volume looks like an empty folder).
  bool expect_mount = false;
  std::string reason;  ///< why this action exists and how its settings were chosen
  bool operator==(const Action&) const = default;

  /// "remote_name:remote_path", the remote side as rclone's argv names it.
  std::string remote_spec() const { return remote_name + ":" + remote_path; }
};

/// What should run. Actions are ordered by priority, then declaration order.
struct Plan {
  std::string workspace;
  bool enabled = true;      ///< false when persistence is disabled or not replicated
  std::string skip_reason;  ///< set when there is nothing to do, for the log line
  std::vector<Action> actions;
  std::vector<RemoteDef> remotes;  ///< every remote an action needs (wrap chains included)
  SafetySettings safety;
  bool operator==(const Plan&) const = default;
};

/// Build the plan from persistence.sync[] then persistence.multi_scope_volumes.environment[].
/// Remote per action: its own `remote`, else `default_remote`, else the legacy
/// `rclone_config` (bucket = options.legacy_bucket). remote_path = bucket/path_prefix/path
/// for bucket remotes; path_prefix/path for `local` remotes (absolute when written so) and
/// for wrapping remotes (crypt), whose wrap chain is added to Plan.remotes. {org} {project}
/// {env} are resolved in every remote-side path. A disabled, mounted or empty persistence
/// section gives Plan{enabled=false, skip_reason} (not an error).
/// Errors (an unknown --only name, an unknown or cyclic remote, a relative local path, a
/// ".." path segment, an empty remote path) are configuration errors and name what is valid.
Result<Plan> build_plan(const Spec& spec, const PlanOptions& options);

/// Replace {org}, {project}, {env} in `text` with the spec's metadata; other text is kept.
std::string resolve_placeholders(const std::string& text, const Metadata& metadata);

}  // namespace coltec
