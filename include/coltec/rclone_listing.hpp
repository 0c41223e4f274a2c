#pragma once
// Reading `rclone lsjson` output and mapping between rclone's names and the bytes a local
// file system uses (rclone 1.60's "standard" name encoding, checked against it: control
// characters 0x00-0x1F show as U+2400.., DEL as U+2421, a literal one of those runes or
// U+201B gets a U+201B prefix, invalid UTF-8 becomes U+FFFD and cannot be mapped back).
// Pure functions.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace coltec {

/// One file as a listing saw it.
struct FileState {
  std::uint64_t size = 0;
  /// Nanoseconds since the Unix epoch: the file's mtime locally; on an S3 remote the
  /// server's LastModified (whole seconds), which changes on every write.
  std::int64_t mtime_ns = 0;
  std::string md5;  ///< lower-case hex; empty when the listing had none
  bool operator==(const FileState&) const = default;
};

/// A side's files, keyed by path.
using Listing = std::map<std::string, FileState>;

/// One entry of an lsjson listing.
struct ListedEntry {
  std::string path;  ///< rclone's name, relative to the listed root
  FileState state;
  bool is_dir = false;
  bool operator==(const ListedEntry&) const = default;
};

/// Parse one line of `rclone lsjson` output (one object per line, rclone prints "[" and "]"
/// on their own lines and a ',' after every object but the last). Lines that are not an
/// entry, and entries with a missing or malformed field, give nullopt.
std::optional<ListedEntry> parse_lsjson_line(std::string_view line);

/// "2026-12-01T22:24:23.123456789Z", "...+01:00" or "...+0100" (a fraction of up to 9 digits) as
/// nanoseconds since the Unix epoch; nullopt for anything else.
std::optional<std::int64_t> parse_time_ns(std::string_view text);

/// The local file name (bytes) behind an rclone name; nullopt when it cannot be known
/// (a U+FFFD that rclone put in place of invalid UTF-8 looks like a real U+FFFD).
std::optional<std::string> local_name_of(std::string_view rclone_name);

/// rclone's name for local file-name bytes; nullopt for bytes that are not valid UTF-8
/// (rclone would list them under a lossy name that maps back to nothing).
std::optional<std::string> rclone_name_of(std::string_view local_name);

/// What an rclone log line (JSON, --use-json-log) says about a listing that could not read
/// everything: the folder (relative) it could not open, or a local name it could not list
/// faithfully ("Replacing invalid UTF-8 characters in ..."), given as rclone will name it.
struct ListingProblem {
  enum class Kind { unreadable_dir, unrepresentable_name } kind = Kind::unreadable_dir;
  std::string path;
  bool operator==(const ListingProblem&) const = default;
};
std::optional<ListingProblem> parse_listing_problem(std::string_view log_line);

}  // namespace coltec
