#pragma once
// Logging: one event = a message plus named fields, written as a text line (coloured on a
// TTY) or as one JSON object per line. Every line passes through the redactor first, so no
// secret reaches any sink at any level. spdlog's default logger is the only global.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <coltec/text.hpp>

namespace coltec {

/// Severity, in spdlog's order.
enum class Level { trace, debug, info, warn, error, off };

/// A named value attached to a log event ("action", "duration_ms", …).
using Field = std::pair<std::string, nlohmann::json>;
using Fields = std::vector<Field>;

/// How and where to log.
struct LogSettings {
  bool json = false;
  Level level = Level::info;
  bool color = false;  ///< ANSI colours (text format on a TTY only)
  /// Where lines go: stdout by default (as the earlier daemon, so supervisord's
  /// stdout_logfile gets them), stderr when asked (--log-stderr) to keep stdout for results.
  bool to_stderr = false;
  std::optional<std::string> file;  ///< also write here, rotated by size
  std::size_t file_max_bytes = std::size_t{10} * 1024 * 1024;
  std::size_t file_count = 3;
};

/// Parse "trace|debug|info|warn|warning|error|off"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view text);

/// The logger the daemon passes around by reference. Thread-compatible: all calls happen on
/// the event loop thread, except set_secrets which locks.
class Logger {
 public:
  /// Sets up spdlog's default logger (stdout or stderr, plus a rotating file when asked).
  /// Fails (returns nullptr and sets *error) when the log file cannot be opened.
  static std::unique_ptr<Logger> create(const LogSettings& settings, std::string* error);
  /// A logger writing to a caller-owned string (tests); same formatting, no colours.
  static std::unique_ptr<Logger> capture(const LogSettings& settings, std::string* sink);

  /// Secret values to mask in every later line (coltec::Redactor: any length, longest
  /// first).
  void set_secrets(std::vector<std::string> secrets);
  /// Whether an event at `level` would be written.
  bool enabled(Level level) const { return level >= m_settings.level && level != Level::off; }

  /// Write one event.
  void log(Level level, std::string_view msg, const Fields& fields = {});
  void trace(std::string_view msg, const Fields& f = {}) { log(Level::trace, msg, f); }
  void debug(std::string_view msg, const Fields& f = {}) { log(Level::debug, msg, f); }
  void info(std::string_view msg, const Fields& f = {}) { log(Level::info, msg, f); }
  void warn(std::string_view msg, const Fields& f = {}) { log(Level::warn, msg, f); }
  void error(std::string_view msg, const Fields& f = {}) { log(Level::error, msg, f); }

  /// `text` with every known secret masked (the same Redactor every line passes through).
  std::string redact(std::string text) const;
  /// The settings in force.
  const LogSettings& settings() const { return m_settings; }

 private:
  explicit Logger(LogSettings settings) : m_settings(std::move(settings)) {}
  std::string format(Level level, std::string_view msg, const Fields& fields) const;

  LogSettings m_settings;
  std::string* m_capture = nullptr;
  mutable std::mutex m_mutex;
  Redactor m_redactor;
};

/// "2026-11-23T12:00:00.123Z" for now (UTC, milliseconds).
std::string utc_timestamp_now();

}  // namespace coltec
