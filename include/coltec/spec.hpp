#pragma once
// Typed values of workspace-spec.yaml, both generations (legacy `rclone_config` +
// `networking`, and named `remotes` + `default_remote` + `defaults` + crypt).
// Defaults here are the existing implementation's defaults; config_test checks each one.
// Pure values: no I/O, no logging; every type compares with ==.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace coltec {

/// How a folder is replicated. Spelled bidirectional | push-only | pull-only in YAML
/// (snake_case push_only / pull_only accepted too).
enum class Direction { bidirectional, push_only, pull_only };

/// persistence.mode
enum class PersistenceMode { mounted, replicated };

/// persistence.scope
enum class PersistenceScope { project, environment };

/// devcontainer.mounts[].type and top-level mounts[].type
enum class MountType { bind, volume, tmpfs, symlink };

/// remotes.*.crypt.filename_encryption
enum class FilenameEncryption { standard, obfuscate, off };

/// The canonical YAML spelling ("push-only", …).
const char* to_string(Direction d);
const char* to_string(PersistenceMode m);
const char* to_string(PersistenceScope s);
const char* to_string(MountType t);
const char* to_string(FilenameEncryption e);

/// Parse a YAML spelling; nullopt when the text names no value.
std::optional<Direction> parse_direction(const std::string& text);
std::optional<PersistenceMode> parse_persistence_mode(const std::string& text);
std::optional<PersistenceScope> parse_persistence_scope(const std::string& text);
std::optional<MountType> parse_mount_type(const std::string& text);
std::optional<FilenameEncryption> parse_filename_encryption(const std::string& text);

struct Metadata {
  std::string org;
  std::string project;
  std::string environment = "dev";
  std::optional<std::string> description;
  std::vector<std::string> tags;
  bool operator==(const Metadata&) const = default;
};

struct TemplateRef {
  std::string name;
  std::string path;
  std::vector<std::string> overlays;
  bool operator==(const TemplateRef&) const = default;
};

struct ImageRef {
  std::string name;
  std::optional<std::string> digest;
  bool operator==(const ImageRef&) const = default;
};

struct FeatureRef {
  std::string id;
  nlohmann::json options;  ///< free-form, passed through to devcontainer tooling
  bool operator==(const FeatureRef&) const = default;
};

struct MountSpec {
  std::string source;
  std::string target;
  MountType type = MountType::volume;
  std::optional<std::string> extra;
  bool operator==(const MountSpec&) const = default;
};

struct Lifecycle {
  std::vector<std::string> post_create;
  std::vector<std::string> post_start;
  bool operator==(const Lifecycle&) const = default;
};

struct Customizations {
  std::vector<std::string> recommended_extensions;     ///< extensions.recommended
  std::vector<std::string> optional_extensions;        ///< extensions.optional
  nlohmann::json settings = nlohmann::json::object();  ///< settings.values, free-form
  bool operator==(const Customizations&) const = default;
};

struct Devcontainer {
  std::optional<TemplateRef> template_ref;  ///< YAML key `template`
  ImageRef image;
  std::vector<FeatureRef> features;
  std::string user = "vscode";
  std::string workspace_folder = "/workspace";
  std::optional<std::string> workspace_mount;
  std::vector<MountSpec> mounts;
  std::vector<std::string> run_args;
  std::map<std::string, std::string> env;
  Lifecycle lifecycle;
  Customizations customizations;
  bool operator==(const Devcontainer&) const = default;
};

struct SecretMount {
  std::string provider;
  std::string key;
  std::string mount_path;
  bool read_only = true;
  bool operator==(const SecretMount&) const = default;
};

/// Top-level `networking` (legacy generation; kept so old templates load).
struct Networking {
  bool enabled = false;
  std::string hostname_prefix = "dev-";
  std::vector<std::string> tags{"tag:devcontainer"};
  bool operator==(const Networking&) const = default;
};

struct PersistenceMount {
  std::string name;
  std::string target;
  std::string source;
  std::string type = "symlink";
  bool operator==(const PersistenceMount&) const = default;
};

