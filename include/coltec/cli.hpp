#pragma once
// Command-line surface of coltec-daemon (and of coltec-validate, the same binary under
// another name). Flags beat environment variables; environment beats defaults. Every default
// is written once: here, or in SchedulerConfig for the scheduler's knobs; --help shows these.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <coltec/scheduler.hpp>

namespace coltec {

/// What the process was asked to do.
enum class Mode {
  daemon,        ///< run continuously (default)
  once,          ///< --once: one pass, summary, exit
  validate,      ///< --validate-only / coltec-validate --file
  status,        ///< `status` subcommand or --status
  print_schema,  ///< --print-schema / coltec-validate --generate-schema
  demo,          ///< --demo: the built-in demo on a local-folder remote
  help,          ///< --help was printed
  version,       ///< --version was printed
};

/// Log output format.
enum class LogFormat { text, json };

/// Everything the command line and COLTEC_* variables can set.
struct Options {
  Mode mode = Mode::daemon;
  std::string config = "/workspace/.devcontainer/workspace-spec.yaml";
  bool dry_run = false;
  std::optional<std::uint64_t> interval;  ///< seconds, overrides every path's interval
  std::vector<std::string> only;
  LogFormat log_format = LogFormat::text;
  std::string log_level = "info";
  std::optional<std::string> log_file;
  bool log_stderr = false;  ///< --log-stderr / COLTEC_LOG_STDERR: logs to stderr, not stdout
  std::uint64_t log_file_max_bytes = std::uint64_t{10} * 1024 * 1024;
  std::size_t log_file_count = 3;
  std::size_t max_parallel = SchedulerConfig{}.max_parallel;
  std::chrono::milliseconds shutdown_grace{6000};  ///< fits supervisord's 10 s stop wait
  std::chrono::milliseconds debounce = SchedulerConfig{}.debounce;
  std::chrono::milliseconds max_delay = SchedulerConfig{}.max_delay;
  std::chrono::seconds reconcile_every = SchedulerConfig{}.reconcile_every;
  bool watch = true;  ///< react to local changes (inotify); --no-watch polls only
  std::optional<std::string> metrics_file;
  std::optional<std::string> state_dir;  ///< COLTEC_STATE_DIR
  std::optional<std::string> demo_dir;
  bool allow_empty_source = false;  ///< opt-out of the empty-source guard
  bool force_deletes = false;       ///< opt-out of the delete cap for this run
  // coltec-validate compatibility
  bool validator = false;  ///< invoked as coltec-validate
  std::optional<std::string> schema_file;
  bool schema_only = false;
  /// Text already printed for help/version, or the parse error message.
  std::string message;
};

/// Outcome of parsing: Options, or a usage error (exit 1) with its message.
struct ParseOutcome {
  std::optional<Options> options;
  std::string error;  ///< set when options is empty
};

/// Parse argv. `program_name` is basename(argv[0]); "coltec-validate" selects the
/// validator's flags (--file, --schema, --schema-only, --generate-schema). Reads
/// COLTEC_* variables through CLI11's env support. Help and version text are returned in
/// Options::message with mode help/version; nothing is printed here.
ParseOutcome parse_command_line(int argc, const char* const* argv);

/// The exit-code and environment table appended to --help (also used by README tests).
std::string help_footer();

}  // namespace coltec
