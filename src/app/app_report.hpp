#pragma once
// Private to app: plan tables, dry-run output, the --once summary, health.json.

#include <ostream>
#include <string>

#include <coltec/cli.hpp>
#include <coltec/exit_code.hpp>
#include <coltec/logging.hpp>
#include <coltec/planner.hpp>
#include <coltec/scheduler.hpp>
#include <coltec/state.hpp>

#include "app_setup.hpp"

namespace coltec {

/// The plan as a table (text) or one JSON object per action.
void print_plan(const Plan& plan, std::ostream& out, const Options& o);
/// The exact, redacted rclone command of every action (as --dry-run will run it).
void print_commands(const Plan& plan, const Prepared& p, const EnvMap& env, std::ostream& out,
                    const Options& o);
/// The closing line of a dry run: nothing was changed.
void print_dry_run_footer(std::ostream& out, const Options& o);
/// The --once summary: action, result, duration, files, bytes, error.
void print_summary(const Scheduler& scheduler, const Options& o, std::ostream& out);
/// --once exit code: 3 when any run was refused or held deletions back (the rest copied),
/// 5 when a bisync needs a resync, 2 when any other run failed, 0 when all succeeded.
ExitCode exit_code_for(const Scheduler& scheduler);
/// After a stop: log, by name, every action whose local changes were not flushed.
void report_unflushed(const Scheduler& scheduler, Logger& log);
/// health.json contents from the scheduler's view.
Health health_from(const Plan& plan, const Scheduler& scheduler);
/// Write <state>/health.json atomically; a failure is logged, not fatal.
void write_health_file(const std::string& state_dir, const Plan& plan, const Scheduler& scheduler,
                       Logger& log);

}  // namespace coltec
