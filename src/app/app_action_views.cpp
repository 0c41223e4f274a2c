#include <coltec/action_views.hpp>

namespace coltec {

JobSpec job_spec_from(const Action& action, bool event_driven) {
  return JobSpec{action.name,     action.direction,         action.interval,
                 action.priority, action.declaration_index, event_driven};
}

WatchRoot make_watch_root(const Action& action) {
  return WatchRoot{action.name, action.local_path, action.exclude};
}

}  // namespace coltec
