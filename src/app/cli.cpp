#include <cmath>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <coltec/cli.hpp>
#include <coltec/version.hpp>

namespace coltec {
namespace {

std::string basename_of(const char* path) {
  std::string p = path != nullptr ? path : "";
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

// Values shared between both command-line dialects, filled by CLI11 callbacks. They start
// from Options' defaults, which are the only copy.
struct Scratch {
  explicit Scratch(const Options& d)
      : shutdown_grace_s(static_cast<double>(d.shutdown_grace.count()) / 1000.0),
        debounce_ms(d.debounce.count()),
        max_delay_ms(d.max_delay.count()),
        reconcile_s(d.reconcile_every.count()),
        log_format(d.log_format == LogFormat::json ? "json" : "text") {}
  double shutdown_grace_s;
  std::int64_t debounce_ms;
  std::int64_t max_delay_ms;
  std::int64_t reconcile_s;
  std::string log_format;
  bool once = false;
  bool validate_only = false;
  bool status = false;
  bool print_schema = false;
  bool demo = false;
  bool no_watch = false;
};

void add_logging_flags(CLI::App& app, Options& o, Scratch& s) {
  app.add_option("--log-format", s.log_format, "Log format: text or json")
      ->envname("COLTEC_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->envname("COLTEC_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "off"}));
  app.add_flag("--log-stderr", o.log_stderr,
               "Write logs to stderr instead of stdout (results stay on stdout)")
      ->envname("COLTEC_LOG_STDERR");
}

// When and how many runs: the scheduler's knobs and the shutdown grace.
void add_pacing_flags(CLI::App& app, Options& o, Scratch& s) {
  app.add_option("--max-parallel", o.max_parallel,
                 fmt::format("Actions running at once (default {})", o.max_parallel))
      ->envname("COLTEC_MAX_PARALLEL")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  app.add_option("--shutdown-grace", s.shutdown_grace_s,
                 fmt::format("Seconds running syncs get to finish after SIGTERM (default {}; fits "
                             "supervisord's 10 s stop wait)",
                             s.shutdown_grace_s))
      ->envname("COLTEC_SHUTDOWN_GRACE")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--debounce-ms", s.debounce_ms,
                 fmt::format("Quiet window after a local change ({})", s.debounce_ms))
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{600000}));
  app.add_option("--max-delay-ms", s.max_delay_ms,
                 fmt::format("Longest wait under continuous writes ({})", s.max_delay_ms))
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3600000}));
  app.add_option("--reconcile-every", s.reconcile_s,
                 fmt::format("Seconds between full push-only syncs without local changes ({})",
                             s.reconcile_s))
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{31536000}));
  app.add_flag("--no-watch", s.no_watch, "Do not watch local folders; poll on intervals only");
}

void add_daemon_flags(CLI::App& app, Options& o, Scratch& s) {
  app.add_option("-c,--config", o.config, "Path to workspace-spec.yaml")->envname("COLTEC_CONFIG");
  app.add_flag("--once", s.once, "Run every action once, print a summary and exit");
  app.add_flag("--dry-run", o.dry_run, "Show the plan and rclone's --dry-run; change nothing");
  app.add_flag("--validate-only", s.validate_only, "Validate the spec and exit (0 valid, 1 not)");
  app.add_flag("--status", s.status, "Print the workspace's sync status and exit");
  app.add_flag("--print-schema", s.print_schema, "Print the workspace-spec JSON Schema");
  app.add_flag("--demo", s.demo, "Run the built-in demo (local-folder remote, no account)");
  app.add_option("--demo-dir", o.demo_dir, "Folder for --demo (default: a new temp folder)");
  app.add_option("--interval", o.interval, "Override every path's interval (seconds, >= 10)")
      ->envname("COLTEC_INTERVAL")
      ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{31536000}));
  app.add_option("--only", o.only, "Sync only this path name (repeatable)");
  add_logging_flags(app, o, s);
  app.add_option("--log-file", o.log_file, "Also log to this file, rotated by size")
      ->envname("COLTEC_LOG_FILE");
  add_pacing_flags(app, o, s);
  app.add_option("--metrics-file", o.metrics_file, "Write Prometheus metrics to this file")
      ->envname("COLTEC_METRICS_FILE");
  app.add_option("--state-dir", o.state_dir, "Base of the state directory")
      ->envname("COLTEC_STATE_DIR");
  app.add_flag("--allow-empty-source", o.allow_empty_source,
               "Let a sync run from an empty or missing source (may empty the other side)");
  app.add_flag("--force-deletes", o.force_deletes, "Ignore the delete cap for this run");
}

