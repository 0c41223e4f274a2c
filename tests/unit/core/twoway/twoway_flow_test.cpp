// The order of a two-way run, stepped with plain data as the executor would.

#include <gtest/gtest.h>

#include <coltec/twoway_flow.hpp>

namespace coltec {
namespace {

SyncPlan upload_plan() {
  SyncPlan p;
  p.actions.push_back({"a", Op::upload, Change::modified, Change::none});
  return p;
}

// The flag a step that only marks itself done sets in `p`; nullptr for the other steps.
bool* done_flag(TwoWayStep step, TwoWayProgress& p) {
  switch (step) {
    case TwoWayStep::claim:
      return &p.claimed;
    case TwoWayStep::hash_local:
      return &p.hashed;
    case TwoWayStep::fetch:
      return &p.fetched;
    case TwoWayStep::apply_local:
      return &p.local_applied;
    case TwoWayStep::upload:
      return &p.uploaded;
    case TwoWayStep::delete_remote:
      return &p.remote_deleted;
    case TwoWayStep::lookup_uploaded:
      return &p.looked_up;
    case TwoWayStep::owe_generation:
      return &p.owed_recorded;
    case TwoWayStep::save_baseline:
      return &p.saved;
    case TwoWayStep::write_generation:  // an owed marker first, then this run's own
      return p.owes_generation && !p.owed_written ? &p.owed_written : &p.generation_written;
    case TwoWayStep::release:
      return &p.released;
    default:
      return nullptr;
  }
}

// Applies the effect of `step` to `p` the way a successful executor would.
void apply_effect(TwoWayStep step, TwoWayProgress& p, const SyncPlan& plan, Turn turn) {
  if (bool* flag = done_flag(step, p)) {
    *flag = true;
  } else if (step == TwoWayStep::list_control) {
    p.control = ControlState{};
  } else if (step == TwoWayStep::list_sides) {
    p.plan = plan;
    p.listed = true;
    p.relisted = p.claimed;
    p.needs_upload = true;
  } else if (step == TwoWayStep::verify_claim) {
    p.turn_after_claim = turn;
  }
}

// Runs the flow, applying each step's effect, and returns the steps taken.
std::vector<TwoWayStep> walk(TwoWayProgress p, const SyncPlan& plan, Turn turn = Turn::mine) {
  std::vector<TwoWayStep> steps;
  for (int guard = 0; guard < 40; ++guard) {
    const auto n = next_step(p);
    steps.push_back(n.step);
    if (n.step == TwoWayStep::done) return steps;
    apply_effect(n.step, p, plan, turn);
  }
  ADD_FAILURE() << "the flow did not end";
  return steps;
}

using S = TwoWayStep;

// An interval check whose control listing shows the generation the baseline recorded.
TwoWayProgress idle_check() {
  TwoWayProgress p;
  p.trigger = TwoWayTrigger::check;
  p.have_baseline = true;
  p.control = ControlState{{"gen-1"}, {}};
  p.baseline_generation = "gen-1";
  return p;
}

TEST(TwoWayFlow, AChangingRunClaimsTransfersRecordsThenReleases) {
  EXPECT_EQ(walk({}, upload_plan()),
            (std::vector<S>{S::list_control, S::list_sides, S::claim, S::verify_claim,
                            S::apply_local, S::owe_generation, S::upload, S::lookup_uploaded,
                            S::write_generation, S::save_baseline, S::release, S::done}));
}

TEST(TwoWayFlow, AMarkerAnEarlierRunOwesIsWrittenBeforeAnythingIsListed) {
  TwoWayProgress p;
  p.trigger = TwoWayTrigger::check;
  p.have_baseline = true;
  p.owes_generation = true;
  p.baseline_generation = std::string(k_unsettled_generation);
  EXPECT_EQ(next_step(p).step, S::write_generation);
  p.owed_written = true;
  EXPECT_EQ(next_step(p).step, S::list_control);
  // The owed marker does not stand in for this run's own: the others may have listed it
  // before this run's uploads landed.
  EXPECT_EQ(walk(p, upload_plan()),
            (std::vector<S>{S::list_control, S::list_sides, S::claim, S::verify_claim,
                            S::apply_local, S::owe_generation, S::upload, S::lookup_uploaded,
                            S::write_generation, S::save_baseline, S::release, S::done}));
  TwoWayProgress dry = p;
  dry.owed_written = false;
  dry.dry_run = true;
  EXPECT_EQ(next_step(dry).step, S::list_control);
}

TEST(TwoWayFlow, ADeletingRunOwesAMarkerBeforeItDeletes) {
  TwoWayProgress p;
  p.control = ControlState{};
  p.plan = upload_plan();
  p.claimed = true;
  p.turn_after_claim = Turn::mine;
  p.local_applied = true;
  p.needs_remote_delete = true;
  EXPECT_EQ(next_step(p).step, S::owe_generation);
  p.owed_recorded = true;
  EXPECT_EQ(next_step(p).step, S::delete_remote);
  p.remote_deleted = true;
  EXPECT_EQ(next_step(p).step, S::write_generation);
  p.generation_written = true;
  EXPECT_EQ(next_step(p).step, S::save_baseline);
}

TEST(TwoWayFlow, AnIdleCheckWithTheSameGenerationStopsAfterOneListing) {
  TwoWayProgress p = idle_check();
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::unchanged}));
  p.baseline_generation = "gen-0";
  EXPECT_EQ(next_step(p).step, S::list_sides);
  p.baseline_generation = "gen-1";
  p.have_baseline = false;
  EXPECT_EQ(next_step(p).step, S::list_sides);
}

