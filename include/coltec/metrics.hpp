#pragma once
// What the daemon tells the outside world while it runs: Prometheus metrics (text exposition
// format 0.0.4, written to a file for node_exporter's textfile collector) and a live progress
// display for `--once` runs in a terminal.
//
// Metrics and the formatting functions are value-based: no clock reads, no I/O, no logging.
// The app feeds them (from the scheduler's observer and the executor's progress handler)
// and decides when to write the file. Threading: not thread-safe; use from the loop thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <coltec/rclone_output.hpp>
#include <coltec/result.hpp>
#include <coltec/scheduler.hpp>

namespace coltec {

/// Upper bounds, in seconds, of the `coltec_run_duration_seconds` histogram buckets (a
/// `+Inf` bucket follows). Fixed so dashboards can rely on them.
inline constexpr std::array<double, 7> k_run_duration_buckets{0.5, 1, 5, 15, 60, 300, 1800};

/// The daemon's metrics registry. Counters only grow for the life of the object (a restart
/// starts them at zero, which Prometheus' rate() handles); gauges hold the last value set.
/// Every action ever seen keeps its counter series, so a series never vanishes mid-process.
class Metrics {
 public:
  /// Count one finished run of `action`: its result (Outcome), bytes and files transferred
  /// (counted for every outcome: a failed run may still have moved data), its duration,
  /// a refusal when outcome is `refused` or deletions were held back, and the last success
  /// time when outcome is `ok`.
  /// `finished_unix_seconds`: wall-clock time the run ended, seconds since the Unix epoch.
  void record_run(const std::string& action, const RunReport& report, double finished_unix_seconds);
  /// Count one retry of `action` (a run started with RunRequest::attempt > 1).
  void record_retry(const std::string& action);
  /// Convenience for the JobRunner adapter: record_retry(request.action) when
  /// request.attempt > 1, nothing otherwise.
  void record_start(const RunRequest& request);
  /// Seed the last success time of `action` (e.g. from health.json at start-up), in Unix
  /// seconds. Ignored when an equal or later success is already known.
  void set_last_success(const std::string& action, double unix_seconds);
  /// Number of filesystem watches the watcher holds (`coltec_watches`).
  void set_watches(std::uint64_t watches);
  /// Replace the per-action gauges (consecutive failures, healthy, needs attention, pending
  /// changes) with the scheduler's snapshot(); actions missing from `statuses` lose their
  /// gauges (they were removed by a reload), not their counters.
  void set_actions_status(const std::vector<ActionStatus>& statuses);
  /// Set `coltec_build_info{version,rclone}` (always 1). Not rendered until called.
  /// `rclone_version` may be empty when rclone was not found.
  void set_build_info(std::string version, std::string rclone_version);

  /// The whole registry in Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE`
  /// once per family, families in a fixed order, series sorted by action name, label values
  /// escaped (and invalid UTF-8 replaced by U+FFFD). Ends with a newline. Never fails.
  std::string render() const;

 private:
  struct Counters {
    std::array<std::uint64_t, 7> runs{};  // indexed by Outcome
    std::uint64_t bytes = 0;
    std::uint64_t files = 0;
    std::uint64_t retries = 0;
    std::uint64_t refusals = 0;
    std::optional<double> last_success;
    std::array<std::uint64_t, k_run_duration_buckets.size()> buckets{};  // non-cumulative
    std::uint64_t duration_count = 0;
    double duration_sum = 0;
  };
  struct Gauges {
    std::uint32_t consecutive_failures = 0;
    bool healthy = true;
    bool needs_attention = false;
    bool pending_changes = false;
    std::uint64_t conflicts = 0;  ///< conflict copies waiting for a person (bidirectional)
    std::uint64_t held_back = 0;  ///< deletions the last run held back
  };
  struct BuildInfo {
    std::string version;
    std::string rclone;
  };

  void render_counters(std::string& out) const;
  void render_durations(std::string& out) const;
  void render_gauges(std::string& out) const;

  std::map<std::string, Counters> m_counters;
  std::map<std::string, Gauges> m_gauges;
  std::uint64_t m_watches = 0;
  std::optional<BuildInfo> m_build_info;
};

/// A duration in seconds for people, two units at most: "0s", "59s", "2m05s", "1h02m",
/// "3d04h". Fractions are rounded; negative or non-finite values give "?".
std::string human_duration(double seconds);
/// One progress line for `action`, e.g. "code  12/40 files  3.1 MiB/8.0 MiB  1.2 MiB/s  ETA 4s"
/// (the ETA part is left out when rclone does not know it). Control characters in `action`
/// are replaced by '?' so a hostile name cannot drive the terminal. No newline.
std::string format_progress_line(const std::string& action, const RcloneStats& stats);

/// How a ProgressView writes.
struct ProgressOptions {
  /// True: a redrawn block, one line per running action (ANSI cursor-up and clear). False:
  /// plain lines, no escape codes, for logs and pipes.
  bool tty = false;
  /// Plain mode: at most one line per action per this interval (the first update of an
  /// action prints at once). Ignored on a TTY, which redraws on every update.
  std::chrono::milliseconds plain_interval{10000};
  /// TTY: the terminal's width in columns; lines are cut to width - 1 bytes so they never
  /// wrap, which would break the redraw (0: never cut).
  std::size_t width = 0;
};

/// Turns live per-action RcloneStats into terminal output. Owns no clock: callers pass
/// `now`. The stream is not owned and must outlive the view. Single-threaded.
class ProgressView {
 public:
  /// Write to `out` as `options` say.
  ProgressView(std::ostream& out, ProgressOptions options);
  /// New stats for `action` at `now`. TTY: the block is redrawn at once. Plain: a line is
  /// written when the action has not printed within plain_interval.
  void update(const std::string& action, const RcloneStats& stats, TimePoint now);
  /// `action` stopped: its line leaves the block (TTY) and its throttle is forgotten.
  void finish(const std::string& action);
  /// TTY: erase the block, leaving the cursor where it began, so other output (a log line,
  /// the final report) can be written; the next update() draws it again. Plain: no-op.
  void clear();

 private:
  struct Entry {
    RcloneStats stats;
    std::optional<TimePoint> last_printed;
  };

  void redraw();
  std::string fit(std::string line) const;

  std::ostream& m_out;
  ProgressOptions m_options;
  std::map<std::string, Entry> m_entries;
  std::size_t m_drawn_lines = 0;  // lines of the block on screen now (TTY)
};

}  // namespace coltec
