#include <algorithm>
#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <coltec/logging.hpp>

namespace coltec {
namespace {

const char* level_name(Level level) {
  switch (level) {
    case Level::trace:
      return "trace";
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::off:
      break;
  }
  return "off";
}

const char* level_color(Level level) {
  switch (level) {
    case Level::trace:
    case Level::debug:
      return "\x1b[2m";
    case Level::info:
      return "\x1b[32m";
    case Level::warn:
      return "\x1b[33m";
    case Level::error:
      return "\x1b[31;1m";
    case Level::off:
      break;
  }
  return "";
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::off:
      break;
  }
  return spdlog::level::off;
}

// Text fields print as key=value; strings with spaces or quotes are JSON-quoted so a line
// stays machine-splittable.
std::string text_value(const nlohmann::json& v) {
  if (!v.is_string()) return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto& s = v.get_ref<const std::string&>();
  const bool plain = !s.empty() && s.find_first_of(" \t\"=\n") == std::string::npos;
  return plain ? s : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  if (text == "trace") return Level::trace;
  if (text == "debug") return Level::debug;
  if (text == "info") return Level::info;
  if (text == "warn" || text == "warning") return Level::warn;
  if (text == "error") return Level::error;
  if (text == "off") return Level::off;
  return std::nullopt;
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms.count() % 1000);
}

std::unique_ptr<Logger> Logger::create(const LogSettings& settings, std::string* error) {
  std::vector<spdlog::sink_ptr> sinks;
  if (settings.to_stderr) {
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  }
  if (settings.file) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          *settings.file, settings.file_max_bytes, settings.file_count));
    } catch (const spdlog::spdlog_ex& e) {
      if (error != nullptr) *error = fmt::format("cannot open log file: {}", e.what());
      return nullptr;
    }
  }
  auto logger = std::make_shared<spdlog::logger>("coltec", sinks.begin(), sinks.end());
  // Our formatter builds the whole line (timestamp, level, colour) so text and JSON share
  // one path; spdlog only routes, filters and rotates.
  logger->set_pattern("%v");
  logger->set_level(to_spdlog(settings.level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return std::unique_ptr<Logger>(new Logger(settings));
}

std::unique_ptr<Logger> Logger::capture(const LogSettings& settings, std::string* sink) {
  auto logger = std::unique_ptr<Logger>(new Logger(settings));
  logger->m_settings.color = false;
  logger->m_capture = sink;
  return logger;
}

void Logger::set_secrets(std::vector<std::string> secrets) {
  Redactor redactor(std::move(secrets));
  std::lock_guard lock(m_mutex);
  m_redactor = std::move(redactor);
}

std::string Logger::redact(std::string text) const {
  std::lock_guard lock(m_mutex);
  return m_redactor.apply(std::move(text));
}

std::string Logger::format(Level level, std::string_view msg, const Fields& fields) const {
  if (m_settings.json) {
    nlohmann::ordered_json j;
    j["ts"] = utc_timestamp_now();
    j["level"] = level_name(level);
    j["msg"] = msg;
    for (const auto& [key, value] : fields) j[key] = value;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = utc_timestamp_now();
  line += m_settings.color ? fmt::format(" {}{:<5}\x1b[0m ", level_color(level), level_name(level))
                           : fmt::format(" {:<5} ", level_name(level));
  line += msg;
  for (const auto& [key, value] : fields) line += fmt::format(" {}={}", key, text_value(value));
  return line;
}

void Logger::log(Level level, std::string_view msg, const Fields& fields) {
  if (!enabled(level)) return;
  // Redact before encoding too: JSON escaping could otherwise hide a secret that contains
  // a quote or backslash from the final pass.
  Fields clean;
  clean.reserve(fields.size());
  for (const auto& [key, value] : fields) {
    clean.emplace_back(
        key, value.is_string() ? nlohmann::json(redact(value.get<std::string>())) : value);
  }
  std::string line = redact(format(level, redact(std::string(msg)), clean));
  if (m_capture != nullptr) {
    *m_capture += line;
    *m_capture += '\n';
    return;
  }
  spdlog::default_logger_raw()->log(to_spdlog(level), "{}", line);
}

}  // namespace coltec
