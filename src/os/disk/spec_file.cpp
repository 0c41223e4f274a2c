// The loader's one I/O edge: read the spec file with limits, then hand the text to the
// pure loader. Opened non-blocking so a FIFO or device named as the spec cannot hang us.

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coltec/spec_file.hpp>
#include <coltec/text.hpp>

namespace coltec {
namespace {

struct Fd {
  int fd = -1;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

LoadResult failure(const std::string& path, std::string message) {
  LoadResult out;
  out.problems.push_back(Problem{"", path, 0, 0, std::move(message)});
  return out;
}

std::string reason(int error) {
  return std::strerror(error);
}

// Reads at most one byte past the limit, so an oversized or growing file costs no more.
bool read_limited(int fd, std::string& text, int& error) {
  char buf[65536];
  while (text.size() <= k_max_spec_bytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      return false;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

struct Text {
  std::optional<std::string> text;
  LoadResult failure;
};

Text read_spec(const std::string& path) {
  const Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (file.fd < 0) {
    const int e = errno;
    return {std::nullopt, failure(path, "cannot open the workspace spec: " + reason(e))};
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) {
    const int e = errno;
    return {std::nullopt, failure(path, "cannot inspect the workspace spec: " + reason(e))};
  }
  if (S_ISDIR(st.st_mode)) {
    return {std::nullopt, failure(path, "the workspace spec is a directory, not a file")};
  }
  if (!S_ISREG(st.st_mode)) {
    return {std::nullopt, failure(path, "the workspace spec is not a regular file")};
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size > k_max_spec_bytes) {
    return {std::nullopt,
            failure(path, "workspace spec is " + human_bytes(size) + "; the limit is 1 MiB")};
  }
  std::string text;
  int error = 0;
  if (!read_limited(file.fd, text, error)) {
    return {std::nullopt, failure(path, "cannot read the workspace spec: " + reason(error))};
  }
  return {std::move(text), {}};
}

}  // namespace

LoadResult load_spec_file(const std::string& path) {
  auto read = read_spec(path);
  if (!read.text) return std::move(read.failure);
  return load_spec_text(*read.text, path);
}

LoadResult load_spec_file(const std::string& path, std::string_view schema_json, bool schema_only) {
  auto read = read_spec(path);
  if (!read.text) return std::move(read.failure);
  return schema_only ? check_schema_only(*read.text, path, schema_json)
                     : load_spec_text(*read.text, path, schema_json);
}

}  // namespace coltec
