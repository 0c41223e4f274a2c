#include <algorithm>

#include <coltec/oneway_flow.hpp>

namespace coltec {
namespace {

OneWayNext step(OneWayStep s) {
  return {s, OneWayEnd::ok, {}, std::nullopt, false};
}

OneWayNext ended(OneWayEnd end, std::string reason = {}) {
  return {OneWayStep::done, end, std::move(reason), std::nullopt, false};
}

OneWayNext sync(std::optional<std::uint64_t> max_delete) {
  return {OneWayStep::sync, OneWayEnd::ok, {}, max_delete, false};
}

OneWayNext held(OneWayNext next) {
  next.held_back = true;
  return next;
}

bool pushes(const OneWayProgress& p) {
  return p.direction == Direction::push_only;
}

// A push that compared both sides or sent files records it, unless the marker is there.
bool owes_mark(const OneWayProgress& p) {
  return pushes(p) && !p.dry_run && !p.marked_pushed &&
         !(p.inspection && p.inspection->pushed_before);
}

// After the upload, copy or sync: a push records that the remote holds files, then prunes
// the trash when that is due. A dry run changed nothing, so it records nothing.
OneWayNext after_transfer(const OneWayProgress& p) {
  if (!pushes(p) || p.dry_run) return ended(OneWayEnd::ok);
  if (owes_mark(p)) return step(OneWayStep::mark_pushed);
  if (p.prune_due && !p.pruned) return step(OneWayStep::prune_trash);
  return ended(OneWayEnd::ok);
}

OneWayNext transfer(const OneWayProgress& p, OneWayNext next) {
  if (!p.transferred) return next;
  auto after = after_transfer(p);
  after.held_back = next.held_back;
  return after;
}

// A push from a folder with no file: the empty-source guard decides on the remote's listing.
std::optional<OneWayNext> empty_local_push(const OneWayProgress& p, const SideState& local) {
  if (!p.remote) return step(OneWayStep::list_remote);
  SourceCheck check;
  check.direction = p.direction;
  check.local = local;
  check.remote = *p.remote;
  check.startup = p.startup;
  check.allow_empty_source = p.allow_empty_source;
  const auto decision = check_sources(check);
  if (decision.verdict == Verdict::refuse) return ended(OneWayEnd::refused, decision.reason);
  if (!local.exists && !p.dry_run && !p.local_dir_made) return step(OneWayStep::make_local_dir);
  if (decision.verdict == Verdict::restore_first && !p.restored) {
    auto next = step(OneWayStep::restore);  // a dry run only says it would
    next.reason = decision.reason;
    return next;
  }
  return std::nullopt;
}

// What comes before the pre-check (nullopt: the pre-check, or in a dry run the sync itself).
std::optional<OneWayNext> before_precheck(const OneWayProgress& p) {
  const auto& local = p.inspection->local;
  if (!pushes(p)) return std::nullopt;
  if (!local.exists || local.files == 0) return empty_local_push(p, local);
  // A first push: if the remote is empty there is nothing a dry run could find to delete.
  if (p.dry_run || p.inspection->pushed_before) return std::nullopt;
  if (!p.probed) return step(OneWayStep::probe_remote);
  if (*p.probed > 0) return std::nullopt;
  // --max-delete 0 still stops the sync if files appear on the remote meanwhile.
  return transfer(p, sync(0));
}

// A pull whose source is missing or holds no file: rclone would delete every local file.
std::optional<OneWayNext> pull_source(const OneWayProgress& p, const OneWayPrecheck& pc) {
  if (pushes(p)) return std::nullopt;
  SourceCheck check;
  check.direction = Direction::pull_only;
  const auto& local = p.inspection->local;
  check.local = {local.exists, std::max(local.files, pc.tally.plan().dest_files)};
  check.remote = {!pc.remote_missing, pc.remote_missing ? 0 : pc.tally.source_files()};
  check.remote_spec = p.remote_spec;
  check.allow_empty_source = p.allow_empty_source;
  const auto d = check_sources(check);
  if (d.verdict == Verdict::skip) return ended(OneWayEnd::skipped, d.reason);
  if (d.verdict == Verdict::refuse) return ended(OneWayEnd::refused, d.reason);
  return std::nullopt;
}

OneWayNext held_back_copy_step(const OneWayProgress& p, const DryRunTally& tally) {
  switch (held_back_copy(tally, p.direction)) {
    case HeldBackCopy::nothing:
      return held(ended(OneWayEnd::ok));
    case HeldBackCopy::listed:
      if (!p.list_unsendable) return held(transfer(p, step(OneWayStep::upload_listed)));
      break;
    case HeldBackCopy::full:
      break;
  }
  return held(transfer(p, step(OneWayStep::copy_held_back)));
}

OneWayNext after_precheck(const OneWayProgress& p) {
  const auto& pc = *p.precheck;
  if (auto stop = pull_source(p, pc)) return *stop;
  const auto& tally = pc.tally;
  if (tally.nothing_to_do()) {
    // The dry run already compared both sides: the sync would only list them again.
    if (owes_mark(p)) return step(OneWayStep::mark_pushed);
    return ended(OneWayEnd::ok);
  }
  const auto plan = tally.plan();
  const auto pct = p.max_delete_percent;
  if (check_delete_cap(plan, pct, p.force_deletes).verdict == Verdict::refuse) {
    return held_back_copy_step(p, tally);
  }
  // Nothing to delete and a few files to send: send those, without listing both sides again.
  if (pushes(p) && upload_listed_only(tally) && !p.list_unsendable) {
    return transfer(p, step(OneWayStep::upload_listed));
  }
  const auto cap = std::max(plan.deletes, plan.dest_files * pct / 100U);
  return transfer(p, sync(p.force_deletes ? std::nullopt : std::optional<std::uint64_t>(cap)));
}

}  // namespace

const char* to_string(OneWayStep s) {
  switch (s) {
    case OneWayStep::upload_changed:
      return "upload_changed";
    case OneWayStep::inspect:
      return "inspect";
    case OneWayStep::probe_remote:
      return "probe_remote";
    case OneWayStep::list_remote:
      return "list_remote";
    case OneWayStep::make_local_dir:
      return "make_local_dir";
    case OneWayStep::restore:
      return "restore";
    case OneWayStep::precheck:
      return "precheck";
    case OneWayStep::upload_listed:
      return "upload_listed";
    case OneWayStep::copy_held_back:
      return "copy_held_back";
    case OneWayStep::sync:
      return "sync";
    case OneWayStep::mark_pushed:
      return "mark_pushed";
    case OneWayStep::prune_trash:
      return "prune_trash";
    case OneWayStep::done:
      break;
  }
  return "done";
}

OneWayNext next_oneway_step(const OneWayProgress& p) {
  if (p.root_problem) return ended(OneWayEnd::refused, *p.root_problem);
  // The watcher's files alone: nothing listed, nothing deleted, no marker (no comparison).
  if (p.quick && !p.list_unsendable) {
    return p.transferred ? ended(OneWayEnd::ok) : step(OneWayStep::upload_changed);
  }
  if (!p.inspection) return step(OneWayStep::inspect);
  if (p.expect_mount && !p.allow_empty_source && !p.inspection->mounted) {
    return ended(OneWayEnd::refused, unmounted_refusal(p.local_path));
  }
  if (auto early = before_precheck(p)) return *early;
  if (p.dry_run) return transfer(p, sync(std::nullopt));  // its own dry run is the pre-check
  if (!p.precheck) return step(OneWayStep::precheck);
  return after_precheck(p);
}

}  // namespace coltec
