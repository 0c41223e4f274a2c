// The baseline file: one header line, conflict lines, the files an unfinished run was sending
// (if any), one line per file. Tab-separated with every byte that could end or split a field
// escaped, so any name round-trips.

#include <charconv>
#include <string_view>

#include <coltec/twoway.hpp>

namespace coltec {
namespace {

constexpr std::string_view k_magic = "coltec-baseline";
constexpr int k_format = 1;
constexpr std::string_view k_owes = "owes-generation";

std::string escape(std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += k_hex[u >> 4];
      out += k_hex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    if (i + 3 >= text.size() || text[i + 1] != 'x') return std::nullopt;
    const int hi = hex_value(text[i + 2]);
    const int lo = hex_value(text[i + 3]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
    i += 3;
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

template <typename T>
bool number(std::string_view text, T& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

void put_state(std::string& out, const FileState& s) {
  out += '\t' + std::to_string(s.size) + '\t' + std::to_string(s.mtime_ns) + '\t' +
         (s.md5.empty() ? "-" : s.md5);
}

bool get_state(const std::vector<std::string_view>& f, std::size_t at, FileState& s) {
  if (!number(f[at], s.size) || !number(f[at + 1], s.mtime_ns)) return false;
  s.md5 = f[at + 2] == "-" ? "" : std::string(f[at + 2]);
  return true;
}

Status parse_header(std::string_view line, Baseline& b) {
  const auto f = split_tabs(line);
  int format = 0;
  // A fifth field came with the owed marker; files without it (older daemons) owe nothing.
  const bool owes = f.size() == 5 && f[4] == k_owes;
  if ((f.size() != 4 && !owes) || f[0] != k_magic || !number(f[1], format) || format != k_format) {
    return make_error("not a coltec baseline of format " + std::to_string(k_format));
  }
  if (f[2] != "times=server" && f[2] != "times=metadata") {
    return make_error("unknown remote time basis in the baseline header");
  }
  b.remote_times = f[2] == "times=server" ? RemoteTimes::server : RemoteTimes::metadata;
  auto gen = unescape(f[3].substr(f[3].find('=') + 1));
  if (!f[3].starts_with("generation=") || !gen) return make_error("bad generation in header");
  b.generation = std::move(*gen);
  b.owes_generation = owes;
  return Unit{};
}

Status parse_line(std::string_view line, std::size_t number_of_line, Baseline& b) {
  const auto bad = [&] {
    return make_error("baseline line " + std::to_string(number_of_line) + " is damaged");
  };
  const auto f = split_tabs(line);
  if (f[0] == "U" && f.size() == 2) {  // the generation the sent files went out under
    auto gen = unescape(f[1]);
    if (!gen) return bad();
    b.sent_under = std::move(*gen);
    return Unit{};
  }
  auto path = f.size() >= 2 ? unescape(f[1]) : std::nullopt;
  if (!path || path->empty()) return bad();
  // A sent file: what was sent, then (when the remote held one) the version it replaces.
  if (f[0] == "S" && (f.size() == 5 || f.size() == 8)) {
    FileState sent;
    FileState replaces;
    if (!get_state(f, 2, sent) || (f.size() == 8 && !get_state(f, 5, replaces))) return bad();
    if (f.size() == 8) b.sent_replaces[*path] = std::move(replaces);
    b.sent[std::move(*path)] = std::move(sent);
    return Unit{};
  }
  if (f[0] == "C" && f.size() == 2) {
    b.conflicts.push_back(std::move(*path));
    return Unit{};
  }
  BaselineEntry e;
  if (f[0] != "F" || f.size() != 8 || !get_state(f, 2, e.local) || !get_state(f, 5, e.remote)) {
    return bad();
  }
  b.files[std::move(*path)] = std::move(e);
  return Unit{};
}

}  // namespace

std::string format_baseline(const Baseline& b) {
  std::string out = std::string(k_magic) + '\t' + std::to_string(k_format) + '\t' +
                    (b.remote_times == RemoteTimes::server ? "times=server" : "times=metadata") +
                    "\tgeneration=" + escape(b.generation) +
                    (b.owes_generation ? "\t" + std::string(k_owes) : std::string()) + '\n';
  for (const auto& c : b.conflicts) out += "C\t" + escape(c) + '\n';
  if (!b.sent.empty()) out += "U\t" + escape(b.sent_under) + '\n';
  for (const auto& [path, state] : b.sent) {
    out += "S\t" + escape(path);
    put_state(out, state);
    if (const auto r = b.sent_replaces.find(path); r != b.sent_replaces.end()) {
      put_state(out, r->second);
    }
    out += '\n';
  }
  for (const auto& [path, e] : b.files) {
    out += "F\t" + escape(path);
    put_state(out, e.local);
    put_state(out, e.remote);
    out += '\n';
  }
  return out;
}

Result<Baseline> parse_baseline(std::string_view text) {
  Baseline b;
  std::size_t line_no = 0;
  bool header = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return make_error("the baseline ends without a newline");
    const auto line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    const auto parsed = header ? parse_line(line, line_no, b) : parse_header(line, b);
    if (!parsed) return parsed.error();
    header = true;
  }
  if (!header) return make_error("the baseline is empty");
  return b;
}

}  // namespace coltec
