// What a two-way run learns before it changes anything: its baseline (or the bisync listings
// it upgrades from), the watcher's changes, the control folder, both sides' listings, our
// claim, and the md5s of files to compare.

#include <algorithm>

#include "twoway_run.hpp"

namespace coltec {
namespace {

constexpr std::size_t k_max_baseline_bytes = std::size_t{1} << 30;

Listing to_listing(const std::vector<ListedEntry>& entries) {
  Listing out;
  for (const auto& e : entries) out[e.path] = e.state;
  return out;
}

// A listed name some component of which rclone could not list faithfully (invalid UTF-8).
bool has_component(const std::string& path, const std::set<std::string>& names) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto part = path.substr(start, slash == std::string::npos ? slash : slash - start);
    if (names.count(part) != 0) return true;
    if (slash == std::string::npos) return false;
    start = slash + 1;
  }
  return false;
}

}  // namespace

void Executor::TwoWayRun::load_state() {
  // Staging left by a run that was killed holds nothing anyone needs: the remote still has
  // those versions, and the real names were never touched.
  if (!m_ex.m_settings.dry_run) (void)disk().remove_all(m_action.local_path + "/" + k_control_dir);
  auto text = disk().read_file(baseline_path(), k_max_baseline_bytes);
  if (text) {
    auto parsed = parse_baseline(*text);
    if (parsed) {
      m_baseline = std::move(parsed).value();
      m_progress.have_baseline = true;
    } else {
      warn("the sync state " + baseline_path() + " is damaged (" + parsed.error().message +
           "); comparing both sides in full, nothing is overwritten without a comparison");
    }
  } else if (disk().stat(baseline_path()).kind == EntryKind::missing) {
    import_bisync();
  }
  m_progress.baseline_generation = m_baseline.generation;
  m_progress.owes_generation = m_baseline.owes_generation;
  m_report.conflicts = m_baseline.conflicts;  // still unresolved, even if this run stops early
}

void Executor::TwoWayRun::import_bisync() {
  const auto& workdir = m_ex.m_settings.bisync_workdir;
  const auto names = disk().list_dir(workdir);
  if (!names) return;
  for (const auto& name : *names) {
    if (!is_bisync_session_listing(name, m_action.local_path, m_action.remote_name,
                                   m_action.remote_path)) {
      continue;
    }
    const auto stem =
        workdir + "/" + name.substr(0, name.size() - std::string(".path1.lst").size());
    auto p1 = disk().read_file(stem + ".path1.lst", k_max_baseline_bytes);
    auto p2 = disk().read_file(stem + ".path2.lst", k_max_baseline_bytes);
    if (!p1 || !p2) continue;
    auto imported = import_bisync_listings(*p1, *p2);
    if (!imported) {
      warn("cannot use the earlier bisync listings (" + imported.error().message +
           "); comparing both sides in full instead");
      return;
    }
    m_baseline = std::move(imported).value();
    m_progress.have_baseline = true;
    m_imported = true;
    m_ex.m_log.info("upgrading from rclone bisync: its last listings are the starting point",
                    {{"action", m_action.name},
                     {"files", m_baseline.files.size()},
                     {"listing", stem + ".path1.lst"}});
    return;
  }
}

// A fresh container: the state volume remembers files that its new, empty workspace lacks.
// At start-up that is a restore (as for push-only), never a deletion on the remote; later an
// emptied folder is refused instead (reconcile's empty-side guard).
void Executor::TwoWayRun::restore_if_fresh(const ReconcileOptions& o) {
  const bool startup = m_ex.m_synced_once.count(m_action.name) == 0;
  if (!startup || !m_local.empty() || m_baseline.files.empty() || m_remote.empty() ||
      !o.local_unreadable.empty()) {
    return;
  }
  m_ex.m_log.info("the local folder is empty at start-up; restoring it from the remote",
                  {{"action", m_action.name}, {"files", m_remote.size()}});
  m_baseline.files.clear();  // no side "deleted" anything: every remote file comes back
}

