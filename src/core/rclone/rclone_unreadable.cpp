// Unreadable paths in rclone's log, and the rules that leave them out of the next round.

#include <coltec/rclone_unreadable.hpp>

namespace coltec {
namespace {

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// Go's texts for EACCES and EPERM; S3's refusals read "AccessDenied" and are not ours to skip.
bool denied(std::string_view msg) {
  return contains(msg, "permission denied") || contains(msg, "operation not permitted");
}

}  // namespace

std::optional<UnreadablePath> parse_unreadable(const RcloneLine& line) {
  const std::string_view msg = line.msg;
  if (!line.json || line.level != "error" || line.object.empty() || !denied(msg)) {
    return std::nullopt;
  }
  auto object = line.object;
  // A trailing '/' or a leading one would make the rule name another path.
  while (!object.empty() && object.back() == '/') object.pop_back();
  if (object.empty() || object.front() == '/') return std::nullopt;
  if (contains(msg, "failed to open directory")) return UnreadablePath{std::move(object), true};
  // "failed to open source object" (a copy) and "hash: failed to open" (a checksum).
  if (contains(msg, "failed to open")) return UnreadablePath{std::move(object), false};
  return std::nullopt;
}

std::string escape_glob(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\\':
      case '*':
      case '?':
      case '[':
      case ']':
      case '{':
      case '}':
        out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

std::string exclude_rule(const UnreadablePath& p) {
  return "/" + escape_glob(p.path) + (p.is_dir ? "/**" : "");
}

bool retry_without_unreadable(RcloneFailure failure, std::size_t new_paths, int rounds_done) {
  const bool failed = failure == RcloneFailure::fatal || failure == RcloneFailure::temporary;
  return failed && new_paths > 0 && rounds_done < k_max_unreadable_rounds;
}

std::string unreadable_warning(const UnreadablePath& p) {
  return std::string(p.is_dir ? "cannot read the folder " : "cannot read the file ") + p.path +
         " (permission denied); skipped, and its copy on the other side is kept" +
         (p.is_dir ? " (nothing under it is deleted)" : "");
}

}  // namespace coltec
