// The scheduler's and the watcher's view of a planned action.

#include <gtest/gtest.h>

#include <coltec/action_views.hpp>

namespace coltec {
namespace {

using namespace std::chrono_literals;

TEST(ActionViews, JobSpecFromPlannedAction) {
  Action action;
  action.name = "code";
  action.direction = Direction::push_only;
  action.interval = 120s;
  action.priority = 1;
  action.declaration_index = 3;
  const JobSpec spec = job_spec_from(action, true);
  EXPECT_EQ(spec, (JobSpec{"code", Direction::push_only, 120s, 1, 3, true}));
}

TEST(ActionViews, WatchRootComesFromThePlannedAction) {
  Action action;
  action.name = "code";
  action.local_path = "/workspace/code";
  action.exclude = {"node_modules/**"};
  action.direction = Direction::push_only;
  EXPECT_EQ(make_watch_root(action), (WatchRoot{"code", "/workspace/code", {"node_modules/**"}}));
  // A bidirectional root holds the two-way engine's own folder; its writes are not the user's.
  action.direction = Direction::bidirectional;
  EXPECT_EQ(make_watch_root(action),
            (WatchRoot{"code", "/workspace/code", {"node_modules/**", "/.coltec-sync/**"}}));
}

}  // namespace
}  // namespace coltec
