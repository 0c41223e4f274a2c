// The commands of a two-way run. Facts they rest on (measured against rclone 1.60.1 and
// s3rver, 2,000 files): `lsjson -R --fast-list --use-server-modtime --hash` is 3 requests
// (plain lsjson is 2,003); one level of the control folder is 2; touch and a listed delete
// are about 4; a listed lookup is about one HEAD per file.

#include <coltec/rclone_twoway.hpp>

#include "rclone_command_internal.hpp"

namespace coltec {
namespace {

using Args = std::vector<std::string>;
using rclone_detail::add_common_flags;
using rclone_detail::finish_invocation;
using rclone_detail::positional_arg;

bool is_bucket_backend(const std::string& type) {
  return type == "s3" || type == "b2" || type == "gcs" || type == "swift" || type == "azureblob";
}

void add_listing_flags(Args& args, const ListingFlags& f) {
  if (f.fast_list) args.emplace_back("--fast-list");
  if (f.server_modtime) args.emplace_back("--use-server-modtime");
  if (f.hash) args.emplace_back("--hash");
}

std::string listing_target(const std::string& target, const ListingFlags& f) {
  if (!f.dir_target || target.empty() || target.back() == '/') return target;
  return target + "/";
}

void exclude_control(Args& args) {
  args.insert(args.end(), {"--exclude", "/" + std::string(k_control_dir) + "/**"});
}

void add_excludes(Args& args, const std::vector<std::string>& exclude) {
  for (const auto& pattern : exclude) args.insert(args.end(), {"--exclude", pattern});
}

}  // namespace

ListingFlags remote_listing_flags(const Action& action) {
  ListingFlags f;
  f.fast_list = is_bucket_backend(action.backend_type);
  f.server_modtime = action.backend_type == "s3";
  // Through crypt the md5 would be of the encrypted bytes, and rclone reports none.
  f.hash = action.remote_type == "s3";
  f.dir_target = action.remote_type == "s3";  // not through crypt: its names are encrypted
  return f;
}

Invocation build_tree_listing(const std::string& target, const ListingFlags& flags,
                              const std::vector<std::string>& exclude, const RunContext& ctx,
                              const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, "lsjson",       positional_arg(listing_target(target, flags)), "-R",
            "--files-only",    "--no-mimetype"};
  add_listing_flags(args, flags);
  exclude_control(args);
  add_excludes(args, exclude);
  add_common_flags(args, ctx);
  return finish_invocation(std::move(args), ctx, daemon_env);
}

Invocation build_dir_listing(const std::string& dir, const ListingFlags& flags,
                             const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, "lsjson", positional_arg(listing_target(dir, flags)), "--files-only",
            "--no-mimetype"};
  if (flags.server_modtime) args.emplace_back("--use-server-modtime");
  add_common_flags(args, ctx);
  return finish_invocation(std::move(args), ctx, daemon_env);
}

Invocation build_listed_lookup(const std::string& target, const std::string& files_from,
                               const ListingFlags& flags, const RunContext& ctx,
                               const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary,
            "lsjson",
            positional_arg(listing_target(target, flags)),
            "-R",
            "--files-only",
            "--no-mimetype",
            "--files-from-raw",
            files_from};
  if (flags.server_modtime) args.emplace_back("--use-server-modtime");
  if (flags.md5) {
    args.insert(args.end(), {"--hash", "--hash-type", "MD5"});
  } else if (flags.hash) {
    args.emplace_back("--hash");
  }
  add_common_flags(args, ctx);
  return finish_invocation(std::move(args), ctx, daemon_env);
}

Invocation build_touch(const std::string& file, const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, "touch", positional_arg(file)};
  add_common_flags(args, ctx);
  return finish_invocation(std::move(args), ctx, daemon_env);
}

Invocation build_delete_listed(const std::string& dir, const std::string& files_from,
                               const RunContext& ctx, const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, "delete", positional_arg(dir), "--files-from-raw", files_from};
  add_common_flags(args, ctx);
  return finish_invocation(std::move(args), ctx, daemon_env);
}

bool look_up_each(std::size_t files, std::size_t tree_files) {
  return files <= tree_files / 1000 + 2;
}

Invocation build_transfer(const Action& action, const TransferSpec& spec, const RunContext& ctx,
                          const EnvMap& daemon_env) {
  Args args{ctx.rclone_binary, spec.move ? "move" : "copy", positional_arg(spec.src),
            positional_arg(spec.dst)};
  if (spec.files_from) {
    args.insert(args.end(), {"--files-from-raw", *spec.files_from});
    if (spec.no_traverse) {
      args.emplace_back("--no-traverse");
    } else if (is_bucket_backend(action.backend_type)) {
      args.emplace_back("--fast-list");
    }
  } else {
    if (is_bucket_backend(action.backend_type)) args.emplace_back("--fast-list");
    exclude_control(args);
    add_excludes(args, action.exclude);
  }
  args.insert(args.end(), {"--transfers", std::to_string(action.transfers), "--checkers",
                           std::to_string(action.checkers)});
  if (action.bwlimit) args.insert(args.end(), {"--bwlimit", *action.bwlimit});
  if (action.remote_type == "s3") args.emplace_back("--checksum");
  if (spec.backup_dir) args.insert(args.end(), {"--backup-dir", *spec.backup_dir});
  add_common_flags(args, ctx);
  return finish_invocation(std::move(args), ctx, daemon_env);
}

}  // namespace coltec
