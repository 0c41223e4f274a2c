#include <algorithm>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <coltec/planner.hpp>

#include "planner_internal.hpp"

namespace coltec {
namespace {

constexpr std::uint32_t k_builtin_transfers = 8;
constexpr std::uint32_t k_builtin_checkers = 16;

// One entry of sync[] or environment[], before the remote is resolved.
struct Candidate {
  std::string name;
  std::string origin;  // "persistence.sync[0]", for messages
  std::string local_path;
  std::string remote_path;
  std::optional<std::string> remote;
  Direction direction = Direction::bidirectional;
  std::uint64_t interval = 300;
  std::uint32_t priority = 2;
  std::vector<std::string> exclude;
  std::optional<std::uint32_t> transfers;
  std::optional<std::uint32_t> checkers;
  std::optional<std::string> bwlimit;
  bool read_only = false;
};

std::vector<Candidate> candidates(const Persistence& p) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < p.sync.size(); ++i) {
    const auto& s = p.sync[i];
    out.push_back(Candidate{s.name, "persistence.sync[" + std::to_string(i) + "]", s.path,
                            s.remote_path, s.remote, s.direction, s.interval, s.priority, s.exclude,
                            s.transfers, s.checkers, s.bwlimit, false});
  }
  if (!p.multi_scope_volumes) return out;
  const auto& volumes = p.multi_scope_volumes->environment;
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const auto& v = volumes[i];
    out.push_back(
        Candidate{v.name, "persistence.multi_scope_volumes.environment[" + std::to_string(i) + "]",
                  v.mount_path, v.remote_path, std::nullopt, v.sync, v.interval, v.priority,
                  v.exclude, std::nullopt, std::nullopt, std::nullopt, v.read_only});
  }
  return out;
}

std::optional<std::string> skip_reason(const Persistence& p) {
  if (!p.enabled) return "persistence is disabled in the spec (persistence.enabled: false)";
  if (p.mode == PersistenceMode::mounted) {
    return "persistence is disabled in the spec for syncing (persistence.mode: mounted, "
           "nothing is replicated)";
  }
  const bool no_volumes = !p.multi_scope_volumes || p.multi_scope_volumes->environment.empty();
  if (p.sync.empty() && no_volumes) {
    return "persistence is disabled in the spec for syncing (no persistence.sync or "
           "multi_scope_volumes.environment entries)";
  }
  return std::nullopt;
}

Status check_only(const std::vector<Candidate>& all, const std::vector<std::string>& only) {
  for (const auto& wanted : only) {
    const bool known =
        std::any_of(all.begin(), all.end(), [&](const Candidate& c) { return c.name == wanted; });
    if (known) continue;
    std::string message = "--only names unknown action '" + wanted + "'; valid names: ";
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i > 0) message += ", ";
      message += all[i].name;
    }
    return make_error(message);
  }
  return Unit{};
}

template <typename T>
T cascade(const std::optional<T>& own, const std::optional<T>& fallback, T builtin,
          const char* label, std::string& why) {
  const auto show = [](const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      return v;
    } else {
      return std::to_string(v);
    }
  };
  const char* from = own ? "path" : fallback ? "persistence.defaults" : "built-in";
  T value = own ? *own : fallback ? *fallback : builtin;
  why += std::string(", ") + label + " " + show(value) + " (" + from + ")";
  return value;
}

void apply_settings(const Candidate& c, const SyncDefaults& d, Action& a) {
  a.transfers = cascade(c.transfers, d.transfers, k_builtin_transfers, "transfers", a.reason);
  a.checkers = cascade(c.checkers, d.checkers, k_builtin_checkers, "checkers", a.reason);
  if (c.bwlimit || d.bwlimit) {
    a.bwlimit = cascade(c.bwlimit, d.bwlimit, std::string{}, "bwlimit", a.reason);
  } else {
    a.reason += ", no bwlimit";
  }
}

void apply_interval(const Candidate& c, const PlanOptions& options, Action& a) {
  const std::uint64_t raw = options.interval_override.value_or(c.interval);
  constexpr auto k_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  a.interval = std::chrono::seconds(static_cast<std::int64_t>(std::min(raw, k_max)));
  a.reason += ", interval " + std::to_string(raw) + "s (" +
              (options.interval_override ? "--interval" : "spec") + ")";
}

