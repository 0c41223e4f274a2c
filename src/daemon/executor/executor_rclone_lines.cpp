// What push, pull and two-way runs alike do with rclone: start it, and read its stderr lines.

#include <fmt/format.h>

#include <coltec/executor.hpp>

namespace coltec {

void Executor::take_stats(const std::string& action, const RcloneLine& parsed,
                          const std::string& line, RcloneStats& into) const {
  if (!parsed.has_stats) return;
  if (auto stats = parse_rclone_stats(line)) {
    into = *stats;
    if (m_progress) m_progress(action, *stats);
  }
}

void Executor::log_rclone_line(const std::string& action, const RcloneLine& parsed,
                               Level level) const {
  if (!m_log.enabled(level)) return;
  Fields fields{{"action", action}, {"source", "rclone"}};
  if (parsed.json) fields.emplace_back("rclone_level", parsed.level);
  if (!parsed.object.empty()) fields.emplace_back("object", parsed.object);
  m_log.log(level, parsed.msg, fields);
}

std::string Executor::failure_detail(const RcloneRunFacts& facts, int exit_code) {
  return facts.last_error.empty() ? fmt::format("rclone exited with code {}", exit_code)
                                  : facts.last_error;
}

ProcessSpec Executor::rclone_process(const std::string& action, const Invocation& inv,
                                     const char* step, std::chrono::milliseconds timeout) const {
  m_log.debug("running rclone", {{"action", action}, {"step", step}, {"command", inv.redacted}});
  ProcessSpec spec;
  spec.argv = inv.argv;
  spec.env = inv.env;
  spec.timeout = timeout;
  spec.kill_grace = m_settings.term_grace;
  spec.keep_fds = m_settings.keep_fds;  // the in-memory rclone config
  return spec;
}

}  // namespace coltec
