// The upgrade path from rclone bisync: its listings become the first baseline.

#include <cctype>

#include <coltec/text.hpp>
#include <coltec/twoway.hpp>

namespace coltec {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's strconv.Quote form, as bisync writes names.
std::optional<std::string> go_unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') return std::nullopt;
  q = q.substr(1, q.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q[i] != '\\') {
      out += q[i];
      continue;
    }
    if (++i >= q.size()) return std::nullopt;
    const char c = q[i];
    constexpr std::string_view k_simple = "abfnrtv";
    constexpr std::string_view k_bytes = "\a\b\f\n\r\t\v";
    if (const auto at = k_simple.find(c); at != std::string_view::npos) {
      out += k_bytes[at];
    } else if (c == '"' || c == '\\' || c == '\'') {
      out += c;
    } else if (c == 'x' || c == 'u' || c == 'U') {
      const std::size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (i + n >= q.size()) return std::nullopt;
      unsigned long v = 0;
      for (std::size_t k = 1; k <= n; ++k) {
        const int d = hex(q[i + k]);
        if (d < 0) return std::nullopt;
        v = v * 16 + static_cast<unsigned long>(d);
      }
      if (c == 'x') {
        out += static_cast<char>(v);
      } else if (v <= 0x10FFFF) {
        append_utf8(out, static_cast<char32_t>(v));
      } else {
        return std::nullopt;
      }
      i += n;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// "-        2 md5:60b7… - 2026-12-01T23:00:31.970036173+0000 \"a.txt\""
std::optional<std::pair<std::string, FileState>> parse_entry(std::string_view line) {
  const auto quote = line.find('"');
  if (quote == std::string_view::npos || line.size() < 2 || line[0] != '-') return std::nullopt;
  auto name = go_unquote(line.substr(quote));
  if (!name || name->empty()) return std::nullopt;
  std::vector<std::string_view> fields;
  std::string_view head = line.substr(1, quote - 1);
  while (!head.empty()) {
    while (!head.empty() && head.front() == ' ') head.remove_prefix(1);
    const auto sp = head.find(' ');
    if (!head.empty()) fields.push_back(head.substr(0, sp));
    head = sp == std::string_view::npos ? std::string_view{} : head.substr(sp);
  }
  if (fields.size() != 4) return std::nullopt;  // size, hash, id, time
  FileState s;
  std::uint64_t size = 0;
  for (const char c : fields[0]) {
    if (c < '0' || c > '9') return std::nullopt;
    size = size * 10 + static_cast<std::uint64_t>(c - '0');
  }
  s.size = size;
  if (fields[1].starts_with("md5:")) s.md5 = std::string(fields[1].substr(4));
  const auto t = parse_time_ns(fields[3]);
  if (!t) return std::nullopt;
  s.mtime_ns = *t;
  return std::make_pair(std::move(*name), std::move(s));
}

Result<Listing> parse_listing(std::string_view text, const char* which) {
  Listing out;
  bool header = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) continue;
    if (line.starts_with("# bisync listing v1")) {
      header = true;
      continue;
    }
    auto entry = parse_entry(line);
    if (!entry) return make_error(std::string("unreadable line in bisync's ") + which + " listing");
    out.emplace(std::move(entry->first), std::move(entry->second));
  }
  if (!header) return make_error(std::string("bisync's ") + which + " listing has no header");
  return out;
}

std::string underscored(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  return out;
}

}  // namespace

Result<Baseline> import_bisync_listings(std::string_view path1, std::string_view path2) {
  auto local = parse_listing(path1, "path1");
  if (!local) return local.error();
  auto remote = parse_listing(path2, "path2");
  if (!remote) return remote.error();
  Baseline b;
  b.remote_times = RemoteTimes::metadata;
  for (auto& [path, l] : local.value()) {
    const auto r = remote.value().find(path);
    if (r != remote.value().end()) b.files[path] = {l, r->second};
  }
  return b;
}

bool is_bisync_session_listing(const std::string& file_name, const std::string& local_path,
                               const std::string& remote_name, const std::string& remote_path) {
  constexpr std::string_view k_suffix = ".path1.lst";
  std::string f(file_name);
  if (!std::string_view(f).ends_with(k_suffix)) return false;
  f.resize(f.size() - k_suffix.size());
  // The hash of overridden options follows the remote name: "<local>..<name>{hash}_<path>".
  const auto open = f.find('{');
  if (open != std::string::npos) {
    const auto close = f.find('}', open);
    if (close == std::string::npos) return false;
    f.erase(open, close - open + 1);
  }
  std::string_view local(local_path);
  while (local.starts_with('/')) local.remove_prefix(1);
  // rclone keeps some punctuation and replaces the rest; compare with both sides reduced.
  return underscored(f) ==
         underscored(local) + "__" + underscored(remote_name) + "_" + underscored(remote_path);
}

}  // namespace coltec
