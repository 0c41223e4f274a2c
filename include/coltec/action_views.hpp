#pragma once
// How the daemon's parts see one planned action: the scheduler as a JobSpec, the watcher as
// a WatchRoot. The conversions live with the code that wires those parts together (app), so
// neither the scheduler nor the watcher has to know the planner.

#include <coltec/planner.hpp>
#include <coltec/scheduler.hpp>
#include <coltec/watcher.hpp>

namespace coltec {

/// The scheduler's view of a planned action; `event_driven` when a watcher reports its
/// local changes.
JobSpec job_spec_from(const Action& action, bool event_driven);

/// The WatchRoot of a planned action (its name, local_path and exclude list).
WatchRoot make_watch_root(const Action& action);

}  // namespace coltec