TEST(TwoWayFlow, SomeoneElsesClaimDefersBeforeAnythingIsListed) {
  TwoWayProgress p;
  p.control = ControlState{};
  p.other_claim = true;
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::deferred}));
}

// Soak seed 328: a release that failed while S3 was away left our claim, and an idle daemon
// only ever stopped at "unchanged", so the other daemon waited until the claim expired.
TEST(TwoWayFlow, AnEarlyStopRemovesALeftoverClaimOfOursFirst) {
  TwoWayProgress p = idle_check();
  p.own_leftover_claim = true;
  EXPECT_EQ(next_step(p).step, S::release);
  p.released = true;
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::unchanged}));

  TwoWayProgress waiting;
  waiting.control = ControlState{};
  waiting.other_claim = true;
  waiting.own_leftover_claim = true;
  EXPECT_EQ(next_step(waiting).step, S::release) << "ours must not hold the other back";
  waiting.dry_run = true;
  EXPECT_EQ(next_step(waiting), (NextStep{S::done, TwoWayStop::deferred})) << "a dry run";
}

TEST(TwoWayFlow, LosingTheTurnReleasesOurClaim) {
  const auto steps = walk({}, upload_plan(), Turn::other);
  EXPECT_EQ(steps, (std::vector<S>{S::list_control, S::list_sides, S::claim, S::verify_claim,
                                   S::release, S::done}));
  TwoWayProgress p;
  p.control = ControlState{};
  p.plan = upload_plan();
  p.claimed = true;
  p.turn_after_claim = Turn::other;
  p.released = true;
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::deferred}));
}

TEST(TwoWayFlow, ANewGenerationUnderOurClaimIsListedAgain) {
  TwoWayProgress p;
  p.control = ControlState{};
  p.plan = upload_plan();
  p.claimed = true;
  p.turn_after_claim = Turn::mine;
  p.generation_moved_under_claim = true;
  EXPECT_EQ(next_step(p).step, S::list_sides);
  p.relisted = true;
  EXPECT_EQ(next_step(p).step, S::apply_local);
}

TEST(TwoWayFlow, AFailureAfterTheClaimStillReleasesIt) {
  TwoWayProgress p;
  p.control = ControlState{};
  p.claimed = true;
  p.failed = true;
  EXPECT_EQ(next_step(p).step, S::release);
  p.released = true;
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::failed}));
  p.claimed = false;
  p.released = false;
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::failed}));
}

TEST(TwoWayFlow, RefreshOnlyPlansSaveWithoutAClaimAndDryRunsTouchNothing) {
  SyncPlan refresh;
  refresh.actions.push_back({"a", Op::refresh, Change::none, Change::none});
  EXPECT_EQ(walk({}, refresh),
            (std::vector<S>{S::list_control, S::list_sides, S::save_baseline, S::done}));
  TwoWayProgress dry;
  dry.dry_run = true;
  EXPECT_EQ(walk(dry, upload_plan()), (std::vector<S>{S::list_control, S::list_sides, S::done}));
  SyncPlan refused;
  refused.refusal = "empty";
  TwoWayProgress p;
  p.control = ControlState{};
  p.plan = refused;
  EXPECT_EQ(next_step(p), (NextStep{S::done, TwoWayStop::refused}));
}

