#pragma once
// What a finished run wants a person to know beyond its outcome. Plain values shared by the
// executor (which fills them), the scheduler (which keeps the last run's), and app (the
// log, --once summary, health.json and `status`). Header-only; no module of its own.
//
// Two kinds, kept apart because they ask different things of a person:
//   held-back deletions  a delete guard refused some deletions while the run still copied
//                        everything new and changed; someone must decide (needs attention)
//   warnings             worth knowing, nothing is at risk (e.g. a pull-only remote that
//                        holds nothing yet); the action stays healthy
// Any direction may report either; bidirectional runs do not yet.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace coltec {

/// Deletions a delete guard (the delete cap) did not make, although the run went on.
struct HeldBackDeletes {
  std::uint64_t count = 0;  ///< files left in place that the sync would have deleted
  std::vector<std::string>
      files;           ///< the first of them (at most k_max_named), as rclone names them
  std::string reason;  ///< one sentence: what was held back, why, how to apply it
  /// Most names carried (log, health.json, status); `count` is always the full number.
  static constexpr std::size_t k_max_named = 10;
  bool operator==(const HeldBackDeletes&) const = default;
};

/// Notes of one run. Empty for a run with nothing to add.
struct RunNotes {
  HeldBackDeletes held_back;          ///< count 0: nothing was held back
  std::vector<std::string> warnings;  ///< one sentence each; nothing to act on for safety
  /// Whether a person must decide something (held-back deletions wait for them).
  bool needs_attention() const { return held_back.count > 0; }
  bool operator==(const RunNotes&) const = default;
};

}  // namespace coltec
