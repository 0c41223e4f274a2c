// The event-driven fast path of a push-only action: when every pending local change is an
// existing, readable regular file with a UTF-8 name, upload just those files (`rclone copy
// --files-from-raw --no-traverse`). Nothing is listed and nothing is deleted, so its cost does not
// grow with the tree; deletions, directories and anything uncertain take the full sync (with all
// its safety checks) instead, and interval/reconcile runs are always full. A full run whose dry-run
// pre-check found only a few new or changed files uploads them the same way instead of running the
// whole sync a second time.

#include <memory>

#include <coltec/disk.hpp>
#include <coltec/memory_file.hpp>
#include <coltec/rclone_listing.hpp>
#include <coltec/state.hpp>

#include "executor_run.hpp"

namespace coltec {

// The watcher's files as rclone names them, when the quick upload may take them all.
std::optional<std::vector<std::string>> Executor::Run::quick_names() const {
  if (m_action.direction != Direction::push_only || m_changes.full || m_changes.files.empty() ||
      m_ex.m_settings.dry_run || m_action.expect_mount) {
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& rel : m_changes.files) {
    const auto path = m_action.local_path + "/" + rel;
    // A vanished file is a deletion; a symlink or device is left to the full sync's rules,
    // and a file we cannot read to the full sync that skips it.
    if (m_ex.m_disk->stat(path).kind != EntryKind::file) return std::nullopt;
    if (m_ex.m_disk->read_refused(path, false)) return std::nullopt;
    // The list holds rclone's names, as the pre-check's does: in them a line break or a CR
    // is a printable rune (U+240A, U+240D), so any name fits one line; rclone's line reader
    // would otherwise cut a name at a '\n' and drop a trailing '\r'. Bytes that are not
    // UTF-8 have no rclone name to list them by: the full sync takes them at once.
    auto name = rclone_name_of(rel);
    if (!name) {
      m_ex.m_log.debug("a changed name is not UTF-8; running the full sync instead",
                       {{"action", m_action.name}});
      return std::nullopt;
    }
    names.push_back(std::move(*name));
  }
  return names;
}

void Executor::Run::upload_changed() {
  skip_unreadable();  // what stays unreadable is still named in this run's report
  upload_files(m_quick_names, "upload changed files");
}

void Executor::Run::upload_listed(bool held_back) {
  upload_files(m_progress.precheck->tally.copy_objects,
               held_back ? "upload new and changed files (deletions held back)"
                         : "upload what the pre-check found");
}

void Executor::Run::upload_files(const std::vector<std::string>& files, const char* step_name) {
  std::string list;
  for (const auto& rel : files) list += rel + "\n";
  // The list goes to rclone as an inherited in-memory file: no file to write, name or
  // clean up, so nothing is left behind whatever stops the daemon.
  auto made = MemoryFile::create("coltec-files-from", list);
  if (!made) {
    // Cannot hand over the list: the full sync still does the job, or, when deletions are
    // held back, the copy that never deletes.
    m_progress.list_unsendable = true;
    return advance();
  }
  auto list_file = std::make_shared<MemoryFile>(std::move(made).value());
  auto ctx = context();
  if (m_ex.m_settings.safety.trash) {
    const auto trash = trash_dir_for(m_action, m_stamp);
    if (!trash.empty()) ctx.backup_dir = trash;  // an overwritten remote file stays recoverable
  }
  const auto count = files.size();
  exec(build_copy_files(m_action, list_file->path(), ctx, m_ex.m_settings.env), step_name,
       m_ex.m_settings.run_timeout,
       [this, list_file, count](Step& step) {
         if (step_failed(step, "uploading the changed files")) return;
         m_report.stats = step.stats;
         m_ex.m_log.debug("uploaded only the changed files",
                          {{"action", m_action.name}, {"changed_files", count}});
         m_progress.transferred = true;
         advance();
       },
       {list_file->fd()});
}

}  // namespace coltec
