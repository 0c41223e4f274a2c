// The folders no sync may use, and why. Subtrees are the system's (configuration,
// programs, kernel and runtime interfaces); the folders refused only as themselves are
// the ones whose subfolders belong to people (/home/vscode, /var/log/app, /opt/tool).

#include <algorithm>
#include <array>
#include <vector>

#include <coltec/sync_roots.hpp>

namespace coltec {
namespace {

constexpr std::array<SystemFolder, 25> k_system_folders{{
    {"/bin", true},      {"/boot", true},       {"/dev", true},      {"/etc", true},
    {"/lib", true},      {"/lib32", true},      {"/lib64", true},    {"/libx32", true},
    {"/proc", true},     {"/run", true},        {"/sbin", true},     {"/sys", true},
    {"/usr", true},      {"/home", false},      {"/media", false},   {"/mnt", false},
    {"/opt", false},     {"/root", false},      {"/srv", false},     {"/tmp", false},
    {"/var", false},     {"/var/cache", false}, {"/var/lib", false}, {"/var/log", false},
    {"/var/tmp", false},
}};

// `inner` is `outer` or lies below it (both normalised).
bool within(std::string_view inner, std::string_view outer) {
  if (outer == "/") return true;
  return inner.starts_with(outer) && (inner.size() == outer.size() || inner[outer.size()] == '/');
}

}  // namespace

std::span<const SystemFolder> system_folders() {
  return k_system_folders;
}

std::string normalize_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::string(path);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = std::min(path.find('/', start), path.size());
    const auto part = path.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

std::optional<std::string> system_folder_refusal(std::string_view path) {
  const std::string p = normalize_path(path);
  if (p == "/") {
    return std::string(
        "resolves to /, the root of the file system: a push would upload every file on the "
        "machine and a pull could delete them");
  }
  for (const auto& folder : k_system_folders) {
    const bool hit = folder.subtree ? within(p, folder.path) : p == folder.path;
    if (!hit) continue;
    return std::string(p == folder.path ? "is" : "lies in") + " the system folder " +
           std::string(folder.path) +
           (folder.subtree ? ", which a sync must never overwrite or empty"
                           : ", which a sync must never overwrite or empty (a folder of your "
                             "own below it is fine)");
  }
  return std::nullopt;
}

std::optional<std::string> sync_root_refusal(std::string_view path, std::string_view state_dir) {
  if (auto system = system_folder_refusal(path)) return system;
  if (state_dir.empty()) return std::nullopt;
  const std::string p = normalize_path(path);
  const std::string state = normalize_path(state_dir);
  if (within(p, state)) {
    return std::string(p == state ? "is" : "lies in") + " the daemon's state directory " + state +
           ", which a sync would overwrite or empty";
  }
  if (within(state, p)) {
    return "holds the daemon's state directory " + state +
           ", which the sync would copy and could delete; sync a narrower folder, or keep the "
           "state elsewhere (COLTEC_STATE_DIR or --state-dir)";
  }
  return std::nullopt;
}

}  // namespace coltec
