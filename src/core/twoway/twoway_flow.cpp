// The order of a two-way run, the quick plan for watcher-reported changes, and how compared
// files resolve.

#include <algorithm>

#include <coltec/safety.hpp>
#include <coltec/twoway_flow.hpp>

namespace coltec {
namespace {

NextStep step(TwoWayStep s) {
  return {s, TwoWayStop::none};
}

NextStep stop(TwoWayStop why) {
  return {TwoWayStep::done, why};
}

// Once our claim is written, every way out goes through release; so does every early stop
// while a leftover claim of ours is there (a dry run changes nothing, not even that).
NextStep end(const TwoWayProgress& p, TwoWayStop why) {
  const bool ours = p.claimed || (p.own_leftover_claim && !p.dry_run);
  if (ours && !p.released) return step(TwoWayStep::release);
  return stop(why);
}

// The part of a run that changes things, in the order that keeps every version: remote
// versions are fetched (and compared) before anything local moves, local files are in place
// before uploads read them, uploads before deletions, and the baseline is saved only after
// every step succeeded.
NextStep transfer_steps(const TwoWayProgress& p) {
  if (p.needs_hashes && !p.hashed) return step(TwoWayStep::hash_local);
  if (p.needs_fetch && !p.fetched) return step(TwoWayStep::fetch);
  if (!p.local_applied) return step(TwoWayStep::apply_local);
  // Before the first remote change, the baseline on disk says a marker is owed: a run
  // killed from here on still tells the other daemons at its next start.
  const bool changes_remote = p.needs_upload || p.needs_remote_delete;
  if (changes_remote && !p.owed_recorded) return step(TwoWayStep::owe_generation);
  if (p.needs_upload && !p.uploaded) return step(TwoWayStep::upload);
  if (p.needs_remote_delete && !p.remote_deleted) return step(TwoWayStep::delete_remote);
  if (p.uploaded && !p.looked_up) return step(TwoWayStep::lookup_uploaded);
  // The marker before the baseline: killed between the two, the baseline on disk still owes
  // it (owe_generation), so the next run tells the others again rather than never.
  if ((p.uploaded || p.remote_deleted) && !p.generation_written) {
    return step(TwoWayStep::write_generation);
  }
  if (!p.saved) return step(TwoWayStep::save_baseline);
  return end(p, TwoWayStop::none);
}

}  // namespace

const char* to_string(TwoWayStep s) {
  switch (s) {
    case TwoWayStep::list_control:
      return "list_control";
    case TwoWayStep::list_sides:
      return "list_sides";
    case TwoWayStep::claim:
      return "claim";
    case TwoWayStep::verify_claim:
      return "verify_claim";
    case TwoWayStep::hash_local:
      return "hash_local";
    case TwoWayStep::fetch:
      return "fetch";
    case TwoWayStep::apply_local:
      return "apply_local";
    case TwoWayStep::upload:
      return "upload";
    case TwoWayStep::delete_remote:
      return "delete_remote";
    case TwoWayStep::lookup_uploaded:
      return "lookup_uploaded";
    case TwoWayStep::save_baseline:
      return "save_baseline";
    case TwoWayStep::owe_generation:
      return "owe_generation";
    case TwoWayStep::write_generation:
      return "write_generation";
    case TwoWayStep::release:
      return "release";
    case TwoWayStep::done:
      break;
  }
  return "done";
}

bool plan_transfers(const SyncPlan& plan) {
  return std::any_of(plan.actions.begin(), plan.actions.end(),
                     [](const PathAction& a) { return a.op != Op::refresh && a.op != Op::forget; });
}

NextStep next_step(const TwoWayProgress& p) {
  if (p.failed) return end(p, TwoWayStop::failed);
  // A marker an earlier run owes goes first, so the listing below already shows it (and a
  // check run then does not stop on "unchanged" before the others were told).
  if (p.owes_generation && !p.owed_written && !p.dry_run) {
    return step(TwoWayStep::write_generation);
  }
  // A quick plan (watcher changes, remote trusted as the baseline says) skips the first
  // listing: verify_claim reads the control folder anyway and sends it back to a full run
  // if the generation moved.
  const bool quick = p.quick && p.plan;
  if (!p.control && !quick) return step(TwoWayStep::list_control);
  if (p.control && !p.claimed) {
    if (p.other_claim) return end(p, TwoWayStop::deferred);
    const bool unchanged = p.have_baseline && generation_of(*p.control) == p.baseline_generation;
    if (p.trigger == TwoWayTrigger::check && unchanged) return end(p, TwoWayStop::unchanged);
  }
  if (!p.plan) return step(TwoWayStep::list_sides);
  if (p.plan->refusal) return end(p, TwoWayStop::refused);
  if (!plan_transfers(*p.plan)) {
    if (!p.saved && !p.dry_run) return step(TwoWayStep::save_baseline);
    return end(p, TwoWayStop::none);
  }
  if (p.dry_run) return stop(TwoWayStop::none);
  if (!p.claimed) return step(TwoWayStep::claim);
  if (!p.turn_after_claim) return step(TwoWayStep::verify_claim);
  if (*p.turn_after_claim != Turn::mine) return end(p, TwoWayStop::deferred);
  // Another daemon finished a run between our listing and our claim: list again, under it.
  if (p.generation_moved_under_claim && !p.relisted) return step(TwoWayStep::list_sides);
  return transfer_steps(p);
}

RecordedGeneration recorded_generation(const RunGenerations& r) {
  RecordedGeneration out;
  const bool untold = r.remote_changed && !r.marker_written;
  out.owes = untold || (r.owed_before && !r.owed_paid);
  if (r.left_work || untold) {
    out.generation = std::string(k_unsettled_generation);
  } else if (r.remote_changed) {
    out.generation = r.new_generation;
  } else {
    out.generation = r.seen.value_or(r.old_generation);
  }
  return out;
}

std::optional<SyncPlan> quick_plan(const Baseline& baseline,
                                   const std::vector<LocalChange>& changes,
                                   std::uint32_t max_delete_percent, bool force_deletes) {
  SyncPlan plan;
  std::uint64_t deletes = 0;
  for (const auto& c : changes) {
    const auto b = baseline.files.find(c.path);
    const bool known = b != baseline.files.end();
    if (c.state) {
      if (!known) {
        plan.actions.push_back({c.path, Op::upload, Change::created, Change::none});
      } else if (differs(*c.state, b->second.local)) {
        plan.actions.push_back({c.path, Op::upload, Change::modified, Change::none});
      }
    } else if (known) {
      plan.actions.push_back({c.path, Op::delete_remote, Change::deleted, Change::none});
      ++deletes;
    }
  }
  if (deletes > 0) {
    const auto cap =
        check_delete_cap({deletes, baseline.files.size()}, max_delete_percent, force_deletes);
    if (cap.verdict == Verdict::refuse) return std::nullopt;  // the full run holds them back
  }
  std::sort(plan.actions.begin(), plan.actions.end(),
            [](const PathAction& a, const PathAction& b) { return a.path < b.path; });
  return plan;
}

Resolution resolve(const CompareFacts& f) {
  if (f.local.size == f.remote.size) {
    if (!f.identical) return Resolution::need_content;
    if (*f.identical) return Resolution::identical;
  }
  // Different: the newer version keeps the name. The remote's own mtime needs its bytes
  // (the fetched copy carries it); without them nothing is decided yet.
  if (!f.remote_file_mtime_ns) return Resolution::need_content;
  return conflict_winner(f.local.mtime_ns, *f.remote_file_mtime_ns) == Winner::remote
             ? Resolution::remote_wins
             : Resolution::local_wins;
}

}  // namespace coltec
