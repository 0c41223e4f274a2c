// What a run reports when the delete cap held its deletions back: the count, the first
// names and the sentence a person acts on (log, health.json, `status`).

#include <string_view>

#include <coltec/safety.hpp>

namespace coltec {
namespace {

constexpr std::size_t k_max_name_bytes = 256;
constexpr std::size_t k_names_in_sentence = 3;

// Names come from the file system or the remote, so they may hold terminal controls (ESC,
// CSI…) that `status` would otherwise print as commands; those become '?'. Long names
// are cut so health.json stays small.
std::string shown_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size() && out.size() < k_max_name_bytes; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool c1 = c == 0xC2 && i + 1 < name.size() &&
                    static_cast<unsigned char>(name[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(name[i + 1]) < 0xA0;
    if (c1) {
      out += '?';
      ++i;
    } else {
      out += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
    }
  }
  return out;
}

std::string files_text(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " file" : " files");
}

std::string examples(const std::vector<std::string>& names, std::uint64_t count) {
  if (names.empty()) return "";
  std::string out = " (";
  for (std::size_t i = 0; i < names.size() && i < k_names_in_sentence; ++i) {
    out += (i > 0 ? ", " : "") + names[i];
  }
  return out + (count > k_names_in_sentence ? ", …)" : ")");
}

}  // namespace

HeldBackDeletes held_back_deletes(const DryRunTally& tally, const Action& action,
                                  std::uint32_t max_percent, bool trash) {
  HeldBackDeletes h;
  const auto plan = tally.plan();
  h.count = plan.deletes;
  for (const auto& name : tally.delete_objects) {
    if (h.files.size() == HeldBackDeletes::k_max_named) break;
    h.files.push_back(shown_name(name));
  }
  const bool push = action.direction == Direction::push_only;
  const std::string what = push ? "the local folder no longer has " + std::to_string(h.count) +
                                      " of the remote's " + files_text(plan.dest_files)
                                : "the remote no longer has " + std::to_string(h.count) +
                                      " of the local folder's " + files_text(plan.dest_files);
  h.reason = std::to_string(h.count) + (h.count == 1 ? " deletion" : " deletions") +
             " held back: " + what + examples(h.files, h.count) + ", more than the " +
             std::to_string(max_percent) + "% delete cap allows. New and changed files were " +
             (push ? "uploaded; the remote keeps these." : "pulled; the local copies stay.") +
             " If they were deleted on purpose, run `coltec-daemon --once --force-deletes --only " +
             action.name + "` while no daemon runs" +
             (push && trash ? " (what it deletes goes to the trash)" : "") +
             ", or raise persistence.safety.max_delete_percent";
  return h;
}

}  // namespace coltec
