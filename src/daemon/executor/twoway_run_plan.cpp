// What the listings ask of a two-way run: the plan's actions queued by kind (and logged; a dry
// run says what it would do), and the files changed on both sides compared, md5s first and
// then bytes, only for what the md5s cannot settle.

#include <algorithm>

#include <fmt/format.h>

#include "twoway_run.hpp"

namespace coltec {

void Executor::TwoWayRun::plan_from_listings() {
  m_downloads.clear();
  m_compares.clear();
  m_uploads.clear();
  m_remote_deletes.clear();
  const auto& plan = *m_progress.plan;
  note_held_back(plan);
  for (const auto& a : plan.actions) queue(a);
  prepare_compare();
}

void Executor::TwoWayRun::note_held_back(const SyncPlan& plan) {
  auto& held = m_report.notes.held_back;
  held.count = plan.held_back_deletes.size();
  held.reason = plan.held_back_reason;
  held.files.assign(plan.held_back_deletes.begin(),
                    plan.held_back_deletes.begin() +
                        static_cast<std::ptrdiff_t>(
                            std::min(plan.held_back_deletes.size(), HeldBackDeletes::k_max_named)));
  if (plan.held_back_deletes.empty()) return;
  m_ex.m_log.warn("deletions held back by the delete cap; everything else is synced",
                  {{"action", m_action.name},
                   {"count", plan.held_back_deletes.size()},
                   {"first", plan.held_back_deletes.front()},
                   {"reason", plan.held_back_reason}});
}

void Executor::TwoWayRun::queue(const PathAction& a) {
  const char* verb = "";
  switch (a.op) {
    case Op::upload:
      m_uploads.push_back(a.path);
      verb = "upload";
      break;
    case Op::download:
      m_downloads.push_back(a.path);
      verb = "download";
      break;
    case Op::delete_remote:
      m_remote_deletes.push_back(a.path);
      verb = "delete on the remote (to the trash)";
      break;
    case Op::delete_local:
      verb = "delete locally (to the backup)";
      break;
    case Op::compare:
      m_compares.push_back(a.path);
      verb = "compare (changed on both sides)";
      break;
    case Op::forget:
    case Op::refresh:
      return;
  }
  m_ex.m_log.log(m_ex.m_settings.dry_run ? Level::info : Level::debug,
                 m_ex.m_settings.dry_run ? fmt::format("would {}", verb) : verb,
                 {{"action", m_action.name}, {"object", a.path}});
}

void Executor::TwoWayRun::prepare_compare() {
  m_fetch.clear();
  m_fetch.insert(m_downloads.begin(), m_downloads.end());
  bool hashes = false;
  for (const auto& p : m_compares) {
    if (m_identical.count(p) != 0) continue;
    const auto& r = m_remote.at(p);
    const auto& l = m_local.at(p);
    if (l.size == r.size && !r.md5.empty() && !m_progress.hashed) {
      hashes = true;  // md5s first; only what differs needs its bytes
    } else {
      m_fetch.insert(p);
    }
  }
  m_progress.needs_hashes = hashes;
  m_progress.needs_fetch = !m_fetch.empty() || hashes;
  m_progress.needs_upload = !m_uploads.empty() || !m_compares.empty();
  m_progress.needs_remote_delete = !m_remote_deletes.empty();
}

void Executor::TwoWayRun::hash_local() {
  std::vector<std::string> paths;
  for (const auto& p : m_compares) {
    if (m_fetch.count(p) == 0 && m_identical.count(p) == 0) paths.push_back(p);
  }
  const auto list = write_list("hash", paths);
  if (list.empty()) return fail(RcloneFailure::fatal, "cannot write a file list in the state dir");
  ListingFlags with_md5;
  with_md5.md5 = true;
  exec(build_listed_lookup(m_action.local_path, list, with_md5, context(), m_ex.m_settings.env),
       "hash local files", m_ex.m_settings.run_timeout, [this, paths](Child& c) {
         if (c.proc.exit_code != 0 && step_failed(c, "hashing local files")) return;
         std::map<std::string, std::string> md5;
         for (const auto& e : c.entries) md5[e.path] = e.state.md5;
         for (const auto& p : paths) {
           const auto it = md5.find(p);
           if (it != md5.end() && !it->second.empty() && it->second == m_remote.at(p).md5) {
             m_identical.insert(p);
             m_local[p].md5 = it->second;
           } else {
             m_fetch.insert(p);  // different (or unreadable): its bytes decide
           }
         }
         m_progress.hashed = true;
         m_progress.needs_fetch = !m_fetch.empty();
         advance();
       });
}

}  // namespace coltec