void apply_direction(const Candidate& c, Action& a) {
  a.direction = c.direction;
  a.read_only = c.read_only;
  if (c.read_only && c.direction != Direction::pull_only) {
    a.direction = Direction::pull_only;
    a.reason += std::string(", pull-only because the volume is read_only (spec said ") +
                to_string(c.direction) + "; a read-only volume never pushes)";
  } else {
    a.reason += std::string(", ") + to_string(a.direction);
  }
}

Result<std::string> normalized_local(const Candidate& c) {
  std::string path = c.local_path;
  if (path.empty() || path.front() != '/') {
    return make_error(c.origin + " '" + c.name + "': local path \"" + path + "\" must be absolute");
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// A sync root that the devcontainer mounts (a volume or bind mount in the spec) must be a
// mount point when it syncs: an unmounted volume looks like an empty folder.
void apply_mount_expectation(const Spec& spec, Action& a) {
  const auto is_root = [&](const MountSpec& m) {
    std::string target = m.target;
    while (target.size() > 1 && target.back() == '/') target.pop_back();
    return target == a.local_path && (m.type == MountType::volume || m.type == MountType::bind);
  };
  const auto& dm = spec.devcontainer.mounts;
  a.expect_mount = std::any_of(dm.begin(), dm.end(), is_root) ||
                   std::any_of(spec.mounts.begin(), spec.mounts.end(), is_root);
  if (a.expect_mount) a.reason += ", must be a mount point (a mount in the spec)";
}

Result<Action> make_action(const Spec& spec, const PlanOptions& options, const Candidate& c,
                           std::size_t index, std::vector<RemoteDef>& defs) {
  const std::string what = c.origin + " '" + c.name + "'";
  auto local = normalized_local(c);
  if (!local) return local.error();
  const auto path = resolve_placeholders(c.remote_path, spec.metadata);
  auto target = planner_detail::resolve_target(spec, options, c.remote, path, what);
  if (!target) return target.error();
  auto& t = target.value();
  Action a;
  a.name = c.name;
  a.declaration_index = index;
  a.local_path = local.value();
  a.remote_name = t.remote_name;
  a.remote_path = t.remote_path;
  a.remote_type = t.remote_type;
  a.backend_type = t.backend_type;
  a.priority = c.priority;
  a.exclude = c.exclude;
  a.reason =
      what + ": " + a.local_path + " <-> " + a.remote_spec() + " (remote from " + t.source + ")";
  apply_direction(c, a);
  apply_settings(c, spec.persistence.defaults.value_or(SyncDefaults{}), a);
  apply_interval(c, options, a);
  apply_mount_expectation(spec, a);
  for (auto& def : t.defs) defs.push_back(std::move(def));
  return a;
}

std::vector<RemoteDef> unique_by_name(std::vector<RemoteDef> defs) {
  std::stable_sort(defs.begin(), defs.end(),
                   [](const RemoteDef& x, const RemoteDef& y) { return x.name < y.name; });
  defs.erase(std::unique(defs.begin(), defs.end(),
                         [](const RemoteDef& x, const RemoteDef& y) { return x.name == y.name; }),
             defs.end());
  return defs;
}

}  // namespace

std::string resolve_placeholders(const std::string& text, const Metadata& metadata) {
  const std::pair<const char*, const std::string*> table[] = {
      {"{org}", &metadata.org}, {"{project}", &metadata.project}, {"{env}", &metadata.environment}};
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    for (const auto& [token, value] : table) {
      if (text.compare(i, std::char_traits<char>::length(token), token) == 0) {
        out += *value;
        i += std::char_traits<char>::length(token);
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

Result<Plan> build_plan(const Spec& spec, const PlanOptions& options) {
  Plan plan;
  plan.workspace = spec.name;
  plan.safety = spec.persistence.safety;
  if (auto why = skip_reason(spec.persistence)) {
    plan.enabled = false;
    plan.skip_reason = *why;
    return plan;
  }
  const auto all = candidates(spec.persistence);
  if (auto known = check_only(all, options.only); !known) return known.error();
  std::vector<RemoteDef> defs;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& c = all[i];
    const auto& only = options.only;
    if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
    auto action = make_action(spec, options, c, i, defs);
    if (!action) return action.error();
    plan.actions.push_back(std::move(action).value());
  }
  std::sort(plan.actions.begin(), plan.actions.end(), [](const Action& x, const Action& y) {
    return std::tie(x.priority, x.declaration_index) < std::tie(y.priority, y.declaration_index);
  });
  plan.remotes = unique_by_name(std::move(defs));
  return plan;
}

}  // namespace coltec
