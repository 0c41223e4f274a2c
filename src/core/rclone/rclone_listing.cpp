// lsjson entries, RFC 3339 times to nanoseconds, and rclone's name encoding both ways.

#include <array>
#include <charconv>

#include <nlohmann/json.hpp>

#include <coltec/rclone_listing.hpp>
#include <coltec/text.hpp>

namespace coltec {
namespace {

constexpr char32_t k_quote = 0x201B;     // rclone's escape rune
constexpr char32_t k_ctl_base = 0x2400;  // U+2400.. stand for 0x00..0x1F
constexpr char32_t k_del = 0x2421;       // stands for 0x7F
constexpr char32_t k_replacement = 0xFFFD;

bool encodes_a_byte(char32_t r) {
  return (r >= k_ctl_base && r < k_ctl_base + 0x20) || r == k_del;
}

template <typename T>
bool digits(std::string_view text, T& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = m > 2 ? m - 3 : m + 9;
  const unsigned doy = (153 * mp + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// A Go %q string as rclone's log prints a name: \" \\ \xNN (a byte that is not UTF-8,
// which rclone lists as U+FFFD) and the usual one-letter escapes.
std::optional<std::string> unquote_go(std::string_view q) {
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
    if (c == 'x') {
      if (i + 2 >= q.size()) return std::nullopt;
      append_utf8(out, k_replacement);
      i += 2;
    } else if (c == '"' || c == '\\') {
      out += c;
    } else if (c == 't' || c == 'n' || c == 'r') {
      append_utf8(out, k_ctl_base + static_cast<char32_t>(c == 't' ? 9 : c == 'n' ? 10 : 13));
    } else {
      return std::nullopt;  // \u and friends do not occur for names rclone already mapped
    }
  }
  return out;
}

}  // namespace

namespace {

// ".f{1,9}" at t[i] (optional): the fraction in nanoseconds; `i` moves past it.
std::optional<std::int64_t> parse_fraction_ns(std::string_view t, std::size_t& i) {
  std::int64_t frac = 0;
  if (i >= t.size() || t[i] != '.') return frac;
  const std::size_t start = ++i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  const std::size_t n = i - start;
  if (n == 0 || n > 9 || !digits(t.substr(start, n), frac)) return std::nullopt;
  for (std::size_t k = n; k < 9; ++k) frac *= 10;
  return frac;
}

// "Z" or "±HH:MM": the offset from UTC in seconds.
std::optional<std::int64_t> parse_zone_s(std::string_view zone) {
  if (zone == "Z" || zone == "z") return 0;
  // "+01:00" (RFC 3339), or "+0100" as rclone bisync writes its listings.
  const bool rfc = zone.size() == 6 && zone[3] == ':';
  if ((!rfc && zone.size() != 5) || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  unsigned oh = 0, om = 0;
  if (!digits(zone.substr(1, 2), oh) || !digits(zone.substr(zone.size() - 2), om) || oh > 23 ||
      om > 59) {
    return std::nullopt;
  }
  return (zone[0] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
}

}  // namespace

std::optional<std::int64_t> parse_time_ns(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
      t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  std::int64_t year = 0;
  unsigned mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!digits(t.substr(0, 4), year) || !digits(t.substr(5, 2), mon) ||
      !digits(t.substr(8, 2), day) || !digits(t.substr(11, 2), hour) ||
      !digits(t.substr(14, 2), min) || !digits(t.substr(17, 2), sec)) {
    return std::nullopt;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return std::nullopt;
  }
  std::size_t i = 19;
  const auto frac = parse_fraction_ns(t, i);
  const auto offset_s = frac ? parse_zone_s(t.substr(i)) : std::nullopt;
  if (!frac || !offset_s) return std::nullopt;
  const std::int64_t secs = days_from_civil(year, mon, day) * 86400 + std::int64_t{hour} * 3600 +
                            std::int64_t{min} * 60 + sec - *offset_s;
  return secs * 1'000'000'000 + *frac;
}

std::optional<ListedEntry> parse_lsjson_line(std::string_view line) {
  while (!line.empty() && (line.back() == ',' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty() || line.front() != '{') return std::nullopt;
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto path = j.find("Path");
  const auto size = j.find("Size");
  const auto time = j.find("ModTime");
  const auto dir = j.find("IsDir");
  if (path == j.end() || !path->is_string() || path->get_ref<const std::string&>().empty() ||
      size == j.end() || !size->is_number_integer() || time == j.end() || !time->is_string() ||
      dir == j.end() || !dir->is_boolean()) {
    return std::nullopt;
  }
  ListedEntry e;
  e.path = path->get<std::string>();
  e.is_dir = dir->get<bool>();
  const auto bytes = size->get<std::int64_t>();
  if (bytes < 0 && !e.is_dir) return std::nullopt;
  e.state.size = bytes < 0 ? 0 : static_cast<std::uint64_t>(bytes);
  const auto ns = parse_time_ns(time->get_ref<const std::string&>());
  if (!ns) return std::nullopt;
  e.state.mtime_ns = *ns;
  if (const auto hashes = j.find("Hashes"); hashes != j.end() && hashes->is_object()) {
    const auto md5 = hashes->find("md5");
    if (md5 != hashes->end() && md5->is_string()) e.state.md5 = md5->get<std::string>();
  }
  return e;
}

std::optional<std::string> local_name_of(std::string_view name) {
  const auto cps = decode_utf8(name);
  std::string out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    if (is_undecodable_byte(cp) || cp == k_replacement) return std::nullopt;
    if (cp == k_quote && i + 1 < cps.size() &&
        (encodes_a_byte(cps[i + 1]) || cps[i + 1] == k_quote)) {
      append_utf8(out, cps[++i]);  // a literal special rune, shown quoted
      continue;
    }
    if (encodes_a_byte(cp)) {
      out += static_cast<char>(cp == k_del ? 0x7F : cp - k_ctl_base);
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

std::optional<std::string> rclone_name_of(std::string_view local) {
  std::string out;
  for (const char32_t cp : decode_utf8(local)) {
    if (is_undecodable_byte(cp)) return std::nullopt;
    if (cp < 0x20 || cp == 0x7F) {
      append_utf8(out, cp == 0x7F ? k_del : k_ctl_base + cp);
      continue;
    }
    if (encodes_a_byte(cp) || cp == k_quote) append_utf8(out, k_quote);
    append_utf8(out, cp);
  }
  return out;
}

std::optional<ListingProblem> parse_listing_problem(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto msg = j.value("msg", std::string());
  const auto object = j.value("object", std::string());
  constexpr std::string_view k_invalid = "Replacing invalid UTF-8 characters in ";
  if (msg.rfind(k_invalid, 0) == 0) {
    auto name = unquote_go(std::string_view(msg).substr(k_invalid.size()));
    if (!name) return std::nullopt;
    return ListingProblem{ListingProblem::Kind::unrepresentable_name, std::move(*name)};
  }
  const bool unreadable = msg.find("failed to open directory") != std::string::npos ||
                          msg.find("error reading source directory") != std::string::npos ||
                          msg.find("error listing") != std::string::npos;
  if (unreadable && !object.empty() && j.value("level", std::string()) == "error") {
    return ListingProblem{ListingProblem::Kind::unreadable_dir, object};
  }
  return std::nullopt;
}

}  // namespace coltec
