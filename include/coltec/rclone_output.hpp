#pragma once
// Reading what rclone prints: its JSON log lines (--use-json-log), the stats it logs, and
// what its exit code plus those lines mean (notes/rclone-1.60.md §4). Pure functions; part
// of the rclone module.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <coltec/spec.hpp>

namespace coltec {

/// One rclone log line, parsed. Non-JSON lines (rclone's final "Failed to …" text can be
/// plain and span lines) come back with json=false and the raw text as msg.
struct RcloneLine {
  bool json = false;
  std::string level;  ///< rclone's level: debug, info, notice, warning, error
  std::string msg;
  std::string object;  ///< the file the line is about, when any
  bool has_stats = false;
  bool operator==(const RcloneLine&) const = default;
};

/// Transfer statistics from rclone's stats lines.
struct RcloneStats {
  std::uint64_t bytes = 0;
  std::uint64_t total_bytes = 0;
  std::uint64_t transfers = 0;  ///< files transferred
  std::uint64_t total_transfers = 0;
  std::uint64_t deletes = 0;
  std::uint64_t checks = 0;
  std::uint64_t errors = 0;
  double speed = 0;        ///< bytes per second
  double eta_seconds = 0;  ///< 0 when unknown
  bool operator==(const RcloneStats&) const = default;
};

/// Parse one line; never throws on hostile input.
RcloneLine parse_rclone_line(std::string_view line);

/// Stats carried by a JSON stats line, if it is one.
std::optional<RcloneStats> parse_rclone_stats(std::string_view line);

/// How a finished rclone run is to be treated.
enum class RcloneFailure {
  none,          ///< success (rc 0, or 9 "nothing to transfer")
  temporary,     ///< network trouble, stale lock, "Please try again": retry with backoff
  needs_resync,  ///< bisync lost its listings ("Must run --resync")
  refused,       ///< a safety abort (bisync too many deletes, --max-delete reached)
  fatal,         ///< usage error, bad credentials, anything retrying will not fix soon
  killed,        ///< ended by a signal (we stopped it)
  deferred,      ///< not run: another daemon has the turn on the same remote path
};

/// Facts gathered while reading a run's output, for classification.
struct RcloneRunFacts {
  int exit_code = 0;
  int term_signal = 0;
  bool must_resync = false;    ///< "Must run --resync"
  bool try_again = false;      ///< "Please try again" / "prior lock file found"
  bool network_error = false;  ///< connection refused/reset, timeouts, DNS
  bool safety_abort = false;   ///< "Safety abort" / "--max-delete threshold reached"
  bool usage_error = false;    ///< "unknown flag", "unknown command", argument count
  bool auth_error = false;     ///< InvalidAccessKeyId, SignatureDoesNotMatch, 403
  std::string last_error;      ///< the last error-level message (for health and logs)
};

/// Fold one line of output into the facts.
void observe_rclone_line(RcloneRunFacts& facts, const RcloneLine& line);

/// Classify a finished run (rc + what it printed).
RcloneFailure classify_rclone_run(const RcloneRunFacts& facts);

/// Human name of a failure class ("temporary", "needs-resync", …).
const char* to_string(RcloneFailure failure);

}  // namespace coltec
