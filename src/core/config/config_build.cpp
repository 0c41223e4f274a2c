// Normalised JSON → typed Spec. Lenient on purpose: a value of the wrong type or out of
// range keeps the default (the schema has already reported it), so the semantic rules can
// still run on everything else.

#include <limits>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

using Json = nlohmann::json;

const Json* get(const Json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

void read(const Json& o, const char* key, std::string& out) {
  if (const Json* v = get(o, key); v && v->is_string()) out = v->get<std::string>();
}

void read(const Json& o, const char* key, std::optional<std::string>& out) {
  if (const Json* v = get(o, key); v && v->is_string()) out = v->get<std::string>();
}

void read(const Json& o, const char* key, bool& out) {
  if (const Json* v = get(o, key); v && v->is_boolean()) out = v->get<bool>();
}

template <typename N>
std::optional<N> number(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) {
    const auto n = v->get<std::uint64_t>();
    if (n <= std::numeric_limits<N>::max()) return static_cast<N>(n);
  } else if (v->is_number_integer()) {
    const auto n = v->get<std::int64_t>();
    if (n >= 0 && static_cast<std::uint64_t>(n) <= std::numeric_limits<N>::max()) {
      return static_cast<N>(n);
    }
  }
  return std::nullopt;
}

template <typename N>
void read(const Json& o, const char* key, N& out) {
  if (const auto n = number<N>(get(o, key))) out = *n;
}

template <typename N>
void read(const Json& o, const char* key, std::optional<N>& out) {
  if (const auto n = number<N>(get(o, key))) out = *n;
}

void read(const Json& o, const char* key, std::vector<std::string>& out) {
  const Json* v = get(o, key);
  if (v == nullptr || !v->is_array()) return;
  out.clear();
  for (const auto& item : *v) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
}

void read(const Json& o, const char* key, std::map<std::string, std::string>& out) {
  const Json* v = get(o, key);
  if (v == nullptr || !v->is_object()) return;
  for (const auto& [k, item] : v->items()) {
    if (item.is_string()) out[k] = item.get<std::string>();
  }
}

template <typename E>
void read_enum(const Json& o, const char* key, E& out,
               std::optional<E> (*parse)(const std::string&)) {
  const Json* v = get(o, key);
  if (v == nullptr || !v->is_string()) return;
  if (const auto e = parse(v->get<std::string>())) out = *e;
}

template <typename T>
std::vector<T> list(const Json& o, const char* key, T (*one)(const Json&)) {
  std::vector<T> out;
  const Json* v = get(o, key);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& item : *v) {
    if (item.is_object()) out.push_back(one(item));
  }
  return out;
}

MountSpec mount(const Json& o) {
  MountSpec m;
  read(o, "source", m.source);
  read(o, "target", m.target);
  read_enum(o, "type", m.type, parse_mount_type);
  read(o, "extra", m.extra);
  return m;
}

FeatureRef feature(const Json& o) {
  FeatureRef f;
  read(o, "id", f.id);
  if (const Json* v = get(o, "options"); v && v->is_object()) f.options = *v;
  return f;
}

Devcontainer devcontainer(const Json& o) {
  Devcontainer d;
  if (const Json* t = get(o, "template"); t && t->is_object()) {
    TemplateRef ref;
    read(*t, "name", ref.name);
    read(*t, "path", ref.path);
    read(*t, "overlays", ref.overlays);
    d.template_ref = ref;
  }
  if (const Json* i = get(o, "image"); i && i->is_object()) {
    read(*i, "name", d.image.name);
    read(*i, "digest", d.image.digest);
  }
  d.features = list(o, "features", feature);
  read(o, "user", d.user);
  read(o, "workspace_folder", d.workspace_folder);
  read(o, "workspace_mount", d.workspace_mount);
  d.mounts = list(o, "mounts", mount);
  read(o, "run_args", d.run_args);
  read(o, "env", d.env);
  if (const Json* l = get(o, "lifecycle")) {
    read(*l, "post_create", d.lifecycle.post_create);
    read(*l, "post_start", d.lifecycle.post_start);
  }
  if (const Json* c = get(o, "customizations")) {
    if (const Json* e = get(*c, "extensions")) {
      read(*e, "recommended", d.customizations.recommended_extensions);
      read(*e, "optional", d.customizations.optional_extensions);
    }
    const Json* s = get(*c, "settings");
    if (const Json* v = s ? get(*s, "values") : nullptr; v && v->is_object()) {
      d.customizations.settings = *v;
    }
  }
  return d;
}

SecretMount secret(const Json& o) {
  SecretMount s;
  read(o, "provider", s.provider);
  read(o, "key", s.key);
  read(o, "mount_path", s.mount_path);
  read(o, "read_only", s.read_only);
  return s;
}

PersistenceMount persistence_mount(const Json& o) {
  PersistenceMount m;
  read(o, "name", m.name);
  read(o, "target", m.target);
  read(o, "source", m.source);
  read(o, "type", m.type);
  return m;
}

