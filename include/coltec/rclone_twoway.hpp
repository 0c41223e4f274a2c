#pragma once
// The rclone commands of a two-way run (pure builders; see twoway.hpp for the engine).
// Every listing and transfer leaves out the control folder (twoway_control.hpp).

#include <optional>
#include <string>
#include <vector>

#include <coltec/rclone_command.hpp>

namespace coltec {

/// The folder under every two-way remote (and local) root that holds the engine's own files;
/// excluded from every listing and transfer.
inline constexpr const char* k_control_dir = ".coltec-sync";

/// How a side is listed so that a listing costs ceil(files / 1000) + 1 requests on S3 and
/// still sees every rewrite: --fast-list on bucket backends; on S3 (and crypt over S3) the
/// server's own modification time (--use-server-modtime: no HEAD per object, and it changes
/// on every write, even one that keeps size and mtime); on plain S3 the md5 that the listing
/// carries anyway (--hash: an object rewritten with the same bytes is then not a change).
struct ListingFlags {
  bool fast_list = false;
  bool server_modtime = false;
  bool hash = false;
  /// Pass the target with a trailing '/': rclone's s3 backend then knows it names a folder
  /// and does not first HEAD it as a possible file (one request saved per listing).
  bool dir_target = false;
  /// Only for build_listed_lookup: --hash --hash-type MD5 (a local side then reads the files).
  bool md5 = false;
  bool operator==(const ListingFlags&) const = default;
};

/// The flags for an action's remote side (from its remote_type and backend_type).
ListingFlags remote_listing_flags(const Action& action);

/// rclone lsjson -R --files-only --no-mimetype TARGET with the flags, the action's excludes
/// and the control folder excluded.
Invocation build_tree_listing(const std::string& target, const ListingFlags& flags,
                              const std::vector<std::string>& exclude, const RunContext& ctx,
                              const EnvMap& daemon_env);

/// rclone lsjson --files-only --no-mimetype DIR (one level: the control folder).
Invocation build_dir_listing(const std::string& dir, const ListingFlags& flags,
                             const RunContext& ctx, const EnvMap& daemon_env);

/// rclone lsjson -R --files-only --no-mimetype --files-from-raw LIST TARGET: just the listed
/// files (each looked up on its own). `flags.md5` asks for --hash --hash-type MD5.
Invocation build_listed_lookup(const std::string& target, const std::string& files_from,
                               const ListingFlags& flags, const RunContext& ctx,
                               const EnvMap& daemon_env);

/// rclone touch FILE: creates an empty object (a claim, a generation).
Invocation build_touch(const std::string& file, const RunContext& ctx, const EnvMap& daemon_env);

/// rclone delete DIR --files-from-raw LIST: removes exactly the listed files.
Invocation build_delete_listed(const std::string& dir, const std::string& files_from,
                               const RunContext& ctx, const EnvMap& daemon_env);

/// A copy or move between two roots.
struct TransferSpec {
  std::string src;
  std::string dst;
  /// Only these files (one rclone name per line, relative to src); unset: the whole tree
  /// (the action's excludes and the control folder left out).
  std::optional<std::string> files_from;
  std::optional<std::string> backup_dir;  ///< where replaced destination files go
  bool move = false;                      ///< rclone move instead of copy
  /// With files_from: look each file up on its own (--no-traverse) instead of listing.
  bool no_traverse = false;
};

/// Whether sending `files` of a tree of `tree_files` is cheaper file by file (about one
/// request each) than with rclone listing the tree first (one per 1,000 files, measured:
/// 2,000 new files cost 6,002 requests by lookup, 4,002 listed; 3 cost 7 against 11).
bool look_up_each(std::size_t files, std::size_t tree_files);

/// rclone copy|move SRC DST with the action's transfer settings (--files-from-raw with
/// --no-traverse or --fast-list as TransferSpec says). On a plain S3 destination --checksum,
/// so a file already there with the same bytes is not sent (and not trashed) again.
Invocation build_transfer(const Action& action, const TransferSpec& spec, const RunContext& ctx,
                          const EnvMap& daemon_env);

}  // namespace coltec
