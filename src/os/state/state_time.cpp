// RFC 3339 times for health.json. Written by hand on std::chrono's calendar so parsing does
// not depend on the locale or the TZ variable, and hostile input cannot reach UB.

#include <chrono>
#include <cstdio>
#include <string>

#include <coltec/state.hpp>

namespace coltec {

namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years four digits can write.
constexpr std::int64_t k_min_time = -62135596800;
constexpr std::int64_t k_max_time = 253402300799;

// Reads `count` digits at `pos` into `out`; false when any is not a digit.
bool digits(const std::string& s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool at(const std::string& s, std::size_t pos, char c) {
  return pos < s.size() && s[pos] == c;
}

// The zone suffix at `pos` as an offset east of UTC in seconds.
bool parse_zone(const std::string& s, std::size_t pos, int& offset) {
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    offset = 0;
    return true;
  }
  int hh = 0;
  int mm = 0;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || !at(s, pos + 3, ':') ||
      !digits(s, pos + 1, 2, hh) || !digits(s, pos + 4, 2, mm) || hh > 23 || mm > 59) {
    return false;
  }
  offset = (hh * 3600 + mm * 60) * (s[pos] == '-' ? -1 : 1);
  return true;
}

}  // namespace

std::string format_rfc3339(std::int64_t unix_seconds) {
  const std::int64_t t = unix_seconds < k_min_time   ? k_min_time
                         : unix_seconds > k_max_time ? k_max_time
                                                     : unix_seconds;
  const sys_seconds tp{seconds{t}};
  const auto day = std::chrono::floor<days>(tp);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{tp - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<std::int64_t> parse_rfc3339(const std::string& s) {
  const auto bad =
      make_error("\"" + s.substr(0, 64) + "\" is not an RFC 3339 time like 2026-11-23T12:00:00Z");
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || !at(s, 4, '-') || !digits(s, 5, 2, mo) || !at(s, 7, '-') ||
      !digits(s, 8, 2, d) || !(at(s, 10, 'T') || at(s, 10, 't') || at(s, 10, ' ')) ||
      !digits(s, 11, 2, h) || !at(s, 13, ':') || !digits(s, 14, 2, mi) || !at(s, 16, ':') ||
      !digits(s, 17, 2, sec)) {
    return bad;
  }
  std::size_t pos = 19;
  if (at(s, pos, '.')) {
    const std::size_t first = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == first) return bad;
  }
  int offset = 0;
  if (!parse_zone(s, pos, offset)) return bad;
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  // Second 60 is a leap second; it is legal RFC 3339 and lands on the next second.
  if (!ymd.ok() || y == 0 || h > 23 || mi > 59 || sec > 60) return bad;
  const auto tp = sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + seconds{sec} -
                  seconds{offset};
  return static_cast<std::int64_t>(tp.time_since_epoch().count());
}

}  // namespace coltec
