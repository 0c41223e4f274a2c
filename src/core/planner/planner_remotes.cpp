// Remote resolution for the planner: which remote an action uses, where on it the data
// lives, and the chain of remote definitions rclone needs to reach it.

#include <algorithm>
#include <utility>

#include <coltec/sync_roots.hpp>

#include "planner_internal.hpp"

namespace coltec::planner_detail {
namespace {

bool is_local(const std::string& type) {
  return type == "local";
}

// crypt always wraps; other wrapping backends (compress, chunker, …) are recognised by
// their wrap_remote so their remote_path is not prefixed with a bucket they do not have.
bool wraps(const RemoteConfig& remote) {
  return remote.type == "crypt" || remote.wrap_remote.has_value();
}

std::string defined_remotes(const Spec& spec) {
  std::vector<std::string> names;
  for (const auto& [name, remote] : spec.persistence.remotes) names.push_back(name);
  if (spec.persistence.rclone_config) names.push_back(spec.persistence.rclone_config->remote_name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.empty()) return "(none)";
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Error unknown_remote(const Spec& spec, const std::string& who, const std::string& name) {
  return make_error(who + " names remote '" + name +
                    "', which is not defined; defined remotes: " + defined_remotes(spec));
}

struct Chosen {
  std::string name;
  std::string source;
};

Result<Chosen> choose_remote(const Spec& spec, const std::optional<std::string>& own,
                             const std::string& what) {
  const auto& p = spec.persistence;
  if (own) return Chosen{*own, "own remote"};
  if (p.default_remote) return Chosen{*p.default_remote, "default_remote"};
  if (p.rclone_config) return Chosen{p.rclone_config->remote_name, "legacy rclone_config"};
  return make_error(what +
                    " has no remote: set its `remote`, persistence.default_remote or "
                    "persistence.rclone_config");
}

std::string resolved(const std::optional<std::string>& text, const Metadata& metadata) {
  return text ? resolve_placeholders(*text, metadata) : std::string{};
}

// The `remote` option of a wrapping remote: "<wrapped>:<wrapped bucket>/<wrap_path>". A
// local folder has no bucket: its path_prefix is where it lives, so a relative wrap_path
// goes below it (rclone would otherwise take it relative to the daemon's working folder);
// an absolute wrap_path names the folder itself.
Result<std::string> wrapped_location(const Spec& spec, const RemoteConfig& outer,
                                     const std::string& outer_name) {
  const auto& metadata = spec.metadata;
  const auto& wrapped = spec.persistence.remotes.at(*outer.wrap_remote);
  const bool local = is_local(wrapped.type);
  std::vector<std::string> parts;
  const auto wrap_path = resolved(outer.wrap_path, metadata);
  if (local && wrap_path.rfind('/', 0) != 0)
    parts.push_back(resolved(wrapped.path_prefix, metadata));
  if (!local && !wraps(wrapped)) parts.push_back(resolved(wrapped.bucket, metadata));
  parts.push_back(wrap_path);
  auto location = join_path(parts, local);
  if (!location) return make_error("remote '" + outer_name + "': " + location.error().message);
  if (local && location.value().rfind('/', 0) != 0) {
    return make_error("remote '" + outer_name + "' wraps the local remote '" + *outer.wrap_remote +
                      "' at \"" + location.value() +
                      "\", which is not an absolute path: set an absolute path_prefix on '" +
                      *outer.wrap_remote + "' or an absolute wrap_path");
  }
  return *outer.wrap_remote + ":" + location.value();
}

Result<RemoteDef> wrapper_def(const Spec& spec, const std::string& name) {
  const auto& remote = spec.persistence.remotes.at(name);
  RemoteDef def{name, remote.type, remote.options, remote.crypt, false};
  if (!remote.wrap_remote) {
    return make_error("remote '" + name + "' is of type crypt but has no wrap_remote");
  }
  if (remote.type == "crypt" && (!remote.crypt || remote.crypt->password_env.empty())) {
    return make_error("crypt remote '" + name + "' has no crypt.password_env");
  }
  if (!spec.persistence.remotes.contains(*remote.wrap_remote)) {
    return unknown_remote(spec, "remote '" + name + "' (wrap_remote)", *remote.wrap_remote);
  }
  auto location = wrapped_location(spec, remote, name);
  if (!location) return location.error();
  def.options["remote"] = location.value();
  return def;
}

std::string cycle_text(const std::vector<std::string>& seen, const std::string& again) {
  std::string out;
  for (const auto& name : seen) out += name + " -> ";
  return out + again;
}

// Follow wrap_remote links from `name` down to a storage backend.
Result<std::vector<RemoteDef>> wrap_chain(const Spec& spec, const std::string& name) {
  std::vector<RemoteDef> chain;
  std::vector<std::string> seen;
  std::string current = name;
  while (true) {
    if (std::find(seen.begin(), seen.end(), current) != seen.end()) {
      return make_error("remotes wrap each other in a cycle: " + cycle_text(seen, current));
    }
    seen.push_back(current);
    const auto& remote = spec.persistence.remotes.at(current);
    if (!wraps(remote)) {
      chain.push_back(RemoteDef{current, remote.type, remote.options, remote.crypt, false});
      return chain;
    }
    auto def = wrapper_def(spec, current);
    if (!def) return def.error();
    chain.push_back(std::move(def).value());
    current = *remote.wrap_remote;
  }
}

Result<RemoteTarget> legacy_target(const Spec& spec, const PlanOptions& options,
                                   const std::string& path) {
  const auto& legacy = *spec.persistence.rclone_config;
  RemoteTarget target;
  target.remote_name = legacy.remote_name;
  target.remote_type = legacy.type;
  target.backend_type = legacy.type;
  std::vector<std::string> parts;
  if (!is_local(legacy.type)) parts.push_back(options.legacy_bucket);
  parts.push_back(path);
  auto joined = join_path(parts, is_local(legacy.type));
  if (!joined) return joined.error();
  target.remote_path = joined.value();
  target.defs.push_back(RemoteDef{legacy.remote_name, legacy.type, legacy.options, {}, true});
  return target;
}

Result<RemoteTarget> named_target(const Spec& spec, const std::string& name,
                                  const std::string& path) {
  auto chain = wrap_chain(spec, name);
  if (!chain) return chain.error();
  const auto& remote = spec.persistence.remotes.at(name);
  std::vector<std::string> parts;
  if (!is_local(remote.type) && !wraps(remote))
    parts.push_back(resolved(remote.bucket, spec.metadata));
  parts.push_back(resolved(remote.path_prefix, spec.metadata));
  parts.push_back(path);
  auto joined = join_path(parts, is_local(remote.type));
  if (!joined) return joined.error();
  if (is_local(remote.type) && joined.value().rfind('/', 0) != 0) {
    // rclone would take it relative to whatever folder the daemon was started in.
    return make_error("the local remote '" + name + "' gives \"" + joined.value() +
                      "\", which is not an absolute path: set an absolute path_prefix on '" + name +
                      "' or an absolute remote_path");
  }
  RemoteTarget target;
  target.remote_name = name;
  target.remote_type = remote.type;
  target.backend_type = chain.value().back().type;
  target.remote_path = joined.value();
  target.defs = std::move(chain).value();
  return target;
}

}  // namespace

Result<std::string> join_path(const std::vector<std::string>& parts, bool keep_absolute) {
  std::string out;
  bool absolute = false;
  bool seen_part = false;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (!seen_part) absolute = keep_absolute && part.front() == '/';
    seen_part = true;
    std::size_t start = 0;
    while (start <= part.size()) {
      const auto end = std::min(part.find('/', start), part.size());
      const auto segment = part.substr(start, end - start);
      start = end + 1;
      if (segment.empty() || segment == ".") continue;
      if (segment == "..")
        return make_error("'..' is not allowed in a remote path: \"" + part + "\"");
      out += (out.empty() ? "" : "/") + segment;
    }
  }
  return absolute ? "/" + out : out;
}

Result<RemoteTarget> resolve_target(const Spec& spec, const PlanOptions& options,
                                    const std::optional<std::string>& own, const std::string& path,
                                    const std::string& what) {
  auto chosen = choose_remote(spec, own, what);
  if (!chosen) return chosen.error();
  const auto& name = chosen.value().name;
  const auto& legacy = spec.persistence.rclone_config;
  Result<RemoteTarget> target = make_error("");
  if (!spec.persistence.remotes.contains(name) && legacy && legacy->remote_name == name) {
    target = legacy_target(spec, options, path);
  } else if (spec.persistence.remotes.contains(name)) {
    target = named_target(spec, name, path);
  } else {
    return unknown_remote(spec, what, name);
  }
  if (!target) return make_error(what + ": " + target.error().message);
  if (target.value().remote_path.empty() || target.value().remote_path == "/") {
    return make_error(what + " resolves to the root of remote '" + name +
                      "'; give it a remote_path");
  }
  // A local remote is a folder on this machine: the same folders are off limits as for the
  // local side (placeholders and path_prefix are resolved only here).
  const auto& folder = target.value().remote_path;
  if (target.value().remote_type == "local" && folder.front() == '/') {
    if (const auto why = system_folder_refusal(folder)) {
      return make_error(what + ": its folder on remote '" + name + "' " + *why);
    }
  }
  target.value().source = chosen.value().source;
  return target;
}

}  // namespace coltec::planner_detail
