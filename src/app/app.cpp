// run_app: parse the command line, set up logging, dispatch to the mode, map the outcome to
// an exit code. The only place (with app_*.cpp) that names concrete classes.

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include <sys/prctl.h>
#include <unistd.h>

#include <coltec/app.hpp>
#include <coltec/cli.hpp>
#include <coltec/exit_code.hpp>
#include <coltec/logging.hpp>

#include "app_modes.hpp"

namespace coltec {
namespace {

LogSettings log_settings_for(const Options& o) {
  LogSettings s;
  s.json = o.log_format == LogFormat::json;
  s.level = parse_level(o.log_level).value_or(Level::info);
  s.to_stderr = o.log_stderr;
  s.color = !s.json && isatty(o.log_stderr ? STDERR_FILENO : STDOUT_FILENO) == 1;
  s.file = o.log_file;
  s.file_max_bytes = o.log_file_max_bytes;
  s.file_count = o.log_file_count;
  return s;
}

// Process-wide settings that every mode needs, before anything else runs.
void harden_process() {
  // A reader that goes away (`coltec-daemon --once --dry-run | head`) must not kill a run
  // half-way: writes to the closed stream then fail with EPIPE, which the streams and the
  // log sinks absorb. rclone children get the default disposition back (process runner).
  std::signal(SIGPIPE, SIG_IGN);
  // No core dump, which would hold the credentials (our environment, the rendered rclone
  // config); this also keeps other processes of the same user from reading our memory or
  // descriptors through ptrace and /proc/<pid>/. exec resets it for the rclone children.
  ::prctl(PR_SET_DUMPABLE, 0);
}

ExitCode dispatch(const Options& options, Logger& log) {
  switch (options.mode) {
    case Mode::validate:
      return run_validate(options, log);
    case Mode::print_schema:
      return run_print_schema(options);
    case Mode::status:
      return run_status(options, log);
    case Mode::demo:
      return run_demo(options, log);
    case Mode::once:
    case Mode::daemon:
      return run_sync(options, log);
    case Mode::help:
    case Mode::version:
      break;
  }
  return ExitCode::ok;
}

}  // namespace

int run_app(int argc, char** argv) {
  harden_process();
  const auto parsed = parse_command_line(argc, argv);
  if (!parsed.options) {
    std::cerr << "error: " << parsed.error << "\nRun with --help for the flags and exit codes.\n";
    return to_int(ExitCode::config_error);
  }
  const Options& options = *parsed.options;
  if (options.mode == Mode::help || options.mode == Mode::version) {
    std::cout << options.message;
    return to_int(ExitCode::ok);
  }
  std::string error;
  auto log = Logger::create(log_settings_for(options), &error);
  if (!log) {
    std::cerr << "error: " << error << "\n";
    return to_int(ExitCode::runtime_error);
  }
  try {
    return to_int(dispatch(options, *log));
  } catch (const std::exception& e) {
    log->error("internal error", {{"error", e.what()}});
  } catch (...) {
    log->error("internal error: unknown exception");
  }
  return to_int(ExitCode::runtime_error);
}

}  // namespace coltec
