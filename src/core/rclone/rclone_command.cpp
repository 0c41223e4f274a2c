#include <array>
#include <utility>

#include <coltec/rclone_command.hpp>
#include <coltec/text.hpp>

namespace coltec {
namespace {

constexpr std::string_view k_version_prefix = "rclone v";
constexpr std::size_t k_max_version_digits = 6;
constexpr std::size_t k_excerpt_chars = 60;

// Reads 1..6 digits from the front of `text`; more digits are treated as garbage.
std::optional<int> take_number(std::string_view& text) {
  std::size_t n = 0;
  int value = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') {
    if (++n > k_max_version_digits) return std::nullopt;
    value = value * 10 + (text[n - 1] - '0');
  }
  if (n == 0) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

std::optional<RcloneVersion> version_from_line(std::string_view line) {
  if (!line.starts_with(k_version_prefix)) return std::nullopt;
  line.remove_prefix(k_version_prefix.size());
  std::array<int, 3> parts{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto number = take_number(line);
    if (!number) return std::nullopt;
    parts[i] = *number;
    if (i + 1 == parts.size()) break;
    if (line.empty() || line.front() != '.') return std::nullopt;
    line.remove_prefix(1);
  }
  return RcloneVersion{parts[0], parts[1], parts[2]};
}

// Hostile output must not put control characters or megabytes into an error message.
std::string excerpt(std::string_view text) {
  if (text.empty()) return "(empty output)";
  std::string out = "\"";
  for (const char c : text.substr(0, k_excerpt_chars)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out + (text.size() > k_excerpt_chars ? "…\"" : "\"");
}

// rclone would read an argument starting with '-' as a flag.
std::string positional(const std::string& arg) {
  return !arg.empty() && arg.front() == '-' ? "./" + arg : arg;
}

bool is_bucket_backend(const std::string& type) {
  return type == "s3" || type == "b2" || type == "gcs" || type == "swift" || type == "azureblob";
}

using Args = std::vector<std::string>;

void add_config(Args& args, const RunContext& ctx) {
  if (!ctx.config_path.empty()) args.insert(args.end(), {"--config", ctx.config_path});
}

void add_excludes(Args& args, const std::vector<std::string>& exclude) {
  for (const auto& pattern : exclude) args.insert(args.end(), {"--exclude", pattern});
}

// `checksum`: compare by hash instead of mtime. On S3 reading an mtime costs one HEAD per
// object on every run (~2,064 requests for 2,000 files vs 7). Not for crypt: it has no
// hash in common with local, and rclone would fall back to size-only.
void add_transfer_settings(Args& args, const Action& action) {
  args.insert(args.end(), {"--transfers", std::to_string(action.transfers), "--checkers",
                           std::to_string(action.checkers)});
  if (action.bwlimit) args.insert(args.end(), {"--bwlimit", *action.bwlimit});
  if (is_bucket_backend(action.backend_type)) args.emplace_back("--fast-list");
  if (action.remote_type == "s3") args.emplace_back("--checksum");
  add_excludes(args, action.exclude);
}

// Never -vv: at debug level rclone prints option values, secrets included.
// Stats and every line the daemon acts on (skipped deletes, failed objects) come at NOTICE
// or above; -v adds one INFO line per file, worth its cost only when someone reads the
// debug log.
void add_logging(Args& args, const RunContext& ctx) {
  args.insert(args.end(), {"--use-json-log", "--stats", "1s", "--stats-log-level", "NOTICE"});
  if (ctx.verbose) args.emplace_back("-v");
}

// A dead endpoint must fail in seconds, not minutes; the scheduler does the retrying.
void add_timeouts(Args& args) {
  args.insert(args.end(), {"--contimeout", "10s", "--timeout", "60s", "--low-level-retries", "2",
                           "--retries", "1"});
}

Invocation finish(Args args, const RunContext& ctx, const EnvMap& daemon_env) {
  Invocation inv;
  // Word by word first: quoting rewrites a ' inside a secret, hiding it from a text search.
  std::vector<std::string> shown;
  for (const auto& arg : args) shown.push_back(redact(arg, ctx.secrets));
  inv.redacted = redact(shell_join(shown), ctx.secrets);
  inv.env = child_environment(daemon_env, ctx.pass_aws_credentials);
  inv.argv = std::move(args);
  return inv;
}

Args sync_args(const Action& action, const RunContext& ctx) {
  const bool push = action.direction == Direction::push_only;
  const auto local = positional(action.local_path);
  Args args{ctx.rclone_binary, "sync", push ? local : action.remote_spec(),
            push ? action.remote_spec() : local};
  add_config(args, ctx);
  add_transfer_settings(args, action);
  add_logging(args, ctx);
  add_timeouts(args);
  if (ctx.max_delete) args.insert(args.end(), {"--max-delete", std::to_string(*ctx.max_delete)});
  if (ctx.backup_dir) args.insert(args.end(), {"--backup-dir", *ctx.backup_dir});
  if (ctx.dry_run) args.emplace_back("--dry-run");
  return args;
}

}  // namespace

namespace rclone_detail {

std::string positional_arg(const std::string& arg) {
  return positional(arg);
}

void add_common_flags(std::vector<std::string>& args, const RunContext& ctx) {
  add_config(args, ctx);
  add_logging(args, ctx);
  add_timeouts(args);
}

Invocation finish_invocation(std::vector<std::string> args, const RunContext& ctx,
                             const EnvMap& daemon_env) {
  return finish(std::move(args), ctx, daemon_env);
}

}  // namespace rclone_detail

std::string to_string(const RcloneVersion& version) {
  return std::to_string(version.major) + "." + std::to_string(version.minor) + "." +
         std::to_string(version.patch);
}

Result<RcloneVersion> parse_rclone_version(std::string_view version_output) {
  std::string_view rest = version_output;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto line = rest.substr(0, end);
    if (auto version = version_from_line(line)) return *version;
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
  return make_error("cannot read the rclone version (expected a line \"rclone vX.Y.Z\") from " +
                    excerpt(version_output));
}

RcloneCaps caps_for(RcloneVersion version) {
  RcloneCaps caps;
  caps.version = version;
  return caps;
}

Invocation build_invocation(const Action& action, const RunContext& ctx, const EnvMap& daemon_env) {
  return finish(sync_args(action, ctx), ctx, daemon_env);
}

Invocation build_copy(const std::string& src, const std::string& dst, const Action& action,
                      const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, "copy", positional(src), positional(dst)};
  add_config(args, ctx);
  add_transfer_settings(args, action);
  add_logging(args, ctx);
  add_timeouts(args);
  if (ctx.backup_dir) args.insert(args.end(), {"--backup-dir", *ctx.backup_dir});
  if (ctx.dry_run) args.emplace_back("--dry-run");
  return finish(std::move(args), ctx, daemon_env);
}

Invocation build_copy_files(const Action& action, const std::string& files_from,
                            const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary,
            "copy",
            positional(action.local_path),
            positional(action.remote_spec()),
            "--files-from-raw",
            files_from,
            "--no-traverse"};
  add_config(args, ctx);
  // No --fast-list (nothing is listed) and no excludes (the watcher already applied them).
  args.insert(args.end(), {"--transfers", std::to_string(action.transfers), "--checkers",
                           std::to_string(action.checkers)});
  if (action.bwlimit) args.insert(args.end(), {"--bwlimit", *action.bwlimit});
  if (action.remote_type == "s3") args.emplace_back("--checksum");
  add_logging(args, ctx);
  add_timeouts(args);
  if (ctx.backup_dir) args.insert(args.end(), {"--backup-dir", *ctx.backup_dir});
  if (ctx.dry_run) args.emplace_back("--dry-run");
  return finish(std::move(args), ctx, daemon_env);
}

