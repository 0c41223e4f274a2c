#include <string>
#include <utility>

#include <coltec/action_views.hpp>
#include <coltec/rclone_twoway.hpp>

namespace coltec {

JobSpec job_spec_from(const Action& action, bool event_driven) {
  return JobSpec{action.name,     action.direction,         action.interval,
                 action.priority, action.declaration_index, event_driven};
}

WatchRoot make_watch_root(const Action& action) {
  auto exclude = action.exclude;
  // The two-way engine's own folder (staging downloads): its writes are not the user's.
  if (action.direction == Direction::bidirectional) {
    exclude.push_back("/" + std::string(k_control_dir) + "/**");
  }
  return WatchRoot{action.name, action.local_path, std::move(exclude)};
}

}  // namespace coltec
