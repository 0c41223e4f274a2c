// Live progress: human-readable numbers and the redrawn (TTY) or throttled (plain) view.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

#include <coltec/metrics.hpp>
#include <coltec/text.hpp>

namespace coltec {

namespace {

// Beyond this (about 31,700 years) a duration is clamped so the arithmetic cannot overflow.
constexpr double k_max_duration = 1e12;
// rclone's speed is a double; clamp it into what uint64 holds.
constexpr double k_max_speed = 1e18;

// A terminal shows C0/C1 controls (ESC, CSI, BEL…) as commands, so a hostile action name
// could move the cursor or retitle the window; keep printable text only.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = utf8_sequence_length(text, i);
    const auto lead = static_cast<unsigned char>(text[i]);
    const bool c1 = len == 2 && lead == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (len == 0 || c1 || lead < 0x20 || lead == 0x7F) {
      out += '?';
      i += len == 0 ? 1 : len;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

std::string two_units(long long high, const char* high_unit, long long low, const char* low_unit) {
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%lld%s%02lld%s", high, high_unit, low, low_unit);
  return buf.data();
}

}  // namespace

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long long total = std::llround(std::min(seconds, k_max_duration));
  if (total < 60) return std::to_string(total) + "s";
  if (total < 3600) return two_units(total / 60, "m", total % 60, "s");
  if (total < 86400) return two_units(total / 3600, "h", total % 3600 / 60, "m");
  return two_units(total / 86400, "d", total % 86400 / 3600, "h");
}

std::string format_progress_line(const std::string& action, const RcloneStats& stats) {
  double speed = stats.speed;
  if (!std::isfinite(speed) || speed < 0) speed = 0;
  const auto per_second = static_cast<std::uint64_t>(std::min(speed, k_max_speed));
  std::string line = printable(action);
  line += "  " + std::to_string(stats.transfers) + "/" + std::to_string(stats.total_transfers) +
          " files";
  line += "  " + human_bytes(stats.bytes) + "/" + human_bytes(stats.total_bytes);
  line += "  " + human_bytes(per_second) + "/s";
  if (std::isfinite(stats.eta_seconds) && stats.eta_seconds > 0) {
    line += "  ETA " + human_duration(stats.eta_seconds);
  }
  return line;
}

ProgressView::ProgressView(std::ostream& out, ProgressOptions options)
    : m_out(out), m_options(options) {}

void ProgressView::update(const std::string& action, const RcloneStats& stats, TimePoint now) {
  Entry& entry = m_entries[action];
  entry.stats = stats;
  if (m_options.tty) {
    redraw();
    return;
  }
  if (entry.last_printed && now - *entry.last_printed < m_options.plain_interval) return;
  entry.last_printed = now;
  m_out << format_progress_line(action, stats) << '\n' << std::flush;
}

void ProgressView::finish(const std::string& action) {
  if (m_entries.erase(action) == 0) return;
  if (m_options.tty && m_drawn_lines > 0) redraw();
}

void ProgressView::clear() {
  if (!m_options.tty || m_drawn_lines == 0) return;
  std::string out = "\r";
  if (m_drawn_lines > 1) out += "\x1b[" + std::to_string(m_drawn_lines - 1) + "A";
  out += "\x1b[J";
  m_drawn_lines = 0;
  m_out << out << std::flush;
}

// The cursor is left at the end of the block's last line (no newline), so going back to
// the block's start is "carriage return + up (lines - 1)"; ESC[J then erases the old block,
// however many lines it had.
void ProgressView::redraw() {
  std::string out = "\r";
  if (m_drawn_lines > 1) out += "\x1b[" + std::to_string(m_drawn_lines - 1) + "A";
  out += "\x1b[J";
  bool first = true;
  for (const auto& [action, entry] : m_entries) {
    if (!first) out += '\n';
    first = false;
    out += fit(format_progress_line(action, entry.stats));
  }
  m_drawn_lines = m_entries.size();
  m_out << out << std::flush;
}

// Cut to width - 1 bytes: a line filling the last column leaves some terminals in a
// pending-wrap state that breaks the cursor-up arithmetic. Bytes never undercount columns
// for our text, and the cut never splits a UTF-8 sequence.
std::string ProgressView::fit(std::string line) const {
  if (m_options.width == 0) return line;
  const std::size_t limit = m_options.width - 1;
  if (line.size() <= limit) return line;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  return line;
}

}  // namespace coltec