bool Executor::TwoWayRun::plan_quick() {
  if (!m_progress.have_baseline || m_imported || m_changes.full || m_changes.files.empty()) {
    return false;
  }
  // The last run left work or did not tell the others: the remote is not as the baseline
  // says, so only a full run may decide.
  if (m_baseline.owes_generation || m_baseline.generation == k_unsettled_generation) return false;
  std::vector<LocalChange> changes;
  const std::string control_prefix = std::string(k_control_dir) + "/";
  for (const auto& raw : m_changes.files) {
    if (raw == k_control_dir || raw.starts_with(control_prefix)) continue;
    auto name = rclone_name_of(raw);
    if (!name) return false;  // not UTF-8: the full run names it in a warning
    const auto entry = disk().stat(m_action.local_path + "/" + raw);
    if (entry.kind == EntryKind::file) {
      changes.push_back({*name, entry.state});
    } else if (entry.kind == EntryKind::missing) {
      changes.push_back({*name, std::nullopt});
    } else {
      return false;  // a folder or a symlink: the full run decides
    }
  }
  auto plan = quick_plan(m_baseline, changes, m_ex.m_settings.safety.max_delete_percent,
                         m_ex.m_settings.force_deletes);
  if (!plan) return false;
  for (const auto& c : changes) {
    if (c.state) m_local[c.path] = *c.state;
  }
  for (const auto& a : plan->actions) {
    if (a.op == Op::upload) m_uploads.push_back(a.path);
    if (a.op == Op::delete_remote) m_remote_deletes.push_back(a.path);
  }
  m_progress.needs_upload = !m_uploads.empty();
  m_progress.needs_remote_delete = !m_remote_deletes.empty();
  m_progress.quick = true;
  m_progress.plan = std::move(*plan);
  return true;
}

void Executor::TwoWayRun::list_sides() {
  // Both sides at once (the remote is network-bound, the local side disk-bound). An upgraded
  // baseline without md5s holds rclone's stored mtimes: its first run lists those too.
  const bool metadata = m_imported && m_remote_flags.server_modtime &&
                        std::any_of(m_baseline.files.begin(), m_baseline.files.end(),
                                    [](const auto& f) { return f.second.remote.md5.empty(); });
  auto all = std::make_shared<Listings>();
  auto meta_flags = m_remote_flags;
  meta_flags.server_modtime = false;
  const auto& env = m_ex.m_settings.env;
  std::vector<std::pair<Invocation, std::shared_ptr<Child>>> jobs;
  jobs.emplace_back(build_tree_listing(remote_root(), metadata ? meta_flags : m_remote_flags,
                                       m_action.exclude, context(), env),
                    all->remote);
  jobs.emplace_back(
      build_tree_listing(m_action.local_path, ListingFlags{}, m_action.exclude, context(), env),
      all->local);
  if (metadata) {
    all->remote_server = std::make_shared<Child>();
    jobs.emplace_back(
        build_tree_listing(remote_root(), m_remote_flags, m_action.exclude, context(), env),
        all->remote_server);
  }
  all->left = jobs.size();
  m_listing_procs.clear();
  for (const auto& [inv, child] : jobs) start_listing(inv, child, all);
}

void Executor::TwoWayRun::start_listing(const Invocation& inv, const std::shared_ptr<Child>& child,
                                        const std::shared_ptr<Listings>& all) {
  auto self = shared_from_this();
  m_listing_procs.push_back(m_ex.m_runner.start(
      m_ex.rclone_process(m_action.name, inv, "list both sides", m_ex.m_settings.check_timeout),
      [self, child](OutputStream s, const std::string& line) { self->on_line(*child, s, line); },
      [self, child, all](const ProcessResult& r) {
        child->proc = r;
        child->facts.exit_code = r.exit_code;
        child->facts.term_signal = r.term_signal;
        if (--all->left > 0 || self->m_detached) return;
        self->m_listing_procs.clear();
        self->take_listings(*all);
      }));
}

