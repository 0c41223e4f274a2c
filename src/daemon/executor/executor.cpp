// The executor owns the runs: one at a time per action, each a short chain of rclone steps,
// each started when the previous one ended (all on the io_context thread). A push-only or
// pull-only run asks next_oneway_step (oneway_flow.hpp) for its next step (executor_run.cpp);
// a bidirectional one runs the two-way engine, whose steps come from next_step
// (twoway_flow.hpp, twoway_run.cpp). Nothing destructive runs before the checks that guard it.

#include <filesystem>
#include <random>
#include <utility>

#include <fmt/format.h>

#include <coltec/executor.hpp>

#include "executor_run.hpp"
#include "twoway_run.hpp"

namespace coltec {

Executor::Executor(ProcessRunner& runner, Logger& log, ExecutorSettings settings,
                   std::vector<Action> actions, ExecutorSeams seams)
    : m_runner(runner), m_log(log), m_settings(std::move(settings)), m_seams(std::move(seams)) {
  if (m_seams.disk == nullptr) m_own_disk = make_system_disk();
  m_disk = m_seams.disk != nullptr ? m_seams.disk : m_own_disk.get();
  if (!m_seams.unix_now) {
    m_seams.unix_now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!m_seams.random_id) {
    m_seams.random_id = [rng = std::make_shared<std::mt19937_64>(std::random_device{}())] {
      return fmt::format("{:016x}", (*rng)());
    };
  }
  replace_actions(std::move(actions));
}

Executor::~Executor() {
  for (auto& [name, run] : m_running) run->detach();
}

void Executor::replace_actions(std::vector<Action> actions) {
  std::map<std::string, Action> next;
  for (auto& a : actions) {
    auto name = a.name;
    next.emplace(std::move(name), std::move(a));
  }
  // An action that syncs something else now (another folder, remote, direction or excludes)
  // or is gone starts over: its next run is a full one, and changes seen under an old folder
  // do not carry over. A new interval or priority changes nothing here.
  const auto same_target = [](const Action& a, const Action& b) {
    return a.local_path == b.local_path && a.remote_spec() == b.remote_spec() &&
           a.direction == b.direction && a.exclude == b.exclude;
  };
  for (const auto& [name, old] : m_actions) {
    const auto now = next.find(name);
    if (now == next.end() || !same_target(now->second, old)) {
      m_synced_once.erase(name);
      m_pending.erase(name);
    }
  }
  m_actions = std::move(next);
}

std::set<std::string> Executor::running() const {
  std::set<std::string> names;
  for (const auto& [name, run] : m_running) names.insert(name);
  return names;
}

void Executor::note_changes(const std::string& action, const std::vector<ChangedPath>& paths,
                            bool complete) {
  auto& pending = m_pending[action];
  pending.full = pending.full || !complete;
  for (const auto& p : paths) {
    // A directory event or too many files for one list: only a full sync covers it. (Any
    // name fits the list: it holds rclone's names, where a line break is a printable rune.)
    const bool listable = !p.is_dir && pending.files.size() < k_max_reported_paths;
    if (listable) {
      pending.files.insert(p.relative);
    } else {
      pending.full = true;
    }
  }
}

void Executor::run(const std::string& action, std::function<void(const SyncReport&)> done,
                   RunKind kind) {
  const auto it = m_actions.find(action);
  if (it == m_actions.end() || m_running.count(action) != 0) {
    SyncReport report;
    report.failure = RcloneFailure::fatal;
    report.error = it == m_actions.end() ? "unknown action '" + action + "'"
                                         : "action '" + action + "' is already running";
    done(report);
    return;
  }
  const bool startup = m_synced_once.count(action) == 0;
  // Every run covers what changed before it started; later changes wait for the next one.
  auto changes = std::exchange(m_pending[action], {});
  if (kind != RunKind::local_changes || startup) changes.full = true;
  auto finished = [this, action, done = std::move(done)](const SyncReport& r) {
    m_running.erase(action);
    if (r.failure == RcloneFailure::none) m_synced_once.insert(action);
    done(r);
  };
  if (it->second.direction == Direction::bidirectional) {
    // Start-up always looks at both sides: anything may have changed while we were away.
    const auto trigger = startup                          ? TwoWayTrigger::full
                         : kind == RunKind::local_changes ? TwoWayTrigger::local_changes
                         : kind == RunKind::interval      ? TwoWayTrigger::check
                                                          : TwoWayTrigger::full;
    auto run = std::make_shared<TwoWayRun>(*this, it->second, trigger, std::move(changes),
                                           std::move(finished));
    m_running.emplace(action, run);
    run->start();
    return;
  }
  auto run =
      std::make_shared<Run>(*this, it->second, startup, std::move(changes), std::move(finished));
  m_running.emplace(action, run);
  run->start();
}

void Executor::cancel(const std::string& action) {
  const auto it = m_running.find(action);
  if (it != m_running.end()) it->second->cancel();
}

}  // namespace coltec
