#pragma once
// The pure rclone command builder: Action + RunContext -> Invocation {argv, env, redacted}.
// It also renders the private rclone config file that defines every remote, builds the
// child's environment and redacts secrets. No clock, no environment lookups, no I/O: the daemon's
// environment arrives as an EnvMap value. Facts it is built on: notes/rclone-1.60.md.
//
// Credentials never reach argv: remotes live in a 0600 config file the caller writes from
// render_rclone_config(), passed with --config.

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <coltec/planner.hpp>
#include <coltec/result.hpp>

namespace coltec {

/// An rclone release number, e.g. 1.60.1 for "rclone v1.60.1-DEV".
struct RcloneVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  // clang-tidy 14 mistakes the defaulted <=> for a literal-0 comparison.
  auto operator<=>(const RcloneVersion&) const = default;  // NOLINT(modernize-use-nullptr)
};

/// "1.60.1".
std::string to_string(const RcloneVersion& version);

/// Read the version from `rclone version` output: the first line that starts with
/// "rclone v<major>.<minor>.<patch>" (any suffix such as "-DEV" is ignored). Fails with a
/// short, printable excerpt of the output when no such line exists.
Result<RcloneVersion> parse_rclone_version(std::string_view version_output);

/// Which optional rclone features the builder may use. Every command it builds works on
/// 1.60, so for now only the version is known (for messages and the tool cache).
struct RcloneCaps {
  RcloneVersion version;
  bool operator==(const RcloneCaps&) const = default;
};

/// The capabilities of a given rclone version.
RcloneCaps caps_for(RcloneVersion version);

/// The daemon's environment (name -> value), passed in as a value.
using EnvMap = std::map<std::string, std::string>;

/// Per-run inputs decided by the caller.
struct RunContext {
  RcloneCaps caps;
  std::string rclone_binary = "rclone";  ///< argv[0]; the runner resolves it through PATH
  std::string config_path;               ///< our private 0600 rclone.conf (render_rclone_config)
  bool dry_run = false;
  /// sync (push or pull) only: where replaced/deleted destination files go, e.g.
  /// "remote:bucket/.coltec-trash/<ts>"; must be on the destination's remote.
  std::optional<std::string> backup_dir;
  /// sync (push or pull) only: absolute cap decided by the safety pre-check. rclone
  /// deletes up to N files and then stops with rc=7; it is not a pre-check itself.
  std::optional<std::uint64_t> max_delete;
  /// Keep AWS_* credential variables in the child's environment; set it when a remote
  /// uses env_auth (see uses_env_auth()). AWS_CA_BUNDLE is dropped regardless.
  bool pass_aws_credentials = false;
  /// Ask rclone for one INFO line per file (-v); the daemon sets it at debug level only.
  bool verbose = true;
  /// Every secret (secret_values()); removed from Invocation::redacted.
  std::vector<std::string> secrets;
};

/// A ready-to-spawn command. argv never holds a credential; env is the child's whole
/// environment as "NAME=value" entries; redacted is argv as shell-quoted text with secrets
/// replaced by "***", safe to log or paste.
struct Invocation {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string redacted;
  bool operator==(const Invocation&) const = default;
};

/// The command for one push-only or pull-only run: sync LOCAL REMOTE (push-only) or sync
/// REMOTE LOCAL (anything else), with the common flags (config, transfer settings, excludes,
/// JSON logging, short timeouts) and what ctx asks for. Bidirectional actions never come here:
/// the two-way engine builds its own commands (rclone_twoway.hpp).
Invocation build_invocation(const Action& action, const RunContext& ctx, const EnvMap& daemon_env);

/// rclone copy SRC DST with the action's transfer settings and the common flags; used to
/// restore remote -> local. Never deletes; with ctx.backup_dir, local files it replaces are
/// moved there first. An argument starting with '-' is passed as
/// "./-…" so it cannot be read as a flag.
Invocation build_copy(const std::string& src, const std::string& dst, const Action& action,
                      const RunContext& ctx, const EnvMap& daemon_env);

/// rclone copy LOCAL REMOTE --files-from-raw FILE --no-traverse: uploads just the files
/// listed in FILE (relative to the local root, one per line) without listing either side;
/// the event-driven fast path of a push-only action. Never deletes; with ctx.backup_dir,
/// remote files it replaces are moved there.
Invocation build_copy_files(const Action& action, const std::string& files_from,
                            const RunContext& ctx, const EnvMap& daemon_env);

