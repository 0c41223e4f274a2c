#pragma once
// Files for the unit tests: a private temporary directory that removes itself, and reading a
// whole file back. Header-only; every test executable includes what it needs.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <stdlib.h>

namespace coltec::test {

/// mkdtemp("<tmp>/<prefix>-XXXXXX") for the lifetime of the object; removed with everything
/// in it (after making it writable again, for tests that take permissions away).
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "coltec-test") {
    std::string templ =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + templ);
    m_path = templ;
  }
  ~TempDir() {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(m_path, ignored)) {
      std::filesystem::permissions(entry.path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ignored);
    }
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& str() const { return m_path; }
  /// `<dir>/<name>`.
  std::string path(std::string_view name) const { return m_path + "/" + std::string(name); }
  std::filesystem::path operator/(std::string_view name) const {
    return std::filesystem::path(m_path) / name;
  }

 private:
  std::string m_path;
};

/// The whole file, bytes as they are; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace coltec::test
