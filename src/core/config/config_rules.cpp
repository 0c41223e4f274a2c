// Semantic rules on the typed Spec: what the schema cannot say (relations between fields)
// and precise wording for what it can. Each issue names the field it is about.

#include <map>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

constexpr std::uint64_t k_min_interval = 10;
// One year, as for --interval: longer is no schedule at all (and overflows timers).
constexpr std::uint64_t k_max_interval = 31'536'000;
// rclone holds a buffer and a connection per transfer; 10^9 of them made it grow to
// 5.8 GiB in 30 s and copy nothing. R2 and S3 are saturated well below this.
constexpr std::uint32_t k_max_parallel_files = 64;

std::string sync_ptr(std::size_t i) {
  return child_pointer("/persistence/sync", i);
}
std::string volume_ptr(std::size_t i) {
  return child_pointer("/persistence/multi_scope_volumes/environment", i);
}

void check_replicated(const Spec& spec, std::vector<Issue>& out) {
  const auto& p = spec.persistence;
  if (!p.enabled || p.mode != PersistenceMode::replicated) return;
  const bool volumes = p.multi_scope_volumes && !p.multi_scope_volumes->environment.empty();
  if (!p.sync.empty() || volumes) return;
  out.push_back(Issue{"/persistence/mode",
                      "persistence is enabled in replicated mode but there is nothing to "
                      "replicate: add an entry to persistence.sync or "
                      "persistence.multi_scope_volumes.environment, or set mode: mounted"});
}

void check_interval(std::uint64_t interval, const std::string& item, std::vector<Issue>& out) {
  if (interval >= k_min_interval && interval <= k_max_interval) return;
  const bool low = interval < k_min_interval;
  out.push_back(Issue{child_pointer(item, "interval"),
                      "interval is " + std::to_string(interval) + " s; the " +
                          (low ? "minimum is " + std::to_string(k_min_interval)
                               : "maximum is " + std::to_string(k_max_interval)) +
                          " s"});
}

// transfers and checkers, where a sync path or persistence.defaults sets them.
void check_parallel_files(const std::optional<std::uint32_t>& transfers,
                          const std::optional<std::uint32_t>& checkers, const std::string& item,
                          std::vector<Issue>& out) {
  for (const auto& [key, value] : {std::pair{"transfers", transfers}, {"checkers", checkers}}) {
    if (!value || *value <= k_max_parallel_files) continue;
    out.push_back(Issue{child_pointer(item, key),
                        std::string(key) + " is " + std::to_string(*value) + "; the maximum is " +
                            std::to_string(k_max_parallel_files) +
                            " (each one costs rclone memory and a connection)"});
  }
}

void check_networking(const Spec& spec, std::vector<Issue>& out) {
  if (!spec.networking.enabled || !spec.networking.hostname_prefix.empty()) return;
  out.push_back(Issue{"/networking/hostname_prefix",
                      "networking is enabled but hostname_prefix is empty; set a prefix such "
                      "as 'dev-'"});
}

// Sync paths and environment volumes share one namespace: names key the state markers,
// the bisync work directories and `--only`.
void check_names(const Spec& spec, const nlohmann::json& root, std::vector<Issue>& out) {
  std::map<std::string, std::string> seen;  // name → first item's pointer
  const auto check = [&](const std::string& name, const std::string& item) {
    const std::string ptr = child_pointer(item, "name");
    if (find_node(root, ptr) == nullptr) return;  // missing: the schema says so
    if (!valid_action_name(name)) {
      out.push_back(Issue{ptr, "name" + (showable(name) ? " '" + name + "'" : std::string()) +
                                   " is not allowed: use letters, digits, '.', '_' and '-' only, "
                                   "not starting with '.' (names become file names)"});
      return;
    }
    const auto [it, inserted] = seen.emplace(name, item);
    if (inserted) return;
    const std::string shown = shown_name(name, true) ? " '" + name + "'" : std::string();
    out.push_back(Issue{ptr, "name" + shown + " is already used by " +
                                 display_path(root, it->second) +
                                 "; sync paths and environment volumes share one namespace, "
                                 "so every name must be unique"});
  };
  const auto& p = spec.persistence;
  for (std::size_t i = 0; i < p.sync.size(); ++i) check(p.sync[i].name, sync_ptr(i));
  if (!p.multi_scope_volumes) return;
  const auto& volumes = p.multi_scope_volumes->environment;
  for (std::size_t i = 0; i < volumes.size(); ++i) check(volumes[i].name, volume_ptr(i));
}

}  // namespace

std::vector<Issue> check_rules(const Spec& spec, const nlohmann::json& root) {
  std::vector<Issue> out;
  check_replicated(spec, out);
  const auto& p = spec.persistence;
  for (std::size_t i = 0; i < p.sync.size(); ++i) {
    check_interval(p.sync[i].interval, sync_ptr(i), out);
    check_parallel_files(p.sync[i].transfers, p.sync[i].checkers, sync_ptr(i), out);
  }
  if (p.defaults) {
    check_parallel_files(p.defaults->transfers, p.defaults->checkers, "/persistence/defaults", out);
  }
  if (p.multi_scope_volumes) {
    const auto& volumes = p.multi_scope_volumes->environment;
    for (std::size_t i = 0; i < volumes.size(); ++i) {
      check_interval(volumes[i].interval, volume_ptr(i), out);
    }
  }
  check_networking(spec, out);
  check_names(spec, root, out);
  check_path_rules(spec, root, out);
  check_remote_rules(spec, out);
  return out;
}

}  // namespace coltec::config_detail
