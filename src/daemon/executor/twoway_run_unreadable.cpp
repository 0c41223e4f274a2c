// A local file a two-way run may not read is never handed to rclone's upload: with the trash
// on, rclone moves the remote file to --backup-dir before it opens the local one (measured on
// 1.60.1), so the remote copy would vanish into the trash. It is named in a warning and left
// out; its remote copy stays, the baseline keeps what it knew, and the next run tries again.
// (An unreadable folder is a hole in the listing already: twoway_run_list.cpp.)

#include <algorithm>

#include <coltec/rclone_unreadable.hpp>

#include "twoway_run.hpp"

namespace coltec {

void Executor::TwoWayRun::skip_unreadable_uploads() {
  std::erase_if(m_uploads, [this](const std::string& name) {
    const auto path = local(m_action.local_path, name);
    // Gone or renamed is not refused: rclone says what became of it.
    if (!path || !disk().read_refused(*path, false)) return false;
    warn(unreadable_warning({name, false}));
    return true;
  });
}

}  // namespace coltec
