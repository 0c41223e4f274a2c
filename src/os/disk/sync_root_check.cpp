// The runtime half of the sync-root rules: the spec's paths were checked as text when the
// spec loaded; here the same rules see them as the disk resolves them, so a symlink to /
// (or into /etc, or onto the state directory) is refused before rclone follows it.

#include <filesystem>
#include <string>
#include <system_error>

#include <coltec/local_tree.hpp>
#include <coltec/sync_roots.hpp>

namespace coltec {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> check(const char* label, const std::string& path,
                                 const std::string& state_dir) {
  const std::string real = resolved_path(path);
  const auto why = sync_root_refusal(real, state_dir);
  if (!why) return std::nullopt;
  const bool linked = real != normalize_path(path);
  return std::string("refusing to sync: the ") + label + " " + path +
         (linked ? " (" + real + " once symlinks are followed)" : std::string()) + " " + *why;
}

}  // namespace

std::string resolved_path(const std::string& path) {
  std::error_code ec;
  auto real = fs::weakly_canonical(path, ec);
  if (ec) return normalize_path(path);
  return normalize_path(real.string());
}

std::optional<std::string> sync_root_problem(const Action& action, const std::string& state_dir) {
  if (auto local = check("local folder", action.local_path, state_dir)) return local;
  // A local remote's folder is a folder on this machine too (for crypt over local the
  // remote path is the crypt's, not a path of ours).
  if (action.remote_type == "local" && !action.remote_path.empty() &&
      action.remote_path.front() == '/') {
    return check("remote folder", action.remote_path, state_dir);
  }
  return std::nullopt;
}

}  // namespace coltec