/// Legacy `persistence.rclone_config`: one remote, credentials from RCLONE_CONFIG_<NAME>_*
/// and the bucket from RCLONE_BUCKET at run time.
struct LegacyRcloneConfig {
  std::string remote_name = "r2coltec";
  std::string type = "s3";
  std::map<std::string, std::string> options;
  bool operator==(const LegacyRcloneConfig&) const = default;
};

struct CryptConfig {
  std::string password_env;                  ///< variable holding the password
  std::optional<std::string> password2_env;  ///< variable holding the salt
  FilenameEncryption filename_encryption = FilenameEncryption::standard;
  bool directory_name_encryption = true;
  bool operator==(const CryptConfig&) const = default;
};

/// persistence.remotes.<name>
struct RemoteConfig {
  std::string type = "s3";
  std::optional<std::string> bucket;
  std::optional<std::string> path_prefix;
  std::map<std::string, std::string> options;  ///< rclone backend options; may hold ${VAR}
  std::optional<std::string> wrap_remote;      ///< crypt: the remote it wraps
  std::optional<std::string> wrap_path;        ///< crypt: path inside the wrapped remote
  std::optional<CryptConfig> crypt;
  bool operator==(const RemoteConfig&) const = default;
};

/// persistence.defaults: operation settings inherited by every path.
struct SyncDefaults {
  std::optional<std::uint32_t> transfers;
  std::optional<std::uint32_t> checkers;
  std::optional<std::string> bwlimit;
  bool operator==(const SyncDefaults&) const = default;
};

/// persistence.sync[]
struct SyncPath {
  std::string name;
  std::string path;         ///< absolute local path
  std::string remote_path;  ///< may hold {org} {project} {env}
  std::optional<std::string> remote;
  Direction direction = Direction::bidirectional;
  std::uint64_t interval = 300;  ///< seconds, >= 10
  std::uint32_t priority = 2;    ///< lower runs first
  std::vector<std::string> exclude;
  std::optional<std::uint32_t> transfers;
  std::optional<std::uint32_t> checkers;
  std::optional<std::string> bwlimit;
  bool operator==(const SyncPath&) const = default;
};

/// persistence.multi_scope_volumes.environment[]
struct VolumeConfig {
  std::string name;
  std::string remote_path;
  std::string mount_path;  ///< absolute local path
  Direction sync = Direction::bidirectional;
  std::uint64_t interval = 300;
  std::uint32_t priority = 2;
  std::vector<std::string> exclude;
  bool read_only = false;
  bool operator==(const VolumeConfig&) const = default;
};

struct MultiScopeVolumes {
  std::vector<std::string> global_refs;
  std::vector<std::string> project_refs;
  std::vector<VolumeConfig> environment;
  bool operator==(const MultiScopeVolumes&) const = default;
};

/// Data-safety settings (new, optional `persistence.safety`); see README "Reliability".
struct SafetySettings {
  std::uint32_t max_delete_percent = 50;  ///< refuse a sync deleting more than this share
  bool allow_empty_source = false;        ///< opt-out of the empty-source guard
  bool trash = true;                      ///< keep deleted/overwritten remote files
  std::uint32_t trash_retention_days = 30;
  bool operator==(const SafetySettings&) const = default;
};

struct Persistence {
  bool enabled = false;
  PersistenceMode mode = PersistenceMode::mounted;
  PersistenceScope scope = PersistenceScope::project;
  std::vector<PersistenceMount> mounts;
  std::optional<LegacyRcloneConfig> rclone_config;
  std::map<std::string, RemoteConfig> remotes;
  std::optional<std::string> default_remote;
  std::optional<SyncDefaults> defaults;
  std::vector<SyncPath> sync;
  std::optional<MultiScopeVolumes> multi_scope_volumes;
  SafetySettings safety;
  bool operator==(const Persistence&) const = default;
};

/// The whole workspace-spec.yaml.
struct Spec {
  std::string name;
  std::string version = "1.0.0";
  Metadata metadata;
  Devcontainer devcontainer;
  std::vector<MountSpec> mounts;
  std::vector<SecretMount> secrets;
  Networking networking;
  Persistence persistence;
  std::optional<std::string> generated_at;  ///< RFC 3339 text as written
  bool operator==(const Spec&) const = default;
};

}  // namespace coltec
