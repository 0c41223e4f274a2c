#pragma once
// The real disk, except for what a test plays: paths it may not read (the tests run as root,
// which reads a mode-000 file; tests/e2e/unreadable_test.sh does the real thing as an
// unprivileged user) and folders with something mounted at them (a test cannot mount).

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <coltec/disk.hpp>

namespace coltec {

class PlayedDisk final : public Disk {
 public:
  DiskEntry stat(const std::string& p) override { return m_real->stat(p); }
  Status move(const std::string& a, const std::string& b) override { return m_real->move(a, b); }
  Result<bool> same_bytes(const std::string& a, const std::string& b) override {
    return m_real->same_bytes(a, b);
  }
  Status make_dirs(const std::string& p) override { return m_real->make_dirs(p); }
  Status remove_all(const std::string& p) override { return m_real->remove_all(p); }
  Result<std::string> read_file(const std::string& p, std::size_t max) override {
    return m_real->read_file(p, max);
  }
  Status write_file(const std::string& p, const std::string& text) override {
    return m_real->write_file(p, text);
  }
  Result<std::vector<std::string>> list_dir(const std::string& p) override {
    return m_real->list_dir(p);
  }
  bool read_refused(const std::string& p, bool /*is_dir*/) override { return refused.contains(p); }
  SideState inspect(const std::string& root, const std::vector<std::string>& exclude) override {
    return m_real->inspect(root, exclude);
  }
  bool is_mount_point(const std::string& p) override { return mounts.contains(p); }

  std::set<std::string> refused;  ///< read_refused says so for these, and only these
  std::set<std::string> mounts;   ///< is_mount_point says so for these, and only these

 private:
  std::unique_ptr<Disk> m_real = make_system_disk();
};

}  // namespace coltec
