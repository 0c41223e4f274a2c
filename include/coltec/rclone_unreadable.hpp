#pragma once
// Files and folders rclone could not read (permission denied): recognising them in its JSON
// log lines, and the exclude rules that leave exactly those out of a run, so that one
// unreadable name never stops the rest of a folder from syncing. rclone sync leaves excluded
// paths on the destination alone (we never pass --delete-excluded), so the other side's
// copies of what is skipped stay. Facts measured against rclone 1.60.1: an unreadable folder
// shows in every listing, the dry run included, as `failed to open directory "<rel>": open
// <abs>: permission denied` with object <rel>; an unreadable file only when rclone opens it
// (to copy it: `Failed to copy: failed to open source object: ...`; to hash it: `... hash:
// failed to open: ...`), with object = its rclone name. A dry run never opens a file, so an
// unreadable file first shows as a failed copy. rclone's filters match a literal U+FFFD
// against any invalid UTF-8 byte (Go's regexp decodes so), so a rule made from a lossy name
// still matches the file. Pure functions; part of the rclone module.

#include <compare>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <coltec/rclone_output.hpp>

namespace coltec {

/// One path rclone could not read.
struct UnreadablePath {
  std::string path;  ///< rclone's name, relative to the synced root
  bool is_dir = false;
  // clang-tidy 14 mistakes the defaulted <=> for a literal-0 comparison.
  auto operator<=>(const UnreadablePath&) const = default;  // NOLINT(modernize-use-nullptr)
};

/// The paths one action skips, in a stable order.
using UnreadableSet = std::set<UnreadablePath>;

/// What one rclone log line (parse_rclone_line) says could not be read for lack of
/// permission, if anything. Lines about anything else (a vanished file, a network error,
/// S3's AccessDenied, a destination rclone cannot write) give nullopt.
std::optional<UnreadablePath> parse_unreadable(const RcloneLine& line);

/// `text` with every character rclone's filter globs give a meaning to (`\ * ? [ ] { }`)
/// escaped by a backslash, so that the glob matches `text` literally.
std::string escape_glob(std::string_view text);

/// The --exclude rule that matches exactly `p` and nothing else: "/<escaped path>" for a
/// file, "/<escaped path>/**" for a folder (everything under it).
std::string exclude_rule(const UnreadablePath& p);

/// How often one run starts again with more paths left out before it gives up and fails as
/// before (each round can only find names the previous one did not reach).
inline constexpr int k_max_unreadable_rounds = 3;

/// Whether a run that ended in `failure` should start again with the `new_paths` it found
/// unreadable left out: only after a real failure (not a stop or a safety refusal), when it
/// found something new, and within k_max_unreadable_rounds.
bool retry_without_unreadable(RcloneFailure failure, std::size_t new_paths, int rounds_done);

/// The warning that names a skipped path (one sentence).
std::string unreadable_warning(const UnreadablePath& p);

}  // namespace coltec
