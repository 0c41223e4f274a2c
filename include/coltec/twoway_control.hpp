#pragma once
// The control folder `<remote path>/.coltec-sync/` that daemons syncing one remote path share
// (pure model; the executor lists and writes it with rclone):
//   gen-<id>                   the generation: replaced by every run that changed the remote,
//                              so one listing (2 requests on S3) tells an idle daemon whether
//                              anything changed since its last run, whatever the tree's size
//   lease-<expiry>-<owner>     a claim: the daemon whose valid claim sorts first may change the
//                              remote; the others wait. Expiry is Unix seconds, zero-padded,
//                              so an earlier claim sorts first.
// S3 offers no compare-and-swap through rclone 1.60, so two claims made at nearly the same
// time can both believe they won (clock skew between containers is the window). The engine
// stays safe then: every overwritten or deleted remote file goes to the trash first, and the
// baseline records only what was verified.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <coltec/rclone_listing.hpp>
#include <coltec/rclone_twoway.hpp>

namespace coltec {

/// How long a claim is valid: a daemon that died mid-run blocks the others at most this long.
inline constexpr std::int64_t k_claim_seconds = std::int64_t{15} * 60;

/// One claim file.
struct Claim {
  std::int64_t expiry = 0;  ///< Unix seconds
  std::string owner;
  std::string name;  ///< the file name
  bool operator==(const Claim&) const = default;
};

/// What the control folder holds.
struct ControlState {
  std::vector<std::string> generations;  ///< gen-* names, sorted
  std::vector<Claim> claims;             ///< sorted by name
  bool operator==(const ControlState&) const = default;
};

/// Read a listing of the control folder (other names are ignored).
ControlState parse_control(const std::vector<ListedEntry>& entries);

/// The generation as one comparable string ("" when the folder holds none yet).
std::string generation_of(const ControlState& state);

/// "gen-<id>"; `id` is a fresh random hex string from the caller.
std::string generation_name(const std::string& id);

/// "lease-<expiry, 12 digits>-<owner>".
std::string claim_name(std::int64_t expiry, const std::string& owner);

/// Whose turn it is, seen from `owner` at `now` (Unix seconds).
enum class Turn {
  free,   ///< no valid claim at all
  mine,   ///< our valid claim sorts first
  other,  ///< someone else's valid claim sorts first
};
Turn whose_turn(const ControlState& state, const std::string& owner, std::int64_t now);

/// Whose turn it is once `owner` has written its claim and listed the folder again: ours
/// only when no one else's valid claim is there at all, whatever the order of the names.
/// Claims name their time in seconds and a write takes a while to land, so another claim
/// that sorts first may have appeared only after its owner's own check saw none and it went
/// ahead; yielding to every other claim is what keeps two runs from changing the remote at
/// once. When both yield, both release and retry after a jittered delay.
Turn turn_after_claiming(const ControlState& state, const std::string& owner, std::int64_t now);

/// The first valid claim of someone other than `owner` (for "waiting for …" messages).
std::optional<Claim> first_other_claim(const ControlState& state, const std::string& owner,
                                       std::int64_t now);

/// Names of our own claims (any expiry) and of the given old generations: what a run
/// removes when it ends.
std::vector<std::string> release_names(const ControlState& state, const std::string& owner,
                                       const std::vector<std::string>& old_generations);

}  // namespace coltec
