#pragma once
// Private to app: one entry point per mode, each returning the process exit code.

#include <coltec/cli.hpp>
#include <coltec/exit_code.hpp>
#include <coltec/logging.hpp>

namespace coltec {

/// --validate-only and coltec-validate.
ExitCode run_validate(const Options& options, Logger& log);
/// --print-schema and coltec-validate --generate-schema.
ExitCode run_print_schema(const Options& options);
/// `status` / --status.
ExitCode run_status(const Options& options, Logger& log);
/// --demo: writes the embedded demo workspace and runs one real pass on it.
ExitCode run_demo(const Options& options, Logger& log);
/// --once (with or without --dry-run) and the daemon.
ExitCode run_sync(const Options& options, Logger& log);

}  // namespace coltec
