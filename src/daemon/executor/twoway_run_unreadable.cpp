// A local file a two-way run may not read is never handed to rclone's upload: with the trash
// on, rclone moves the remote file to --backup-dir before it opens the local one (measured on
// 1.60.1), so the remote copy would vanish into the trash. It is named in a warning and left
// out; its remote copy stays, the baseline keeps what it knew, and the next run tries again.
// (An unreadable folder is a hole in the listing already: twoway_run_list.cpp.)

#include <algorithm>
#include <cerrno>

#include <unistd.h>

#include <coltec/rclone_unreadable.hpp>

#include "twoway_run.hpp"

namespace coltec {

void Executor::TwoWayRun::skip_unreadable_uploads() {
  std::erase_if(m_uploads, [this](const std::string& name) {
    const auto path = local(m_action.local_path, name);
    if (!path || access(path->c_str(), R_OK) == 0) return false;
    if (errno != EACCES && errno != EPERM) return false;  // gone or renamed: rclone says so
    warn(unreadable_warning({name, false}));
    return true;
  });
}

}  // namespace coltec
