// One unreadable file or folder must not stop the rest of a push-only or pull-only folder.
// rclone names what it cannot read in its log (rclone_unreadable.hpp): a folder already in
// the dry-run pre-check, a file only when a copy opens it. A round that fails having found
// new ones starts again from the inspection with exactly those left out by anchored exclude
// rules, at most k_max_unreadable_rounds times; rclone sync never deletes what is excluded,
// so their copies on the other side stay. The paths are remembered, so that later runs leave
// them out from the start for as long as they stay unreadable (checked before every run: a
// repaired permission syncs the path again).
//
// Why rclone's log and not the local inspection: the inspection stops at the first file on
// purpose (its cost must not grow with the tree), while rclone lists the whole tree anyway
// and sees exactly what it will sync (the excludes, its name encoding).

#include <algorithm>

#include <coltec/disk.hpp>
#include <coltec/rclone_listing.hpp>

#include "executor_run.hpp"

namespace coltec {
namespace {

// Whether `p` under `root` is still there and still unreadable to us. A name that cannot be
// mapped back to bytes (rclone's lossy U+FFFD) counts as readable: if it is not, the next
// run finds it again.
bool still_unreadable(Disk& disk, const std::string& root, const UnreadablePath& p) {
  const auto bytes = local_name_of(p.path);
  return bytes && disk.read_refused(root + "/" + *bytes, p.is_dir);
}

}  // namespace

void Executor::Run::skip_unreadable() {
  if (!m_spec_exclude) m_spec_exclude = m_action.exclude;
  auto& known = m_ex.m_unreadable[m_action.name];
  std::erase_if(known, [this](const UnreadablePath& p) {
    return !still_unreadable(*m_ex.m_disk, m_action.local_path, p);
  });
  m_action.exclude = *m_spec_exclude;
  for (const auto& p : known) {
    m_action.exclude.push_back(exclude_rule(p));
    const auto warning = unreadable_warning(p);
    const auto& said = m_report.notes.warnings;
    if (std::find(said.begin(), said.end(), warning) == said.end()) warn(warning);
  }
  if (known.empty()) m_ex.m_unreadable.erase(m_action.name);
}

// With the trash on, rclone moves the remote file to --backup-dir before it opens the local
// one (measured on 1.60.1), so an unreadable file handed to a copy would leave its remote copy
// in the trash. The pre-check names what it would copy: those are checked before any copy.
// Beyond DryRunTally::k_max_listed names only the failed round finds the rest.
void Executor::Run::skip_unreadable_copies(DryRunTally& tally) {
  if (m_action.direction != Direction::push_only) return;
  std::vector<std::string> readable;
  for (auto& name : tally.copy_objects) {
    const UnreadablePath p{name, false};
    if (!still_unreadable(*m_ex.m_disk, m_action.local_path, p)) {
      readable.push_back(std::move(name));
      continue;
    }
    m_ex.m_unreadable[m_action.name].insert(p);
    m_action.exclude.push_back(exclude_rule(p));
    warn(unreadable_warning(p));
    --tally.copies;
  }
  tally.copy_objects = std::move(readable);
}

bool Executor::Run::run_again_without_unreadable(RcloneFailure failure) {
  if (m_found_unreadable.empty() || m_cancelled || m_detached) return false;
  // Remembered even when this run gives up: the next one starts without them.
  auto& known = m_ex.m_unreadable[m_action.name];
  std::size_t fresh = 0;
  for (const auto& p : m_found_unreadable) fresh += known.insert(p).second ? 1U : 0U;
  m_found_unreadable.clear();
  if (!retry_without_unreadable(failure, fresh, m_unreadable_rounds)) return false;
  ++m_unreadable_rounds;
  m_ex.m_log.info("running the sync again without what rclone cannot read",
                  {{"action", m_action.name},
                   {"newly_skipped", fresh},
                   {"skipped", known.size()},
                   {"round", m_unreadable_rounds + 1}});
  // Nothing of the failed round carries over but what it restored: the pre-check and the
  // delete cap are worked out again for what is left, from the inspection on.
  m_progress = first_progress();
  m_report.stats = {};
  m_report.notes.held_back = {};
  advance();
  return true;
}

}  // namespace coltec