TEST(TwoWayFlow, HashesAndFetchesComeBeforeAnythingLocalMoves) {
  TwoWayProgress p;
  p.control = ControlState{};
  p.plan = upload_plan();
  p.claimed = true;
  p.turn_after_claim = Turn::mine;
  p.needs_hashes = true;
  p.needs_fetch = true;
  EXPECT_EQ(next_step(p).step, S::hash_local);
  p.hashed = true;
  EXPECT_EQ(next_step(p).step, S::fetch);
  p.fetched = true;
  EXPECT_EQ(next_step(p).step, S::apply_local);
  p.local_applied = true;
  p.needs_remote_delete = true;
  EXPECT_EQ(next_step(p).step, S::owe_generation);
}

TEST(TwoWayRecordedGeneration, WorkLeftOrAnUntoldChangeIsNeverRecordedAsSettled) {
  RunGenerations run;
  run.seen = "gen-a";
  run.old_generation = "gen-0";
  EXPECT_EQ(recorded_generation(run), (RecordedGeneration{"gen-a", false}));
  run.seen.reset();  // nothing listed (a quick plan that changed nothing): keep the old one
  EXPECT_EQ(recorded_generation(run), (RecordedGeneration{"gen-0", false}));
  run.seen = "gen-a";
  run.left_work = true;  // the next check must list again, whatever the control folder says
  EXPECT_EQ(recorded_generation(run).generation, k_unsettled_generation);
  EXPECT_NE(recorded_generation(run).generation, generation_of(ControlState{{"gen-a"}, {}}));
  run.left_work = false;
  run.remote_changed = true;
  run.new_generation = "gen-b";
  EXPECT_EQ(recorded_generation(run), (RecordedGeneration{std::string(k_unsettled_generation),
                                                          true}));  // the marker write failed
  run.marker_written = true;
  EXPECT_EQ(recorded_generation(run), (RecordedGeneration{"gen-b", false}));
  run.left_work = true;
  EXPECT_EQ(recorded_generation(run),
            (RecordedGeneration{std::string(k_unsettled_generation), false}));
}

TEST(TwoWayRecordedGeneration, AnOwedMarkerStaysOwedUntilOneIsWritten) {
  RunGenerations run;
  run.seen = "gen-a";
  run.owed_before = true;
  EXPECT_TRUE(recorded_generation(run).owes);
  run.owed_paid = true;
  EXPECT_EQ(recorded_generation(run), (RecordedGeneration{"gen-a", false}));
}

TEST(TwoWayQuickPlan, UploadsChangesAndTrashesDeletionsWithinTheCap) {
  Baseline b;
  for (const char* p : {"a", "b", "c", "d"}) b.files[p] = {{1, 100, ""}, {1, 900, "m"}};
  const std::vector<LocalChange> changes{{"a", FileState{2, 200, ""}},
                                         {"b", FileState{1, 100, ""}},  // touched back: no-op
                                         {"c", std::nullopt},
                                         {"new", FileState{3, 300, ""}},
                                         {"ghost", std::nullopt}};
  const auto plan = quick_plan(b, changes, 50, false);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->actions.size(), 3U);
  EXPECT_EQ(plan->actions[0].path, "a");
  EXPECT_EQ(plan->actions[1], (PathAction{"c", Op::delete_remote, Change::deleted, Change::none}));
  EXPECT_EQ(plan->actions[2].path, "new");
  const std::vector<LocalChange> many{
      {"a", std::nullopt}, {"b", std::nullopt}, {"c", std::nullopt}};
  EXPECT_FALSE(quick_plan(b, many, 50, false));
  EXPECT_TRUE(quick_plan(b, many, 50, true));
}

TEST(TwoWayResolve, SameBytesAreFineDifferentBytesMakeAConflictTheNewerKeepsTheName) {
  CompareFacts f{{3, 100, ""}, {3, 900, ""}, std::nullopt, std::nullopt};
  EXPECT_EQ(resolve(f), Resolution::need_content);
  f.identical = true;
  EXPECT_EQ(resolve(f), Resolution::identical);
  f.identical = false;
  EXPECT_EQ(resolve(f), Resolution::need_content);  // which is newer needs the remote bytes
  f.remote_file_mtime_ns = 50;
  EXPECT_EQ(resolve(f), Resolution::local_wins);
  f.remote_file_mtime_ns = 150;
  EXPECT_EQ(resolve(f), Resolution::remote_wins);
  CompareFacts sizes{{3, 100, ""}, {4, 900, ""}, std::nullopt, 200};
  EXPECT_EQ(resolve(sizes), Resolution::remote_wins);
}

}  // namespace
}  // namespace coltec
