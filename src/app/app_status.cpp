// `coltec-daemon status`: what was synced when, what is failing and why, and what needs a
// human, read from the state directory (health.json and the lock) without touching it.
// Exit 0 when a daemon runs and every action is healthy, 6 otherwise (a Docker
// HEALTHCHECK or supervisord check can use it as it is).

#include <ctime>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <coltec/state.hpp>

#include "app_modes.hpp"
#include "app_setup.hpp"

namespace coltec {
namespace {

std::string ago(std::optional<std::int64_t> t, std::int64_t now, bool future) {
  if (!t) return "-";
  const auto d = future ? *t - now : now - *t;
  if (d < 0) return future ? "due" : "just now";
  const auto text = d < 120      ? fmt::format("{}s", d)
                    : d < 7200   ? fmt::format("{}m", d / 60)
                    : d < 172800 ? fmt::format("{}h", d / 3600)
                                 : fmt::format("{}d", d / 86400);
  return future ? "in " + text : text + " ago";
}

struct StatusView {
  std::string workspace;
  std::string state_dir;
  std::optional<int> daemon_pid;
  std::optional<Health> health;
  std::string health_error;
  std::vector<std::string> attention;
  /// Shown under "needs attention" too, but they do not make the workspace unhealthy: a
  /// conflict copy needs a person to choose, not a restart.
  std::vector<std::string> conflicts;
  std::vector<std::string> warnings;  ///< worth knowing; the workspace stays healthy
  bool healthy = false;
};

// Without a daemon nothing keeps the folders in sync, so status is never healthy; after
// --once or --demo that is the expected answer, and the hint says how to start one.
void judge(StatusView& v, const Plan& plan, const std::string& start_command) {
  if (!v.daemon_pid) {
    v.attention.push_back(
        "no coltec-daemon is running for this workspace, so nothing keeps it in sync (expected "
        "after --once or --demo); start one with: " +
        start_command);
  }
  if (!v.health) {
    v.attention.push_back(v.health_error.empty() ? "no sync has run yet (no health.json)"
                                                 : v.health_error);
  } else {
    for (const auto& a : v.health->actions) {
      if (a.needs_attention) v.attention.push_back(a.name + ": " + a.last_error);
      for (const auto& c : a.conflicts) {
        v.conflicts.push_back(a.name +
                              ": conflict: both sides changed a file; the other "
                              "version is " +
                              c + " (keep one, delete the other)");
      }
      for (const auto& w : a.warnings) v.warnings.push_back(a.name + ": " + w);
    }
    for (const auto& a : plan.actions) {
      const bool known = std::any_of(v.health->actions.begin(), v.health->actions.end(),
                                     [&](const ActionHealth& h) { return h.name == a.name; });
      if (!known) v.attention.push_back(a.name + ": never ran");
    }
  }
  v.healthy = v.daemon_pid.has_value() && v.health && v.health->healthy && v.attention.empty();
}

void print_text(const StatusView& v, std::int64_t now) {
  std::cout << "workspace: " << v.workspace << "\nstate:     " << v.state_dir << "\ndaemon:    "
            << (v.daemon_pid ? fmt::format("running (pid {})", *v.daemon_pid) : "not running")
            << "\nhealth:    "
            << (v.healthy      ? "healthy"
                : v.daemon_pid ? "UNHEALTHY"
                               : "UNHEALTHY (no daemon is running: see below)")
            << "\n\n";
  if (v.health) {
    std::cout << fmt::format("{:<18} {:<14} {:<13} {:<13} {:<10} {:<5} {:<7} {}\n", "ACTION",
                             "DIRECTION", "LAST RESULT", "LAST SUCCESS", "NEXT RUN", "FAILS",
                             "PENDING", "LAST ERROR");
    for (const auto& a : v.health->actions) {
      auto row = fmt::format(
          "{:<18} {:<14} {:<13} {:<13} {:<10} {:<5} {:<7} {}", a.name, a.direction, a.last_result,
          ago(a.last_success, now, false), v.daemon_pid ? ago(a.next_run, now, true) : "-",
          a.consecutive_failures, a.pending_changes > 0 ? "yes" : "no", a.last_error.substr(0, 80));
      row.erase(row.find_last_not_of(' ') + 1);  // no trailing blanks when there is no error
      std::cout << row << "\n";
    }
  }
  if (!v.attention.empty() || !v.conflicts.empty()) {
    std::cout << "\nneeds attention:\n";
    for (const auto& line : v.attention) std::cout << "  - " << line << "\n";
    for (const auto& line : v.conflicts) std::cout << "  - " << line << "\n";
  }
  if (!v.warnings.empty()) {
    std::cout << "\nwarnings:\n";
    for (const auto& line : v.warnings) std::cout << "  - " << line << "\n";
  }
}

void print_json(const StatusView& v) {
  nlohmann::json j{{"workspace", v.workspace},
                   {"state_dir", v.state_dir},
                   {"daemon_running", v.daemon_pid.has_value()},
                   {"healthy", v.healthy},
                   {"attention", v.attention},
                   {"conflicts", v.conflicts},
                   {"warnings", v.warnings}};
  if (v.daemon_pid) j["pid"] = *v.daemon_pid;
  if (v.health) j["health"] = to_json(*v.health);
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

ExitCode run_status(const Options& options, Logger& log) {
  auto env = current_environment();
  SetupFailure failure;
  const auto planned = load_and_plan(options, env, log, &failure);
  if (!planned) {
    log.error(failure.message);
    return failure.code;
  }
  if (options.state_dir) env["COLTEC_STATE_DIR"] = *options.state_dir;
  const auto dir = state_dir_for(planned->plan.workspace, env);
  if (!dir) {
    log.error(dir.error().message);
    return ExitCode::runtime_error;
  }
  StatusView v;
  v.workspace = planned->plan.workspace;
  v.state_dir = *dir;
  v.daemon_pid = lock_holder(lock_file(*dir));
  auto health = read_health(health_file(*dir));
  if (health) {
    v.health = std::move(health).value();
  } else if (std::filesystem::exists(health_file(*dir))) {
    v.health_error = health.error().message;
  }
  std::vector<std::string> start{self_command(env), "-c", options.config};
  if (options.state_dir) start.insert(start.end(), {"--state-dir", *options.state_dir});
  judge(v, planned->plan, shell_join(start));
  if (options.log_format == LogFormat::json) {
    print_json(v);
  } else {
    print_text(v, static_cast<std::int64_t>(std::time(nullptr)));
  }
  return v.healthy ? ExitCode::ok : ExitCode::unhealthy;
}

}  // namespace coltec