Invocation build_listing(const std::string& target, const RunContext& ctx, const EnvMap& daemon_env,
                         const std::vector<std::string>& exclude) {
  Args args{ctx.rclone_binary, "lsjson",      positional(target), "-R",
            "--files-only",    "--fast-list", "--no-modtime",     "--no-mimetype"};
  add_config(args, ctx);
  add_excludes(args, exclude);
  args.emplace_back("--use-json-log");
  add_timeouts(args);
  return finish(std::move(args), ctx, daemon_env);
}

Invocation build_probe(const std::string& target, const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, "lsjson",       positional(target), "--max-depth", "1",
            "--no-modtime",    "--no-mimetype"};
  add_config(args, ctx);
  args.emplace_back("--use-json-log");
  add_timeouts(args);
  return finish(std::move(args), ctx, daemon_env);
}

Invocation build_trash_cleanup(const std::string& trash_root, std::uint32_t retention_days,
                               const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary,
            "delete",
            positional(trash_root),
            "--min-age",
            std::to_string(retention_days) + "d",
            "--rmdirs"};
  add_config(args, ctx);
  args.emplace_back("--use-json-log");
  add_timeouts(args);
  if (ctx.dry_run) args.emplace_back("--dry-run");
  return finish(std::move(args), ctx, daemon_env);
}

std::vector<std::string> version_argv(const std::string& binary) {
  return {binary, "version"};
}

std::vector<std::string> obscure_argv(const std::string& binary) {
  return {binary, "obscure", "-"};
}

}  // namespace coltec
