// The metrics registry and its Prometheus text exposition (format 0.0.4).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <string_view>

#include <coltec/metrics.hpp>
#include <coltec/text.hpp>

namespace coltec {

namespace {

constexpr std::array<Outcome, 7> k_outcomes{
    Outcome::ok,           Outcome::temporary_failure, Outcome::failure,  Outcome::refused,
    Outcome::needs_resync, Outcome::cancelled,         Outcome::deferred,
};

void append_label_value(std::string& out, std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t len = utf8_sequence_length(value, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    const char c = value[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.append(value.substr(i, len));
    }
    i += len;
  }
}

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf.data(), end);
}

std::string number(std::uint64_t value) {
  return std::to_string(value);
}

struct Label {
  std::string_view name;
  std::string_view value;
};

void append_sample(std::string& out, std::string_view name, std::initializer_list<Label> labels,
                   const std::string& value) {
  out += name;
  if (labels.size() != 0) {
    out += '{';
    bool first = true;
    for (const auto& label : labels) {
      if (!first) out += ',';
      first = false;
      out += label.name;
      out += "=\"";
      append_label_value(out, label.value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

// Our help texts are constants, but escape them anyway so a future edit cannot break the
// format.
void append_family(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

struct Family {
  std::string_view name;
  std::string_view help;
  std::string_view type;
};

// One family with one `action`-labelled sample per entry for which `value` gives a number.
template <typename Map, typename Value>
void append_per_action(std::string& out, const Family& family, const Map& map, Value value) {
  bool header = false;
  for (const auto& [action, entry] : map) {
    const std::optional<std::string> sample = value(entry);
    if (!sample) continue;
    if (!header) append_family(out, family.name, family.help, family.type);
    header = true;
    append_sample(out, family.name, {{"action", action}}, *sample);
  }
}

}  // namespace

void Metrics::record_run(const std::string& action, const RunReport& report,
                         double finished_unix_seconds) {
  Counters& c = m_counters[action];
  const auto index = static_cast<std::size_t>(report.outcome);
  if (index < c.runs.size()) ++c.runs[index];
  c.bytes += report.bytes;
  c.files += report.files;
  if (report.outcome == Outcome::refused || report.notes.held_back.count > 0) ++c.refusals;
  if (report.outcome == Outcome::ok && std::isfinite(finished_unix_seconds)) {
    c.last_success =
        std::max(c.last_success.value_or(finished_unix_seconds), finished_unix_seconds);
  }
  const double seconds =
      std::max<double>(0.0, static_cast<double>(report.duration.count()) / 1000.0);
  for (std::size_t i = 0; i < k_run_duration_buckets.size(); ++i) {
    if (seconds <= k_run_duration_buckets[i]) {
      ++c.buckets[i];
      break;
    }
  }
  ++c.duration_count;
  c.duration_sum += seconds;
}

void Metrics::record_retry(const std::string& action) {
  ++m_counters[action].retries;
}

void Metrics::record_start(const RunRequest& request) {
  if (request.attempt > 1) record_retry(request.action);
}

void Metrics::set_last_success(const std::string& action, double unix_seconds) {
  if (!std::isfinite(unix_seconds)) return;
  Counters& c = m_counters[action];
  if (!c.last_success || *c.last_success < unix_seconds) c.last_success = unix_seconds;
}

void Metrics::set_watches(std::uint64_t watches) {
  m_watches = watches;
}

void Metrics::set_actions_status(const std::vector<ActionStatus>& statuses) {
  m_gauges.clear();
  for (const auto& status : statuses) {
    m_counters.try_emplace(status.name);
    Gauges& g = m_gauges[status.name];
    g.consecutive_failures = status.consecutive_failures;
    g.healthy = !status.unhealthy && !status.needs_attention;
    g.needs_attention = status.needs_attention;
    g.pending_changes = status.pending_changes;
    g.conflicts = status.last_report.conflicts.size();
    g.held_back = status.last_report.notes.held_back.count;
  }
}

void Metrics::set_build_info(std::string version, std::string rclone_version) {
  m_build_info = BuildInfo{std::move(version), std::move(rclone_version)};
}

std::string Metrics::render() const {
  std::string out;
  if (m_build_info) {
    append_family(out, "coltec_build_info", "Build of the daemon and the rclone it runs; always 1.",
                  "gauge");
    append_sample(out, "coltec_build_info",
                  {{"version", m_build_info->version}, {"rclone", m_build_info->rclone}}, "1");
  }
  append_family(out, "coltec_watches", "Filesystem watches held by the watcher.", "gauge");
  append_sample(out, "coltec_watches", {}, number(m_watches));
  render_counters(out);
  render_durations(out);
  render_gauges(out);
  return out;
}

void Metrics::render_counters(std::string& out) const {
  if (!m_counters.empty()) {
    append_family(out, "coltec_runs_total", "Finished sync runs by action and result.", "counter");
  }
  for (const auto& [action, c] : m_counters) {
    for (const Outcome outcome : k_outcomes) {
      append_sample(out, "coltec_runs_total", {{"action", action}, {"result", to_string(outcome)}},
                    number(c.runs[static_cast<std::size_t>(outcome)]));
    }
  }
  using Get = std::function<std::uint64_t(const Counters&)>;
  const std::array<std::pair<Family, Get>, 4> counters{{
      {{"coltec_retries_total", "Runs started as a retry after a temporary failure.", "counter"},
       [](const Counters& c) { return c.retries; }},
      {{"coltec_refusals_total", "Runs refused by a safety guard.", "counter"},
       [](const Counters& c) { return c.refusals; }},
      {{"coltec_transferred_bytes_total", "Bytes transferred by rclone.", "counter"},
       [](const Counters& c) { return c.bytes; }},
      {{"coltec_transferred_files_total", "Files transferred by rclone.", "counter"},
       [](const Counters& c) { return c.files; }},
  }};
  for (const auto& counter : counters) {
    const Get& get = counter.second;
    append_per_action(out, counter.first, m_counters,
                      [&](const Counters& c) { return std::optional(number(get(c))); });
  }
  append_per_action(out,
                    {"coltec_last_success_timestamp_seconds",
                     "Unix time of the last successful run since the daemon started.", "gauge"},
                    m_counters, [](const Counters& c) -> std::optional<std::string> {
                      if (!c.last_success) return std::nullopt;
                      return number(*c.last_success);
                    });
}

void Metrics::render_durations(std::string& out) const {
  constexpr std::string_view name = "coltec_run_duration_seconds";
  if (!m_counters.empty()) {
    append_family(out, name, "Wall time of finished sync runs.", "histogram");
  }
  for (const auto& [action, c] : m_counters) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < k_run_duration_buckets.size(); ++i) {
      cumulative += c.buckets[i];
      append_sample(out, "coltec_run_duration_seconds_bucket",
                    {{"action", action}, {"le", number(k_run_duration_buckets[i])}},
                    number(cumulative));
    }
    append_sample(out, "coltec_run_duration_seconds_bucket", {{"action", action}, {"le", "+Inf"}},
                  number(c.duration_count));
    append_sample(out, "coltec_run_duration_seconds_sum", {{"action", action}},
                  number(c.duration_sum));
    append_sample(out, "coltec_run_duration_seconds_count", {{"action", action}},
                  number(c.duration_count));
  }
}

void Metrics::render_gauges(std::string& out) const {
  const auto flag = [](bool on) { return std::optional<std::string>(on ? "1" : "0"); };
  append_per_action(
      out, {"coltec_consecutive_failures", "Failed runs since the last success.", "gauge"},
      m_gauges, [](const Gauges& g) {
        return std::optional(number(static_cast<std::uint64_t>(g.consecutive_failures)));
      });
  append_per_action(out,
                    {"coltec_action_healthy",
                     "1 when the action is neither unhealthy nor waiting for a person.", "gauge"},
                    m_gauges, [&](const Gauges& g) { return flag(g.healthy); });
  append_per_action(
      out,
      {"coltec_action_needs_attention",
       "1 when a safety refusal or a broken bisync state waits for a person.", "gauge"},
      m_gauges, [&](const Gauges& g) { return flag(g.needs_attention); });
  append_per_action(out,
                    {"coltec_pending_changes", "1 when local changes are not yet synced.", "gauge"},
                    m_gauges, [&](const Gauges& g) { return flag(g.pending_changes); });
  append_per_action(
      out,
      {"coltec_conflicts", "Conflict copies that wait for a person to keep one version.", "gauge"},
      m_gauges, [](const Gauges& g) { return std::optional(number(g.conflicts)); });
  append_per_action(
      out, {"coltec_held_back_deletes", "Deletions the last run held back (delete cap).", "gauge"},
      m_gauges, [](const Gauges& g) { return std::optional(number(g.held_back)); });
}

}  // namespace coltec
