// Facts about an executable cached under the file's identity, as ccache checks a compiler:
// `rclone version` is a process start (about 70 ms) on every `--once`, and its answer only
// changes when the binary does. Any change of path, inode, size, mtime or ctime (an upgrade,
// a re-link, a chmod) misses the cache, so a stale answer is never used.

#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <coltec/state.hpp>

#include "state_internal.hpp"

namespace coltec {

namespace {

constexpr int k_format = 1;
constexpr std::size_t k_max_cache_bytes = 16384;

std::int64_t nanoseconds(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
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
  const nlohmann::json j = {{"format", k_format},      {"path", id.path},
                            {"dev", id.dev},           {"ino", id.ino},
                            {"size", id.size},         {"mtime_ns", id.mtime_ns},
                            {"ctime_ns", id.ctime_ns}, {"fact", std::string(fact)}};
  return j.dump() + "\n";
}

std::optional<std::string> tool_cache_fact(std::string_view text, const FileIdentity& id) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  // Exact types only: anything else was not written by tool_cache_text, so do not trust it.
  const auto get = [&j](const char* key, auto& out) {
    const auto it = j.find(key);
    if (it == j.end()) return false;
    using T = std::decay_t<decltype(out)>;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return false;
    } else if constexpr (std::is_unsigned_v<T>) {
      if (!it->is_number_unsigned()) return false;
    } else {
      if (!it->is_number_integer()) return false;
    }
    out = it->get<T>();
    return true;
  };
  FileIdentity found;
  std::int64_t format = 0;
  std::string fact;
  if (!get("format", format) || format != k_format || !get("path", found.path) ||
      !get("dev", found.dev) || !get("ino", found.ino) || !get("size", found.size) ||
      !get("mtime_ns", found.mtime_ns) || !get("ctime_ns", found.ctime_ns) || !get("fact", fact) ||
      fact.empty() || !(found == id)) {
    return std::nullopt;
  }
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
