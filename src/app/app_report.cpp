// What --once and --dry-run print for a person (tables) or a script (JSON lines), and the
// health.json written after every run.

#include "app_report.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <coltec/rclone_twoway.hpp>
#include <coltec/state.hpp>
#include <coltec/text.hpp>

namespace coltec {
namespace {

bool json_out(const Options& o) {
  return o.log_format == LogFormat::json;
}

// Prints rows as aligned columns; the first row is the header.
void print_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], width[i]);
    }
    out << line << "\n";
  }
}

std::int64_t unix_seconds(TimePoint tp) {
  const auto age = Clock::now() - tp;
  const auto wall = std::chrono::system_clock::now() -
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(age);
  return std::chrono::duration_cast<std::chrono::seconds>(wall.time_since_epoch()).count();
}

std::optional<std::int64_t> unix_seconds(const std::optional<TimePoint>& tp) {
  if (!tp) return std::nullopt;
  return unix_seconds(*tp);
}

std::string result_name(const ActionStatus& s) {
  if (s.running) return "running";
  if (!s.last_outcome) return "never";
  switch (*s.last_outcome) {
    case Outcome::ok:
      return s.last_report.notes.held_back.count > 0 ? "held-back" : "ok";
    case Outcome::refused:
      return "refused";
    case Outcome::needs_resync:
      return "needs-resync";
    case Outcome::cancelled:
      return "cancelled";
    case Outcome::deferred:
      return "waiting";  // another daemon has the turn on the remote path
    case Outcome::temporary_failure:
    case Outcome::failure:
      break;
  }
  return "failed";
}

// What a person should read about the last run: its error, else the held-back deletions,
// else its warnings.
std::string last_words(const ActionStatus& s) {
  if (!s.last_error.empty()) return s.last_error;
  const auto& notes = s.last_report.notes;
  if (notes.held_back.count > 0) return notes.held_back.reason;
  return notes.warnings.empty() ? "" : "warning: " + notes.warnings.front();
}

}  // namespace

void print_plan(const Plan& plan, std::ostream& out, const Options& o) {
  if (json_out(o)) {
    for (const auto& a : plan.actions) {
      out << nlohmann::json{{"plan", a.name},
                            {"direction", to_string(a.direction)},
                            {"local", a.local_path},
                            {"remote", a.remote_spec()},
                            {"interval_s", a.interval.count()},
                            {"priority", a.priority},
                            {"remote_type", a.remote_type},
                            {"reason", a.reason}}
                 .dump()
          << "\n";
    }
    return;
  }
  out << "Plan for workspace '" << plan.workspace << "' (" << plan.actions.size()
      << (plan.actions.size() == 1 ? " action" : " actions") << "):\n\n";
  std::vector<std::vector<std::string>> rows{
      {"NAME", "DIRECTION", "LOCAL", "REMOTE", "INTERVAL", "PRIORITY", "TYPE"}};
  for (const auto& a : plan.actions) {
    rows.push_back({a.name, to_string(a.direction), a.local_path, a.remote_spec(),
                    fmt::format("{}s", a.interval.count()), std::to_string(a.priority),
                    a.remote_type});
  }
  print_table(rows, out);
  out << "\n";
}

void print_commands(const Plan& plan, const Prepared& p, const EnvMap& env, std::ostream& out,
                    const Options& o) {
  if (!json_out(o)) {
    out << "rclone commands (secrets redacted; " << p.config_path
        << " is the daemon's rclone config, held in memory and handed to each rclone it "
           "starts, never written to a file):\n\n";
  }
  for (const auto& a : plan.actions) {
    RunContext ctx;
    ctx.caps = p.caps;
    ctx.config_path = p.config_path;
    ctx.dry_run = true;
    ctx.secrets = p.secrets;
    if (a.direction == Direction::bidirectional) {
      // The two-way engine's commands depend on what the listings find; these come first.
      const auto remote =
          build_tree_listing(a.remote_spec(), remote_listing_flags(a), a.exclude, ctx, env);
      const auto local = build_tree_listing(a.local_path, ListingFlags{}, a.exclude, ctx, env);
      if (json_out(o)) {
        out << nlohmann::json{{"action", a.name},
                              {"command", remote.redacted},
                              {"local_command", local.redacted}}
                   .dump()
            << "\n";
      } else {
        out << "  " << a.name << " (two-way: both sides are listed, then what changed is copied "
            << "each way):\n    " << remote.redacted << "\n    " << local.redacted << "\n";
      }
      continue;
    }
    const auto inv = build_invocation(a, ctx, env);
    if (json_out(o)) {
      out << nlohmann::json{{"action", a.name}, {"command", inv.redacted}}.dump() << "\n";
    } else {
      out << "  " << a.name << ":\n    " << inv.redacted << "\n";
    }
  }
  if (!json_out(o)) out << "\nRunning each command with --dry-run:\n" << std::flush;
}

