// Facts about an executable cached under the file's identity, as ccache checks a compiler:
// `rclone version` is a process start (about 70 ms) on every `--once`, and its answer only
// changes when the binary does. Any change of path, inode, size, mtime or ctime (an upgrade,
// a re-link, a chmod) misses the cache, so a stale answer is never used.

#include <charconv>
#include <string>
#include <string_view>

#include <sys/stat.h>

#include <coltec/state.hpp>

#include "state_internal.hpp"

namespace coltec {

namespace {

constexpr std::string_view k_magic = "coltec-tool-cache 1";
constexpr std::size_t k_max_cache_bytes = 16384;

std::int64_t nanoseconds(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<FileIdentity> identify_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  FileIdentity id;
  id.path = path;
  id.dev = static_cast<std::uint64_t>(st.st_dev);
  id.ino = static_cast<std::uint64_t>(st.st_ino);
  id.size = static_cast<std::uint64_t>(st.st_size);
  id.mtime_ns = nanoseconds(st.st_mtim);
  id.ctime_ns = nanoseconds(st.st_ctim);
  return id;
}

std::string tool_cache_text(const FileIdentity& id, std::string_view fact) {
  fact = fact.substr(0, fact.find_first_of("\r\n"));  // one line; the rest is not a key
  std::string text(k_magic);
  text += "\npath=" + id.path;
  text += "\ndev=" + std::to_string(id.dev);
  text += "\nino=" + std::to_string(id.ino);
  text += "\nsize=" + std::to_string(id.size);
  text += "\nmtime_ns=" + std::to_string(id.mtime_ns);
  text += "\nctime_ns=" + std::to_string(id.ctime_ns);
  text += "\nfact=";
  text += fact;
  text += "\n";
  return text;
}

std::optional<std::string> tool_cache_fact(std::string_view text, const FileIdentity& id) {
  FileIdentity found;
  std::optional<std::string> fact;
  bool magic = false;
  int fields = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!magic) {
      if (line != k_magic) return std::nullopt;
      magic = true;
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    bool ok = true;
    if (key == "path") {
      found.path = std::string(value);
    } else if (key == "dev") {
      ok = parse_number(value, found.dev);
    } else if (key == "ino") {
      ok = parse_number(value, found.ino);
    } else if (key == "size") {
      ok = parse_number(value, found.size);
    } else if (key == "mtime_ns") {
      ok = parse_number(value, found.mtime_ns);
    } else if (key == "ctime_ns") {
      ok = parse_number(value, found.ctime_ns);
    } else if (key == "fact") {
      fact = std::string(value);
    } else {
      return std::nullopt;  // written by something else: do not trust any of it
    }
    if (!ok) return std::nullopt;
    ++fields;
  }
  if (fields != 7 || !fact || fact->empty() || !(found == id)) return std::nullopt;
  return fact;
}

std::optional<std::string> read_tool_cache(const std::string& path, const FileIdentity& id) {
  std::string text;
  if (!state_detail::read_small_file(path, k_max_cache_bytes, text)) return std::nullopt;
  return tool_cache_fact(text, id);
}

Status write_tool_cache(const std::string& path, const FileIdentity& id, std::string_view fact) {
  return write_file_atomic(path, tool_cache_text(id, fact), 0600);
}

}  // namespace coltec