void add_validator_flags(CLI::App& app, Options& o, Scratch& s) {
  app.add_option("-f,--file", o.config, "Spec file to validate")->envname("COLTEC_CONFIG");
  app.add_option("-s,--schema", o.schema_file, "Validate against this schema instead");
  app.add_flag("--schema-only", o.schema_only, "Only check the JSON Schema, not the rules");
  app.add_flag("--generate-schema", s.print_schema, "Print the JSON Schema and exit");
  add_logging_flags(app, o, s);
}

Mode choose_mode(const Scratch& s, bool status_subcommand) {
  if (s.print_schema) return Mode::print_schema;
  if (s.validate_only) return Mode::validate;
  if (s.status || status_subcommand) return Mode::status;
  if (s.demo) return Mode::demo;
  if (s.once) return Mode::once;
  return Mode::daemon;
}

void finish(Options& o, const Scratch& s, bool status_subcommand) {
  o.log_format = s.log_format == "json" ? LogFormat::json : LogFormat::text;
  o.shutdown_grace = seconds_to_ms(s.shutdown_grace_s);
  o.debounce = std::chrono::milliseconds(s.debounce_ms);
  o.max_delay = std::chrono::milliseconds(s.max_delay_ms);
  o.reconcile_every = std::chrono::seconds(s.reconcile_s);
  o.watch = !s.no_watch;
  o.mode = o.validator && !s.print_schema ? Mode::validate : choose_mode(s, status_subcommand);
}

}  // namespace

std::string help_footer() {
  return R"(Exit codes:
  0    success (valid spec, all syncs succeeded, healthy status, nothing to do)
  1    configuration error (YAML, schema, semantic rule, bad flag, unknown --only name)
  2    runtime error (rclone missing or failed, I/O error, state directory not writable)
  3    a data-safety guard refused a sync or held back its deletions (empty or
       missing source, delete cap); held-back runs still copied every new file
  4    another coltec-daemon holds this workspace's lock
  5    --once: a bisync lost its listings; the next run recovers it without losing data
  6    status: the workspace is unhealthy or needs attention
  130  stopped by SIGINT      143  stopped by SIGTERM

Environment (flags win over environment, environment over defaults):
  COLTEC_CONFIG COLTEC_INTERVAL COLTEC_LOG_FORMAT COLTEC_LOG_LEVEL COLTEC_LOG_FILE
  COLTEC_LOG_STDERR COLTEC_MAX_PARALLEL COLTEC_SHUTDOWN_GRACE COLTEC_METRICS_FILE
  COLTEC_STATE_DIR
  RCLONE_BUCKET (bucket of a legacy rclone_config remote, default coltec-workspaces)
  RCLONE_CONFIG_<REMOTE>_* (legacy rclone_config credentials)
  COLTEC_DISABLED, COLTEC_DAEMON_ARGS (read by docker/post-start.sh)

Logs go to stdout (--log-stderr: stderr); the --once summary, the --dry-run plan, status
and validation results go to stdout as documented.

Signals: SIGTERM/SIGINT stop (a second one stops at once), SIGHUP reloads the spec,
SIGUSR1 runs every action now.)";
}

ParseOutcome parse_command_line(int argc, const char* const* argv) {
  Options o;
  Scratch s(o);
  o.validator = argc > 0 && basename_of(argv[0]) == "coltec-validate";
  CLI::App app{o.validator ? "Validate a workspace-spec.yaml (coltec-daemon's validator)"
                           : "Sync daemon for devcontainer workspaces (rclone + S3/R2)",
               o.validator ? "coltec-validate" : "coltec-daemon"};
  app.set_version_flag("--version", std::string("coltec-daemon ") + k_version);
  app.footer(help_footer());
  CLI::App* status_cmd = nullptr;
  if (o.validator) {
    add_validator_flags(app, o, s);
  } else {
    add_daemon_flags(app, o, s);
    status_cmd = app.add_subcommand("status", "Print the workspace's sync status and exit");
    status_cmd->fallthrough();  // `status -c FILE --state-dir D` uses the main flags
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    o.mode = Mode::help;
    o.message = app.help();
    return {o, {}};
  } catch (const CLI::CallForVersion&) {
    o.mode = Mode::version;
    o.message = std::string("coltec-daemon ") + k_version + "\n";
    return {o, {}};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, e.what()};
  }
  finish(o, s, status_cmd != nullptr && status_cmd->parsed());
  return {o, {}};
}

}  // namespace coltec
