#pragma once
// Shared between the planner's translation units; not part of the public API.

#include <optional>
#include <string>
#include <vector>

#include <coltec/planner.hpp>

namespace coltec::planner_detail {

/// Where an action's remote side lives, with every remote definition it needs.
struct RemoteTarget {
  std::string remote_name;
  std::string remote_type;
  std::string backend_type;
  std::string remote_path;
  std::vector<RemoteDef> defs;  // the action's remote first, then what it wraps
  std::string source;           // how the remote was chosen, for Action::reason
};

/// Join path parts with single '/', dropping empty segments. The result is absolute when
/// keep_absolute is set and the first non-empty part starts with '/'. A ".." segment is
/// refused because it would step outside the configured prefix.
Result<std::string> join_path(const std::vector<std::string>& parts, bool keep_absolute);

/// Resolve the remote side of one action. `own` is the action's own `remote` field,
/// `path` its remote_path with placeholders already resolved, `what` names the action in
/// error messages.
Result<RemoteTarget> resolve_target(const Spec& spec, const PlanOptions& options,
                                    const std::optional<std::string>& own, const std::string& path,
                                    const std::string& what);

}  // namespace coltec::planner_detail
