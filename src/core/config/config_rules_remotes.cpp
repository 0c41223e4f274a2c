// Semantic rules about where data goes: local and remote paths, and the remotes that
// sync paths, default_remote and wrapping (crypt) remotes refer to.

#include <algorithm>
#include <set>

#include <coltec/sync_roots.hpp>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

const char* const k_remotes = "/persistence/remotes";

std::string sync_ptr(std::size_t i) {
  return child_pointer("/persistence/sync", i);
}
std::string volume_ptr(std::size_t i) {
  return child_pointer("/persistence/multi_scope_volumes/environment", i);
}
std::string remote_ptr(const std::string& name) {
  return child_pointer(k_remotes, name);
}

// Messages never repeat a path, a reference or a name that fails its rule: whatever sits in
// the wrong place could be a pasted secret (what --validate-only prints lands in CI logs).
// The problem's line and column say where it is.

void check_local(const std::string& path, const std::string& ptr, const char* key,
                 std::vector<Issue>& out) {
  if (path.empty()) return;
  if (path.front() == '/') {
    // The root or a system folder, however it is spelled ("/x/../.."); what symlinks make
    // of a path is checked where the daemon resolves it, before every run.
    if (const auto why = system_folder_refusal(path)) {
      out.push_back(Issue{ptr, std::string(key) + " " + *why});
    }
    return;
  }
  const std::string shown = showable(path) ? " '" + path + "'" : std::string();
  out.push_back(Issue{ptr, std::string(key) + shown +
                               " is relative; local paths must be absolute (start with '/')"});
}

// "", "/", ".", "./" and the like: the remote's root, or its bucket's and path_prefix's,
// which every workspace on that remote shares.
bool names_no_folder(const std::string& path) {
  return path.find_first_not_of("/.") == std::string::npos && path.find("..") == std::string::npos;
}

std::optional<std::string> remote_path_error(const std::string& path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = std::min(path.find('/', start), path.size());
    if (path.compare(start, slash - start, "..") == 0 && slash - start == 2) {
      return "has a '..' segment; remote paths must stay inside the remote";
    }
    start = slash + 1;
  }
  for (std::size_t open = path.find('{'); open != std::string::npos;
       open = path.find('{', open + 1)) {
    const auto close = path.find('}', open);
    if (close == std::string::npos) {
      return "has a '{' without a matching '}'; only the placeholders {org}, {project} and "
             "{env} may use braces";
    }
    const std::string name = path.substr(open + 1, close - open - 1);
    if (name != "org" && name != "project" && name != "env") {
      const bool shown = showable(name, {"org", "project", "env"});
      return (shown ? "uses the placeholder {" + name + "}" : std::string("uses a placeholder")) +
             "; only {org}, {project} and {env} are replaced";
    }
  }
  return std::nullopt;
}

void check_remote_path(const std::optional<std::string>& path, const std::string& ptr,
                       const char* key, std::vector<Issue>& out) {
  if (!path) return;
  if (const auto error = remote_path_error(*path)) {
    out.push_back(Issue{ptr, std::string(key) + " " + *error});
  }
}

// "sync path 'x'", or just "this sync path" when its name may not be repeated (shown_name).
std::string item_label(const char* kind, const std::string& name) {
  return shown_name(name, valid_action_name(name)) ? std::string(kind) + " '" + name + "'"
                                                   : "this " + std::string(kind);
}

std::set<std::string> known_remotes(const Spec& spec) {
  std::set<std::string> names;
  for (const auto& [name, remote] : spec.persistence.remotes) names.insert(name);
  if (spec.persistence.rclone_config) names.insert(spec.persistence.rclone_config->remote_name);
  return names;
}

// Only the names a message may repeat (shown_name); the others are left out.
std::string defined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (shown_name(name, valid_remote_name(name))) out += (out.empty() ? "" : ", ") + name;
  }
  return out.empty() ? "no remotes are defined" : "defined remotes: " + out;
}

