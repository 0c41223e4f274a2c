// What a two-way run changes, in an order that keeps every version: remote versions are
// fetched into a staging folder beside the files (so a killed transfer never truncates a
// real file), compared, and renamed into place, with every local file they replace or
// delete moved to <state>/restore-backup/ first; uploads and remote deletions send replaced
// remote versions to the trash. The baseline records only what each step confirmed.

#include <algorithm>

#include <fmt/format.h>

#include "twoway_run.hpp"

namespace coltec {
namespace {

constexpr std::size_t k_max_listed_lookup = 500;

}  // namespace

bool Executor::TwoWayRun::local_unchanged(const std::string& path) const {
  const auto target = local(m_action.local_path, path);
  if (!target) return false;
  const auto now_entry = disk().stat(*target);
  const auto listed = m_local.find(path);
  if (listed == m_local.end()) return now_entry.kind == EntryKind::missing;
  return now_entry.kind == EntryKind::file && now_entry.state.size == listed->second.size &&
         now_entry.state.mtime_ns == listed->second.mtime_ns;
}

void Executor::TwoWayRun::fetch() {
  const auto staging = staging_dir();
  if (auto made = disk().make_dirs(staging); !made) {
    return fail(RcloneFailure::fatal, "cannot create the staging folder: " + made.error().message);
  }
  TransferSpec spec;
  spec.src = remote_root();
  spec.dst = staging;
  // Everything the remote holds (a fresh container): one plain copy, as cheap as rclone copy.
  if (m_fetch.size() != m_remote.size()) {
    const auto list = write_list("fetch", {m_fetch.begin(), m_fetch.end()});
    if (list.empty())
      return fail(RcloneFailure::fatal, "cannot write a file list in the state dir");
    spec.files_from = list;
    spec.no_traverse = look_up_each(m_fetch.size(), m_remote.size());
  }
  exec(build_transfer(m_action, spec, context(), m_ex.m_settings.env), "fetch remote versions",
       m_ex.m_settings.run_timeout, [this, staging](Child& c) {
         if (c.proc.exit_code != 0 && c.failed_objects.empty() &&
             step_failed(c, "downloading from the remote")) {
           return;
         }
         m_report.stats.bytes += c.stats.bytes;
         for (const auto& p : m_fetch) {
           const auto staged = local(staging, p);
           const auto entry = staged ? disk().stat(*staged) : DiskEntry{};
           if (entry.kind == EntryKind::file && entry.state.size == m_remote.at(p).size) {
             m_fetched.insert(p);
           } else {
             const auto why = c.failed_objects.find(p);
             leave_for_later("could not download " + p +
                             (why != c.failed_objects.end() ? ": " + why->second : std::string()) +
                             "; it is tried again next run");
           }
         }
         resolve_fetched();
         m_progress.fetched = true;
         advance();
       });
}

void Executor::TwoWayRun::resolve_fetched() {
  for (const auto& p : m_compares) {
    if (m_identical.count(p) != 0 || m_fetched.count(p) == 0) continue;
    const auto mine = local(m_action.local_path, p);
    const auto theirs = local(staging_dir(), p);
    if (!mine || !theirs) continue;
    CompareFacts facts{m_local.at(p), m_remote.at(p), std::nullopt,
                       disk().stat(*theirs).state.mtime_ns};
    if (facts.local.size == facts.remote.size) {
      const auto same = disk().same_bytes(*mine, *theirs);
      if (!same) {
        leave_for_later("cannot compare " + p + ": " + same.error().message +
                        "; tried again next run");
        continue;
      }
      facts.identical = *same;
    }
    const auto r = resolve(facts);
    if (r == Resolution::identical) {
      m_identical.insert(p);
    } else if (r == Resolution::local_wins || r == Resolution::remote_wins) {
      m_conflicts[p] = r;
    }
  }
}

void Executor::TwoWayRun::place_download(const std::string& p) {
  const auto target = local(m_action.local_path, p);
  const auto staged = local(staging_dir(), p);
  if (!target || !staged) return warn("the name " + p + " cannot be written locally; skipped");
  if (!local_unchanged(p)) {  // edited since the listing: the next run compares it
    m_left_work = true;
    return;
  }
  if (disk().stat(*target).kind == EntryKind::file) {
    if (auto kept = disk().move(*target, *local(backup_dir(), p)); !kept) {
      return leave_for_later("cannot keep a copy of " + p + " before replacing it (" +
                             kept.error().message + "); not replaced");
    }
  }
  if (auto placed = disk().move(*staged, *target); !placed) {
    return leave_for_later("cannot put " + p + " in place: " + placed.error().message);
  }
  const auto state = disk().stat(*target).state;
  m_baseline.files[p] = {state, m_remote.at(p)};
  ++m_report.stats.transfers;
}

void Executor::TwoWayRun::place_conflict(const std::string& p) {
  const bool remote_wins = m_conflicts.at(p) == Resolution::remote_wins;
  const auto copy = conflict_name(p, m_stamp, remote_wins ? "local" : "remote");
  const auto target = local(m_action.local_path, p);
  const auto copy_path = local(m_action.local_path, copy);
  const auto staged = local(staging_dir(), p);
  if (!target || !copy_path || !staged) return;
  if (!local_unchanged(p)) {
    m_left_work = true;
    return;
  }
  // The loser keeps its bytes under the conflict name, on both sides after the upload.
  const auto moved =
      remote_wins ? disk().move(*target, *copy_path) : disk().move(*staged, *copy_path);
  if (!moved) {
    return leave_for_later("cannot keep both versions of " + p + ": " + moved.error().message);
  }
  if (remote_wins) {
    if (auto placed = disk().move(*staged, *target); !placed) {
      return leave_for_later("cannot put the remote version of " + p +
                             " in place: " + placed.error().message);
    }
    m_baseline.files[p] = {disk().stat(*target).state, m_remote.at(p)};
  } else {
    m_uploads.push_back(p);
    m_upload_local[p] = m_local.at(p);
  }
  m_uploads.push_back(copy);
  m_upload_local[copy] = disk().stat(*copy_path).state;
  m_made_conflicts.push_back(copy);
  m_baseline.conflicts.push_back(copy);
  m_ex.m_log.warn("conflict: both sides changed a file; the newer version keeps its name",
                  {{"action", m_action.name},
                   {"file", p},
                   {"kept", remote_wins ? "remote" : "local"},
                   {"other_version", copy}});
}

void Executor::TwoWayRun::delete_local(const std::string& p) {
  const auto target = local(m_action.local_path, p);
  if (!target) return;
  if (!local_unchanged(p)) {
    m_left_work = true;
    return;
  }
  if (auto kept = disk().move(*target, *local(backup_dir(), p)); !kept) {
    return leave_for_later("cannot move " + p + " to the backup: " + kept.error().message);
  }
  m_baseline.files.erase(p);
  ++m_report.stats.deletes;
}

void Executor::TwoWayRun::apply_local() {
  if (!m_downloads.empty() || !m_conflicts.empty()) {
    if (auto made = disk().make_dirs(m_action.local_path); !made) {
      return fail(RcloneFailure::fatal, "cannot create the local folder: " + made.error().message);
    }
  }
  for (const auto& p : m_downloads) {
    if (m_fetched.count(p) != 0) place_download(p);
  }
  for (const auto& [p, r] : m_conflicts) place_conflict(p);
  for (const auto& a : m_progress.plan->actions) {
    if (a.op == Op::delete_local) delete_local(a.path);
    if (a.op == Op::upload && !m_upload_local.count(a.path))
      m_upload_local[a.path] = m_local.at(a.path);
  }
  for (const auto& p : m_identical) m_baseline.files[p] = {m_local.at(p), m_remote.at(p)};
  if (m_progress.fetched) (void)disk().remove_all(staging_dir());
  m_progress.local_applied = true;
  m_progress.needs_upload = !m_uploads.empty();
  advance();
}

void Executor::TwoWayRun::upload() {
  skip_unreadable_uploads();
  const auto list = write_list("upload", m_uploads);
  if (list.empty()) return fail(RcloneFailure::fatal, "cannot write a file list in the state dir");
  TransferSpec spec;
  spec.src = m_action.local_path;
  spec.dst = remote_root();
  spec.files_from = list;
  // The quick path knows no remote listing: the baseline's size of the tree stands in.
  const auto tree = m_progress.listed ? m_remote.size() : m_baseline.files.size();
  spec.no_traverse = look_up_each(m_uploads.size(), tree);
  if (m_ex.m_settings.safety.trash) spec.backup_dir = trash_dir();
  exec(build_transfer(m_action, spec, context(), m_ex.m_settings.env), "upload",
       m_ex.m_settings.run_timeout, [this](Child& c) {
         if (failed_as_a_whole(c, m_uploads, "uploading to the remote")) return;
         for (const auto& p : m_uploads) {
           const auto bad = c.failed_objects.find(p);
           if (bad == c.failed_objects.end()) {
             m_uploaded.push_back(p);
           } else {
             leave_for_later("could not upload " + p + ": " + bad->second + "; the rest is synced");
           }
         }
         m_report.stats.transfers += m_uploaded.size();
         m_report.stats.bytes += c.stats.bytes;
         m_progress.uploaded = true;
         advance();
       });
}

void Executor::TwoWayRun::delete_remote() {
  const auto list = write_list("delete", m_remote_deletes);
  if (list.empty()) return fail(RcloneFailure::fatal, "cannot write a file list in the state dir");
  auto inv = [&] {
    if (!m_ex.m_settings.safety.trash) {
      return build_delete_listed(remote_root(), list, context(), m_ex.m_settings.env);
    }
    TransferSpec spec;
    spec.src = remote_root();
    spec.dst = trash_dir();
    spec.files_from = list;
    spec.move = true;
    spec.no_traverse =
        look_up_each(m_remote_deletes.size(), std::max(m_remote.size(), m_baseline.files.size()));
    return build_transfer(m_action, spec, context(), m_ex.m_settings.env);
  }();
  exec(inv, "delete on the remote", m_ex.m_settings.run_timeout, [this](Child& c) {
    if (failed_as_a_whole(c, m_remote_deletes, "deleting on the remote")) return;
    for (const auto& p : m_remote_deletes) {
      if (c.failed_objects.count(p) != 0) {
        leave_for_later("could not delete " + p + " on the remote; tried again next run");
        continue;
      }
      m_baseline.files.erase(p);
      ++m_report.stats.deletes;
    }
    m_progress.remote_deleted = true;
    advance();
  });
}

void Executor::TwoWayRun::lookup_uploaded() {
  if (m_uploaded.empty()) {
    m_progress.looked_up = true;
    return advance();
  }
  // A few files are looked up by name (one request each); many, with one listing.
  const bool by_name = m_uploaded.size() <= k_max_listed_lookup;
  const auto list = by_name ? write_list("lookup", m_uploaded) : std::string();
  if (by_name && list.empty()) return fail(RcloneFailure::fatal, "cannot write a file list");
  const auto inv = by_name ? build_listed_lookup(remote_root(), list, m_remote_flags, context(),
                                                 m_ex.m_settings.env)
                           : build_tree_listing(remote_root(), m_remote_flags, m_action.exclude,
                                                context(), m_ex.m_settings.env);
  exec(inv, "look at the uploaded files", m_ex.m_settings.check_timeout, [this](Child& c) {
    if (step_failed(c, "looking at the uploaded files")) return;
    std::map<std::string, FileState> seen;
    for (auto& e : c.entries) seen[e.path] = e.state;
    for (const auto& p : m_uploaded) {
      const auto r = seen.find(p);
      const auto l = m_upload_local.find(p);
      // Another writer's file of another size: leave the baseline as it was, so the next
      // run compares both versions instead of taking theirs for ours.
      if (r == seen.end() || l == m_upload_local.end() || r->second.size != l->second.size) {
        m_left_work = true;
        continue;
      }
      m_baseline.files[p] = {l->second, r->second};
    }
    m_progress.looked_up = true;
    advance();
  });
}

void Executor::TwoWayRun::save_baseline() {
  for (const auto& a : m_progress.plan->actions) {
    if (a.op == Op::forget) m_baseline.files.erase(a.path);
    if (a.op == Op::refresh) m_baseline.files[a.path] = {m_local.at(a.path), m_remote.at(a.path)};
  }
  RunGenerations run;
  run.left_work = m_left_work;
  run.remote_changed = !m_uploaded.empty() || m_report.stats.deletes > 0;
  run.marker_written = m_generation_on_remote;
  run.new_generation = m_new_generation;
  if (const auto& seen = m_claim_state ? m_claim_state : m_progress.control) {
    run.seen = generation_of(*seen);
  }
  run.old_generation = m_baseline.generation;
  run.owed_before = m_progress.owes_generation;
  run.owed_paid = m_owed_paid;
  const auto recorded = recorded_generation(run);
  m_baseline.generation = recorded.generation;
  m_baseline.owes_generation = recorded.owes;
  if (m_progress.listed) {  // adopt_sent has read it; a run that did not list keeps it
    m_baseline.sent.clear();
    m_baseline.sent_replaces.clear();
    m_baseline.sent_under.clear();
  }
  if (m_progress.listed) {
    m_baseline.remote_times = RemoteTimes::server;
    // A conflict copy the person deleted (or renamed) is resolved.
    std::erase_if(m_baseline.conflicts, [this](const std::string& c) {
      return m_local.count(c) == 0 && std::find(m_made_conflicts.begin(), m_made_conflicts.end(),
                                                c) == m_made_conflicts.end();
    });
  }
  if (auto written = disk().write_file(baseline_path(), format_baseline(m_baseline)); !written) {
    return fail(RcloneFailure::fatal, "cannot record the sync state: " + written.error().message);
  }
  m_report.conflicts = m_baseline.conflicts;
  m_progress.saved = true;
  advance();
}

}  // namespace coltec