bool Executor::TwoWayRun::listings_usable(const Listings& all) {
  for (const Child* c : {all.remote.get(), all.local.get(), all.remote_server.get()}) {
    if (c != nullptr && c->proc.spawn_failed) {
      fail(RcloneFailure::fatal, "cannot start rclone: " + c->proc.spawn_error);
      return false;
    }
  }
  if (m_cancelled && !m_progress.failed) {
    fail(RcloneFailure::killed, "stopped while listing");
    return false;
  }
  if (all.remote->proc.timed_out || all.local->proc.timed_out) {
    fail(RcloneFailure::temporary, "listing timed out");
    return false;
  }
  // rc 3 is "directory not found": an empty side (a fresh remote, or a local folder to make).
  // rc 6 with only unreadable folders named is a listing with holes, which the plan respects.
  const auto usable = [](const Child& c) {
    const bool only_holes = c.proc.exit_code == 6 && !c.problems.empty();
    return c.proc.exit_code == 0 || c.proc.exit_code == 3 || only_holes;
  };
  if (!usable(*all.remote) && step_failed(*all.remote, "listing the remote")) return false;
  if (all.remote_server && !usable(*all.remote_server) &&
      step_failed(*all.remote_server, "listing the remote")) {
    return false;
  }
  return usable(*all.local) || !step_failed(*all.local, "listing the local folder");
}

ReconcileOptions Executor::TwoWayRun::take_local_listing(const Child& local) {
  ReconcileOptions o;
  std::set<std::string> unrepresentable;
  for (const auto& p : local.problems) {
    if (p.kind == ListingProblem::Kind::unreadable_dir) {
      o.local_unreadable.push_back(p.path);
      warn("cannot read the local folder " + p.path + "; skipped (nothing under it is deleted)");
    } else {
      unrepresentable.insert(p.path);
    }
  }
  m_local = to_listing(local.entries);
  for (auto it = m_local.begin(); it != m_local.end();) {
    if (!unrepresentable.empty() && has_component(it->first, unrepresentable)) {
      warn("the local name " + it->first +
           " is not valid UTF-8, which rclone cannot carry; it is not synced (rename it)");
      o.skipped.push_back(it->first);
      it = m_local.erase(it);
    } else {
      ++it;
    }
  }
  return o;
}

void Executor::TwoWayRun::adopt_interrupted_sends() {
  if (m_baseline.sent.empty()) return;
  const auto& seen = m_claim_state ? m_claim_state : m_progress.control;
  const auto taken = adopt_sent(m_baseline, m_remote, seen.value_or(ControlState{}), m_owed_marker);
  if (!taken.empty()) {
    m_ex.m_log.info("files an interrupted run sent are on the remote; taken as synced",
                    {{"action", m_action.name}, {"files", taken.size()}, {"first", taken.front()}});
  }
}

void Executor::TwoWayRun::take_listings(const Listings& all) {
  if (!listings_usable(all)) return;
  auto o = take_local_listing(*all.local);
  for (const auto& p : all.remote->problems) {
    if (p.kind == ListingProblem::Kind::unreadable_dir) o.remote_unreadable.push_back(p.path);
  }
  m_remote = to_listing(all.remote->entries);
  adopt_interrupted_sends();
  restore_if_fresh(o);
  o.max_delete_percent = m_ex.m_settings.safety.max_delete_percent;
  o.force_deletes = m_ex.m_settings.force_deletes;
  o.allow_empty_source =
      m_ex.m_settings.allow_empty_source || m_ex.m_settings.safety.allow_empty_source;
  o.remote_listing_has_metadata_times = all.remote_server != nullptr;
  auto plan = reconcile(m_baseline, m_local, m_remote, o);
  // From here on the server's times are what gets recorded.
  if (all.remote_server) m_remote = to_listing(all.remote_server->entries);
  m_progress.relisted = m_progress.claimed;
  m_progress.listed = true;
  m_progress.plan = std::move(plan);
  plan_from_listings();
  advance();
}

}  // namespace coltec