// A reference to a remote that does not exist, repeated only when showable (a typo of a
// defined name comes with the suggestion).
std::string undefined_remote(const std::string& name, const std::set<std::string>& known) {
  const std::vector<std::string> names(known.begin(), known.end());
  const std::string guess = nearest(name, names);
  if (!guess.empty()) return "'" + name + "', which is not defined; did you mean '" + guess + "'?";
  if (!showable(name, names)) return "a remote that is not defined; " + defined(known);
  return "'" + name + "', which is not defined; " + defined(known);
}

// "remote 'x'", or "this remote" when its name may not be repeated (shown_name).
std::string remote_label(const std::string& name) {
  return shown_name(name, valid_remote_name(name)) ? "remote '" + name + "'"
                                                   : std::string("this remote");
}

bool rclone_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void check_options(const std::map<std::string, std::string>& options, const std::string& ptr,
                   std::vector<Issue>& out) {
  for (const auto& [key, value] : options) {
    const bool ok = !key.empty() && std::all_of(key.begin(), key.end(), rclone_name_char);
    if (ok && key != "type") continue;
    out.push_back(Issue{child_pointer(ptr, key),
                        key == "type"   ? "set the backend with the remote's `type`, not in options"
                        : showable(key) ? "option name '" + key +
                                              "' is not an rclone option name (letters, digits "
                                              "and '_' only)"
                                        : "this option name is not an rclone option name (letters, "
                                          "digits and '_' only; it is not repeated, in case it is "
                                          "a pasted secret)",
                        true});
  }
}

void check_remote(const std::string& name, const RemoteConfig& r,
                  const std::set<std::string>& known, std::vector<Issue>& out) {
  const std::string ptr = remote_ptr(name);
  const std::string label = remote_label(name);
  if (!valid_remote_name(name)) {
    out.push_back(Issue{ptr,
                        "a remote name may only hold letters, digits and _ . - + @, not start "
                        "with '-' and have at most 64 characters (this one is not repeated, in "
                        "case it is a pasted secret)",
                        true});
  }
  check_options(r.options, child_pointer(ptr, "options"), out);
  if (r.type == "s3" && !r.bucket) {
    out.push_back(Issue{child_pointer(ptr, "bucket"), label + " is of type s3 and needs a bucket"});
  }
  if (r.type == "crypt" && !r.wrap_remote) {
    out.push_back(
        Issue{child_pointer(ptr, "wrap_remote"),
              label + " is of type crypt and needs wrap_remote (the remote it encrypts)"});
  }
  if (r.type == "crypt" && !r.crypt) {
    out.push_back(Issue{child_pointer(ptr, "crypt"),
                        label + " is of type crypt and needs a crypt section (with password_env)"});
  }
  if (r.wrap_remote && !known.contains(*r.wrap_remote)) {
    out.push_back(Issue{child_pointer(ptr, "wrap_remote"),
                        label + " wraps " + undefined_remote(*r.wrap_remote, known)});
  }
  check_remote_path(r.path_prefix, child_pointer(ptr, "path_prefix"), "path_prefix", out);
  check_remote_path(r.wrap_path, child_pointer(ptr, "wrap_path"), "wrap_path", out);
}

// Each cycle is reported once, at the remote whose name sorts first, spelled from there.
void check_wrap_cycles(const Spec& spec, std::vector<Issue>& out) {
  const auto& remotes = spec.persistence.remotes;
  std::set<std::string> reported;
  for (const auto& [start, ignored] : remotes) {
    std::vector<std::string> chain{start};
    while (true) {
      const auto it = remotes.find(chain.back());
      if (it == remotes.end() || !it->second.wrap_remote) break;
      const std::string& next = *it->second.wrap_remote;
      const auto seen = std::find(chain.begin(), chain.end(), next);
      if (seen == chain.end()) {
        chain.push_back(next);
        continue;
      }
      std::vector<std::string> cycle(seen, chain.end());
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      if (!reported.insert(cycle.front()).second) break;
      std::string text;
      for (const auto& n : cycle) text += n + " -> ";
      const bool spelled = std::all_of(cycle.begin(), cycle.end(), [](const std::string& n) {
        return shown_name(n, valid_remote_name(n));
      });
      out.push_back(Issue{child_pointer(remote_ptr(cycle.front()), "wrap_remote"),
                          "remotes wrap each other in a cycle" +
                              (spelled ? ": " + text + cycle.front() : std::string()) +
                              "; a chain of wrapping remotes must end at a storage remote"});
      break;
    }
  }
}

