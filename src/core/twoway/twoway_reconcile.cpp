// Comparing the baseline with both listings, path by path, and the guards that keep a side
// that went missing or empty from being mirrored (README "Two-way sync").

#include <algorithm>
#include <set>

#include <coltec/safety.hpp>
#include <coltec/twoway.hpp>

namespace coltec {
namespace {

bool under(const std::string& path, const std::vector<std::string>& dirs) {
  return std::any_of(dirs.begin(), dirs.end(), [&](const std::string& dir) {
    return dir.empty() || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                           path[dir.size()] == '/');
  });
}

struct Sides {
  const FileState* base_local = nullptr;
  const FileState* base_remote = nullptr;
  const FileState* local = nullptr;
  const FileState* remote = nullptr;
};

// A remote listing in server times cannot be compared by time with a baseline that holds
// rclone's stored mtimes (imported from bisync): only size and md5 can say "unchanged".
bool remote_differs(const FileState& now, const FileState& recorded, bool comparable_times) {
  if (comparable_times) return differs(now, recorded);
  if (now.size != recorded.size) return true;
  return now.md5.empty() || recorded.md5.empty() || now.md5 != recorded.md5;
}

Change change_of(const FileState* now, const FileState* recorded, bool unreadable,
                 bool differs_now) {
  if (recorded == nullptr) return now != nullptr ? Change::created : Change::none;
  if (now == nullptr) return unreadable ? Change::none : Change::deleted;
  return differs_now ? Change::modified : Change::none;
}

Op op_for(Change local, Change remote) {
  const bool l_changed = local == Change::created || local == Change::modified;
  const bool r_changed = remote == Change::created || remote == Change::modified;
  if (l_changed && r_changed) return Op::compare;
  if (l_changed) return Op::upload;  // also over a remote deletion: an edit outlives a delete
  if (r_changed) return Op::download;
  if (local == Change::deleted && remote == Change::deleted) return Op::forget;
  if (local == Change::deleted) return Op::delete_remote;
  return Op::delete_local;
}

// Deletions of one side past the cap are held back: they stay in the baseline, so the next
// run proposes them again, and the copies of this run go ahead.
void cap_deletes(SyncPlan& plan, Op op, std::uint64_t side_files, const ReconcileOptions& o) {
  std::uint64_t deletes = 0;
  for (const auto& a : plan.actions) deletes += a.op == op ? 1 : 0;
  if (deletes == 0) return;
  const auto decision =
      check_delete_cap({deletes, side_files}, o.max_delete_percent, o.force_deletes);
  if (decision.verdict != Verdict::refuse) return;
  for (const auto& a : plan.actions) {
    if (a.op == op) plan.held_back_deletes.push_back(a.path);
  }
  std::erase_if(plan.actions, [op](const PathAction& a) { return a.op == op; });
  plan.held_back_reason += (plan.held_back_reason.empty() ? "" : "; ") +
                           std::string(op == Op::delete_remote ? "remote: " : "local: ") +
                           decision.reason;
}

std::optional<std::string> empty_side(const Baseline& b, const Listing& local,
                                      const Listing& remote, const ReconcileOptions& o) {
  if (b.files.empty() || o.allow_empty_source) return std::nullopt;
  const auto n = std::to_string(b.files.size());
  if (local.empty() && o.local_unreadable.empty()) {
    return "the local folder is empty while the last sync left " + n +
           " files on both sides (unmounted volume or deleted folder?); refusing to delete "
           "them on the remote. Use --allow-empty-source if the folder really was emptied";
  }
  if (remote.empty() && o.remote_unreadable.empty()) {
    return "the remote folder is empty while the last sync left " + n +
           " files on both sides (misspelled remote_path, or a wiped bucket?); refusing to "
           "delete the local copies. Use --allow-empty-source if it really was emptied";
  }
  return std::nullopt;
}

}  // namespace

bool differs(const FileState& now, const FileState& recorded) {
  if (now.size != recorded.size) return true;
  if (!now.md5.empty() && !recorded.md5.empty()) return now.md5 != recorded.md5;
  return now.mtime_ns != recorded.mtime_ns;
}

SyncPlan reconcile(const Baseline& baseline, const Listing& local, const Listing& remote,
                   const ReconcileOptions& o) {
  SyncPlan plan;
  plan.refusal = empty_side(baseline, local, remote, o);
  if (plan.refusal) return plan;
  const bool comparable_times =
      baseline.remote_times == RemoteTimes::server || o.remote_listing_has_metadata_times;
  std::set<std::string> paths;
  for (const auto& [p, e] : baseline.files) paths.insert(p);
  for (const auto& [p, e] : local) paths.insert(p);
  for (const auto& [p, e] : remote) paths.insert(p);
  const std::set<std::string> skipped(o.skipped.begin(), o.skipped.end());
  for (const auto& path : paths) {
    if (skipped.count(path) != 0) continue;
    Sides s;
    if (const auto b = baseline.files.find(path); b != baseline.files.end()) {
      s.base_local = &b->second.local;
      s.base_remote = &b->second.remote;
    }
    if (const auto l = local.find(path); l != local.end()) s.local = &l->second;
    if (const auto r = remote.find(path); r != remote.end()) s.remote = &r->second;
    const bool l_differs = s.local && s.base_local && differs(*s.local, *s.base_local);
    const bool r_differs =
        s.remote && s.base_remote && remote_differs(*s.remote, *s.base_remote, comparable_times);
    const auto lc = change_of(s.local, s.base_local, under(path, o.local_unreadable), l_differs);
    const auto rc = change_of(s.remote, s.base_remote, under(path, o.remote_unreadable), r_differs);
    if (lc == Change::none && rc == Change::none) {
      // Unchanged by content, but a time or a hash the baseline lacks is worth recording.
      const bool stale = (s.local && s.base_local && !(*s.local == *s.base_local)) ||
                         (s.remote && s.base_remote && !(*s.remote == *s.base_remote));
      if (stale && s.local && s.remote) plan.actions.push_back({path, Op::refresh, lc, rc});
      continue;
    }
    plan.actions.push_back({path, op_for(lc, rc), lc, rc});
  }
  cap_deletes(plan, Op::delete_remote, remote.size(), o);
  cap_deletes(plan, Op::delete_local, local.size(), o);
  return plan;
}

Winner conflict_winner(std::int64_t local_mtime_ns, std::int64_t remote_mtime_ns) {
  return remote_mtime_ns > local_mtime_ns ? Winner::remote : Winner::local;
}

std::string conflict_name(const std::string& path, const std::string& stamp,
                          const std::string& side) {
  const auto slash = path.rfind('/');
  const auto name_start = slash == std::string::npos ? 0 : slash + 1;
  const auto dot = path.rfind('.');
  const std::string tag = ".conflict-" + stamp + "-" + side;
  // "notes.md" keeps ".md" last; ".bashrc" and "Makefile" have no extension to keep.
  if (dot == std::string::npos || dot <= name_start) return path + tag;
  return path.substr(0, dot) + tag + path.substr(dot);
}

}  // namespace coltec