void print_dry_run_footer(std::ostream& out, const Options& o) {
  if (json_out(o)) {
    out << nlohmann::json{{"dry_run", true}, {"changed", false}}.dump() << "\n";
  } else {
    out << "\nDry run: nothing was changed (no file was copied, deleted or restored, and no "
           "sync state was recorded).\n";
  }
}

void print_summary(const Scheduler& scheduler, const Options& o, std::ostream& out) {
  const auto snap = scheduler.snapshot();
  if (json_out(o)) {
    for (const auto& s : snap) {
      const auto& notes = s.last_report.notes;
      out << nlohmann::json{{"action", s.name},
                            {"result", result_name(s)},
                            {"duration_ms", s.last_report.duration.count()},
                            {"files", s.last_report.files},
                            {"bytes", s.last_report.bytes},
                            {"error", s.last_error},
                            {"held_back_deletes", notes.held_back.count},
                            {"held_back_files", notes.held_back.files},
                            {"warnings", notes.warnings}}
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
    }
    return;
  }
  std::vector<std::vector<std::string>> rows{
      {"ACTION", "RESULT", "DURATION", "FILES", "BYTES", "ERROR"}};
  for (const auto& s : snap) {
    rows.push_back(
        {s.name, result_name(s),
         fmt::format("{:.1f}s", static_cast<double>(s.last_report.duration.count()) / 1000.0),
         std::to_string(s.last_report.files), human_bytes(s.last_report.bytes),
         last_words(s).substr(0, 120)});
  }
  out << "\n";
  print_table(rows, out);
}

ExitCode exit_code_for(const Scheduler& scheduler) {
  bool refused = false;
  bool resync = false;
  bool failed = false;
  for (const auto& s : scheduler.snapshot()) {
    if (!s.last_outcome) {
      failed = true;
      continue;
    }
    // Held-back deletions are a guard's refusal too, although the rest was copied.
    refused |= *s.last_outcome == Outcome::refused || s.last_report.notes.held_back.count > 0;
    resync |= *s.last_outcome == Outcome::needs_resync;
    failed |= *s.last_outcome == Outcome::failure ||
              *s.last_outcome == Outcome::temporary_failure ||
              *s.last_outcome == Outcome::cancelled || *s.last_outcome == Outcome::deferred;
  }
  if (refused) return ExitCode::safety_refused;
  if (resync) return ExitCode::needs_resync;
  return failed ? ExitCode::runtime_error : ExitCode::ok;
}

void report_unflushed(const Scheduler& scheduler, Logger& log) {
  for (const auto& s : scheduler.snapshot()) {
    if (s.pending_changes && scheduler.stopping()) {
      log.warn("local changes could not be flushed before exit", {{"action", s.name}});
    }
  }
}

Health health_from(const Plan& plan, const Scheduler& scheduler) {
  Health h;
  h.workspace = plan.workspace;
  h.pid = static_cast<int>(getpid());
  h.healthy = true;
  for (const auto& s : scheduler.snapshot()) {
    ActionHealth a;
    a.name = s.name;
    a.direction = to_string(s.direction);
    a.last_result = result_name(s);
    a.last_error = s.last_error;
    a.last_success = unix_seconds(s.last_success);
    a.last_attempt = unix_seconds(s.last_attempt);
    a.next_run = unix_seconds(s.next_run);
    a.consecutive_failures = s.consecutive_failures;
    a.files = s.last_report.files;
    a.bytes = s.last_report.bytes;
    a.pending_changes = s.pending_changes ? 1 : 0;
    a.needs_attention = s.needs_attention;
    a.conflicts = s.last_report.conflicts;
    a.held_back_deletes = s.last_report.notes.held_back.count;
    a.held_back_files = s.last_report.notes.held_back.files;
    a.warnings = s.last_report.notes.warnings;
    // Tools written for the earlier daemon read last_error: held-back deletions show there.
    if (a.last_error.empty()) a.last_error = s.last_report.notes.held_back.reason;
    const bool ok = !s.unhealthy && !s.needs_attention && s.consecutive_failures == 0;
    h.healthy = h.healthy && ok;
    if (a.last_success && (!h.last_success || *a.last_success > *h.last_success)) {
      h.last_success = a.last_success;
    }
    if (a.last_attempt && (!h.last_attempt || *a.last_attempt > *h.last_attempt)) {
      h.last_attempt = a.last_attempt;
    }
    h.consecutive_failures = std::max(h.consecutive_failures, a.consecutive_failures);
    if (!a.last_error.empty()) h.last_error = a.name + ": " + a.last_error;
    h.actions.push_back(std::move(a));
  }
  return h;
}

void write_health_file(const std::string& state_dir, const Plan& plan, const Scheduler& scheduler,
                       Logger& log) {
  const auto written = write_health(health_file(state_dir), health_from(plan, scheduler));
  if (!written) log.warn("cannot write health.json", {{"error", written.error().message}});
}

}  // namespace coltec
