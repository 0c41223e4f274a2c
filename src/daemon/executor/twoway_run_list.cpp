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
  auto remote = std::make_shared<Child>();
  auto local_child = std::make_shared<Child>();
  auto remote_server = metadata ? std::make_shared<Child>() : nullptr;
  struct Job {
    Invocation inv;
    std::shared_ptr<Child> child;
  };
  auto meta_flags = m_remote_flags;
  meta_flags.server_modtime = false;
  std::vector<Job> jobs;
  jobs.push_back({build_tree_listing(remote_root(), metadata ? meta_flags : m_remote_flags,
                                     m_action.exclude, context(), m_ex.m_settings.env),
                  remote});
  jobs.push_back({build_tree_listing(m_action.local_path, ListingFlags{}, m_action.exclude,
                                     context(), m_ex.m_settings.env),
                  local_child});
  if (remote_server) {
    jobs.push_back({build_tree_listing(remote_root(), m_remote_flags, m_action.exclude, context(),
                                       m_ex.m_settings.env),
                    remote_server});
  }
  auto left = std::make_shared<std::size_t>(jobs.size());
  auto self = shared_from_this();
  m_listing_procs.clear();
  for (auto& job : jobs) {
    m_ex.m_log.debug(
        "running rclone",
        {{"action", m_action.name}, {"step", "list both sides"}, {"command", job.inv.redacted}});
    ProcessSpec spec;
    spec.argv = job.inv.argv;
    spec.env = job.inv.env;
    spec.timeout = m_ex.m_settings.check_timeout;
    spec.kill_grace = m_ex.m_settings.term_grace;
    spec.keep_fds = m_ex.m_settings.keep_fds;  // the in-memory rclone config
    auto child = job.child;
    m_listing_procs.push_back(m_ex.m_runner.start(
        spec,
        [self, child](OutputStream s, const std::string& line) { self->on_line(*child, s, line); },
        [self, child, left, remote, local_child, remote_server](const ProcessResult& r) {
          child->proc = r;
          child->facts.exit_code = r.exit_code;
          child->facts.term_signal = r.term_signal;
          if (--*left > 0 || self->m_detached) return;
          self->m_listing_procs.clear();
          self->take_listings(*remote, *local_child, remote_server.get());
        }));
  }
}

void Executor::TwoWayRun::take_listings(Child& remote, Child& local_child, Child* remote_server) {
  for (Child* c : {&remote, &local_child, remote_server}) {
    if (c == nullptr) continue;
    if (c->proc.spawn_failed)
      return fail(RcloneFailure::fatal, "cannot start rclone: " + c->proc.spawn_error);
  }
  if (m_cancelled && !m_progress.failed)
    return fail(RcloneFailure::killed, "stopped while listing");
  if (remote.proc.timed_out || local_child.proc.timed_out) {
    return fail(RcloneFailure::temporary, "listing timed out");
  }
  // rc 3 is "directory not found": an empty side (a fresh remote, or a local folder to make).
  // rc 6 with only unreadable folders named is a listing with holes, which the plan respects.
  const auto usable = [](const Child& c) {
    const bool only_holes = c.proc.exit_code == 6 && !c.problems.empty();
    return c.proc.exit_code == 0 || c.proc.exit_code == 3 || only_holes;
  };
  if (!usable(remote) && step_failed(remote, "listing the remote")) return;
  if (remote_server && !usable(*remote_server) &&
      step_failed(*remote_server, "listing the remote")) {
    return;
  }
  if (!usable(local_child) && step_failed(local_child, "listing the local folder")) return;
  ReconcileOptions o;
  std::set<std::string> unrepresentable;
  for (const auto& p : local_child.problems) {
    if (p.kind == ListingProblem::Kind::unreadable_dir) {
      o.local_unreadable.push_back(p.path);
      warn("cannot read the local folder " + p.path + "; skipped (nothing under it is deleted)");
    } else {
      unrepresentable.insert(p.path);
    }
  }
  for (const auto& p : remote.problems) {
    if (p.kind == ListingProblem::Kind::unreadable_dir) o.remote_unreadable.push_back(p.path);
  }
  m_local = to_listing(local_child.entries);
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
  m_remote = to_listing(remote.entries);
  if (!m_baseline.sent.empty()) {
    const auto& seen = m_claim_state ? m_claim_state : m_progress.control;
    const auto taken =
        adopt_sent(m_baseline, m_remote, seen.value_or(ControlState{}), m_owed_marker);
    if (!taken.empty()) {
      m_ex.m_log.info(
          "files an interrupted run sent are on the remote; taken as synced",
          {{"action", m_action.name}, {"files", taken.size()}, {"first", taken.front()}});
    }
  }
  restore_if_fresh(o);
  o.max_delete_percent = m_ex.m_settings.safety.max_delete_percent;
  o.force_deletes = m_ex.m_settings.force_deletes;
  o.allow_empty_source =
      m_ex.m_settings.allow_empty_source || m_ex.m_settings.safety.allow_empty_source;
  o.remote_listing_has_metadata_times = remote_server != nullptr;
  auto plan = reconcile(m_baseline, m_local, m_remote, o);
  // From here on the server's times are what gets recorded.
  if (remote_server) m_remote = to_listing(remote_server->entries);
  m_progress.relisted = m_progress.claimed;
  m_progress.listed = true;
  m_progress.plan = std::move(plan);
  plan_from_listings();
  advance();
}

}  // namespace coltec