/// rclone lsjson -R --files-only --fast-list --no-modtime --no-mimetype TARGET (JSON array on
/// stdout), filtered by `exclude`; used by the safety pre-check to count files.
Invocation build_listing(const std::string& target, const RunContext& ctx, const EnvMap& daemon_env,
                         const std::vector<std::string>& exclude = {});

/// rclone lsjson --max-depth 1 --no-modtime --no-mimetype TARGET: the top level only, files
/// and folders alike, no --fast-list (which would list everything) and no excludes (an
/// excluded entry still means "not empty"). One cheap request to learn whether a push
/// destination is empty, in which case nothing can be deleted and the pre-check is moot.
Invocation build_probe(const std::string& target, const RunContext& ctx, const EnvMap& daemon_env);

/// rclone delete TRASH_ROOT --min-age <days>d --rmdirs: enforces the retention of the
/// recoverable-deletes folder (only files older than the retention are removed).
Invocation build_trash_cleanup(const std::string& trash_root, std::uint32_t retention_days,
                               const RunContext& ctx, const EnvMap& daemon_env);

/// {binary, "version"}: its stdout goes to parse_rclone_version().
std::vector<std::string> version_argv(const std::string& binary = "rclone");

/// {binary, "obscure", "-"}: reads the plain password on stdin, prints the obscured form.
std::vector<std::string> obscure_argv(const std::string& binary = "rclone");

/// The private rclone config file (INI: "[name]\ntype = s3\nkey = value\n", sections in
/// the given order). Option values have ${VAR} / $VAR expanded from `env` ("$$" is a
/// literal '$'). Legacy remotes also take every RCLONE_CONFIG_<NAME>_<KEY> variable
/// (upper-cased name, key lower-cased; _TYPE ignored, the spec's type stands), overriding
/// the spec's options as rclone itself would. Crypt remotes get password/password2 from
/// `obscured` (keyed by the variable named in crypt.password_env/password2_env) plus
/// filename_encryption and directory_name_encryption. Fails, naming the remote and option,
/// on an unset or empty variable, a missing obscured password, a bad remote name or option
/// key, an option called `type`, or a value rclone's INI reader would alter (control
/// characters such as newlines, leading/trailing blanks, a leading quote or backtick).
Result<std::string> render_rclone_config(const std::vector<RemoteDef>& remotes, const EnvMap& env,
                                         const std::map<std::string, std::string>& obscured);

/// Names of the variables whose values must be obscured (`rclone obscure -`) before
/// render_rclone_config(): crypt password_env and password2_env, sorted, unique.
std::vector<std::string> passwords_needed(const std::vector<RemoteDef>& remotes);

/// True when a remote sets env_auth = true (credentials from AWS_* variables).
bool uses_env_auth(const std::vector<RemoteDef>& remotes);

/// The child's environment as sorted "NAME=value" entries: PATH, HOME, USER, LOGNAME,
/// LANG, LC_*, TMPDIR, TZ, XDG_* only (plus AWS_* credential variables when
/// pass_aws_credentials). Never AWS_CA_BUNDLE (it breaks rclone 1.60's s3 backend) and never
/// RCLONE_* (the user's own rclone settings must not mix in; we pass --config).
std::vector<std::string> child_environment(const EnvMap& daemon_env,
                                           bool pass_aws_credentials = false);

/// Every secret value to keep out of logs: options whose key contains key, secret,
/// password, pass, token, credential or session (case-insensitive) after expansion, and
/// the variables they reference; any referenced variable whose name looks secret; legacy
/// RCLONE_CONFIG_<NAME>_* secrets; crypt passwords in plain and obscured form; AWS
/// credential variables. JSON-escaped variants are included where they differ. Sorted,
/// unique, longest first, never empty strings.
std::vector<std::string> secret_values(const std::vector<RemoteDef>& remotes, const EnvMap& env,
                                       const std::map<std::string, std::string>& obscured);

/// argv as one line a POSIX shell would split back into the same words (single quotes
/// where needed). For display only: nothing here is ever run through a shell.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace coltec
