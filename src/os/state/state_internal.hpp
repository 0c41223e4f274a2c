#pragma once
// Helpers shared by the state_*.cpp files; not part of the public interface.

#include <cerrno>
#include <string>
#include <system_error>

namespace coltec::state_detail {

/// The OS's sentence for errno value `err` ("Permission denied").
inline std::string os_reason(int err) {
  return std::generic_category().message(err);
}

/// A name usable as one path component: not empty, ".", "..", and no '/' or NUL.
inline bool valid_component(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string("/\0", 2)) == std::string::npos;
}

/// Read at most `limit` bytes of `path` into `out`; false with errno set on failure. A
/// symlink at `path` is not followed (ELOOP): state files are never links.
bool read_small_file(const std::string& path, std::size_t limit, std::string& out);

}  // namespace coltec::state_detail