RemoteConfig remote(const Json& o) {
  RemoteConfig r;
  read(o, "type", r.type);
  read(o, "bucket", r.bucket);
  read(o, "path_prefix", r.path_prefix);
  read(o, "options", r.options);
  read(o, "wrap_remote", r.wrap_remote);
  read(o, "wrap_path", r.wrap_path);
  if (const Json* c = get(o, "crypt"); c && c->is_object()) {
    CryptConfig crypt;
    read(*c, "password_env", crypt.password_env);
    read(*c, "password2_env", crypt.password2_env);
    read_enum(*c, "filename_encryption", crypt.filename_encryption, parse_filename_encryption);
    read(*c, "directory_name_encryption", crypt.directory_name_encryption);
    r.crypt = crypt;
  }
  return r;
}

SyncPath sync_path(const Json& o) {
  SyncPath s;
  read(o, "name", s.name);
  read(o, "path", s.path);
  read(o, "remote_path", s.remote_path);
  read(o, "remote", s.remote);
  read_enum(o, "direction", s.direction, parse_direction);
  read(o, "interval", s.interval);
  read(o, "priority", s.priority);
  read(o, "exclude", s.exclude);
  read(o, "transfers", s.transfers);
  read(o, "checkers", s.checkers);
  read(o, "bwlimit", s.bwlimit);
  return s;
}

VolumeConfig volume(const Json& o) {
  VolumeConfig v;
  read(o, "name", v.name);
  read(o, "remote_path", v.remote_path);
  read(o, "mount_path", v.mount_path);
  read_enum(o, "sync", v.sync, parse_direction);
  read(o, "interval", v.interval);
  read(o, "priority", v.priority);
  read(o, "exclude", v.exclude);
  read(o, "read_only", v.read_only);
  return v;
}

void read_optional_parts(const Json& o, Persistence& p) {
  if (const Json* r = get(o, "rclone_config"); r && r->is_object()) {
    LegacyRcloneConfig legacy;
    read(*r, "remote_name", legacy.remote_name);
    read(*r, "type", legacy.type);
    read(*r, "options", legacy.options);
    p.rclone_config = legacy;
  }
  if (const Json* d = get(o, "defaults"); d && d->is_object()) {
    SyncDefaults defaults;
    read(*d, "transfers", defaults.transfers);
    read(*d, "checkers", defaults.checkers);
    read(*d, "bwlimit", defaults.bwlimit);
    p.defaults = defaults;
  }
  if (const Json* m = get(o, "multi_scope_volumes"); m && m->is_object()) {
    MultiScopeVolumes volumes;
    read(*m, "global_refs", volumes.global_refs);
    read(*m, "project_refs", volumes.project_refs);
    volumes.environment = list(*m, "environment", volume);
    p.multi_scope_volumes = volumes;
  }
  if (const Json* s = get(o, "safety")) {
    read(*s, "max_delete_percent", p.safety.max_delete_percent);
    read(*s, "allow_empty_source", p.safety.allow_empty_source);
    read(*s, "trash", p.safety.trash);
    read(*s, "trash_retention_days", p.safety.trash_retention_days);
  }
}

Persistence build_persistence(const Json& o) {
  Persistence p;
  read(o, "enabled", p.enabled);
  read_enum(o, "mode", p.mode, parse_persistence_mode);
  read_enum(o, "scope", p.scope, parse_persistence_scope);
  p.mounts = list(o, "mounts", persistence_mount);
  if (const Json* r = get(o, "remotes"); r && r->is_object()) {
    for (const auto& [name, value] : r->items()) {
      if (value.is_object()) p.remotes[name] = remote(value);
    }
  }
  read(o, "default_remote", p.default_remote);
  p.sync = list(o, "sync", sync_path);
  read_optional_parts(o, p);
  return p;
}

}  // namespace

Spec build_spec(const Json& root) {
  Spec spec;
  read(root, "name", spec.name);
  read(root, "version", spec.version);
  if (const Json* m = get(root, "metadata")) {
    read(*m, "org", spec.metadata.org);
    read(*m, "project", spec.metadata.project);
    read(*m, "environment", spec.metadata.environment);
    read(*m, "description", spec.metadata.description);
    read(*m, "tags", spec.metadata.tags);
  }
  if (const Json* d = get(root, "devcontainer"); d && d->is_object()) {
    spec.devcontainer = devcontainer(*d);
  }
  spec.mounts = list(root, "mounts", mount);
  spec.secrets = list(root, "secrets", secret);
  if (const Json* n = get(root, "networking")) {
    read(*n, "enabled", spec.networking.enabled);
    read(*n, "hostname_prefix", spec.networking.hostname_prefix);
    read(*n, "tags", spec.networking.tags);
  }
  if (const Json* p = get(root, "persistence"); p && p->is_object()) {
    spec.persistence = build_persistence(*p);
  }
  read(root, "generated_at", spec.generated_at);
  return spec;
}

}  // namespace coltec::config_detail