void check_sync_remotes(const Spec& spec, const std::set<std::string>& known,
                        std::vector<Issue>& out) {
  const auto& p = spec.persistence;
  const bool fallback = p.default_remote || p.rclone_config;
  const bool active = p.enabled && p.mode == PersistenceMode::replicated;
  for (std::size_t i = 0; i < p.sync.size(); ++i) {
    const auto& s = p.sync[i];
    if (s.remote && !known.contains(*s.remote)) {
      out.push_back(Issue{child_pointer(sync_ptr(i), "remote"),
                          "remote names " + undefined_remote(*s.remote, known)});
    } else if (!s.remote && !fallback && active) {
      out.push_back(Issue{child_pointer(sync_ptr(i), "remote"),
                          item_label("sync path", s.name) +
                              " has no remote: set its `remote`, persistence.default_remote "
                              "or persistence.rclone_config"});
    }
  }
  if (fallback || !active || !p.multi_scope_volumes) return;
  for (std::size_t i = 0; i < p.multi_scope_volumes->environment.size(); ++i) {
    out.push_back(Issue{volume_ptr(i), item_label("environment volume",
                                                  p.multi_scope_volumes->environment[i].name) +
                                           " has no remote: set persistence.default_remote or "
                                           "persistence.rclone_config"});
  }
}

}  // namespace

void check_sync_folder(const std::string& path, const std::string& ptr, const nlohmann::json& root,
                       std::vector<Issue>& out) {
  // A missing remote_path is the schema's to report (required key).
  if (!names_no_folder(path) || find_node(root, ptr) == nullptr) return;
  out.push_back(Issue{ptr,
                      "remote_path names no folder: alone it is the root of the remote (or of "
                      "its bucket and path_prefix), which other workspaces share, and a sync "
                      "there would mix their files with these or delete them; give each sync "
                      "path a folder of its own, e.g. {project}/code"});
}

void check_path_rules(const Spec& spec, const nlohmann::json& root, std::vector<Issue>& out) {
  const auto& p = spec.persistence;
  for (std::size_t i = 0; i < p.sync.size(); ++i) {
    check_local(p.sync[i].path, child_pointer(sync_ptr(i), "path"), "path", out);
    check_remote_path(p.sync[i].remote_path, child_pointer(sync_ptr(i), "remote_path"),
                      "remote_path", out);
    check_sync_folder(p.sync[i].remote_path, child_pointer(sync_ptr(i), "remote_path"), root, out);
  }
  if (!p.multi_scope_volumes) return;
  const auto& volumes = p.multi_scope_volumes->environment;
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    check_local(volumes[i].mount_path, child_pointer(volume_ptr(i), "mount_path"), "mount_path",
                out);
    check_remote_path(volumes[i].remote_path, child_pointer(volume_ptr(i), "remote_path"),
                      "remote_path", out);
    check_sync_folder(volumes[i].remote_path, child_pointer(volume_ptr(i), "remote_path"), root,
                      out);
  }
}

void check_remote_rules(const Spec& spec, std::vector<Issue>& out) {
  const auto& p = spec.persistence;
  const auto known = known_remotes(spec);
  if (p.default_remote && !known.contains(*p.default_remote)) {
    out.push_back(Issue{"/persistence/default_remote",
                        "default_remote names " + undefined_remote(*p.default_remote, known)});
  }
  for (const auto& [name, remote] : p.remotes) check_remote(name, remote, known, out);
  if (p.rclone_config) {
    check_options(p.rclone_config->options, "/persistence/rclone_config/options", out);
  }
  check_wrap_cycles(spec, out);
  check_sync_remotes(spec, known, out);
}

}  // namespace coltec::config_detail
