#include "app_setup.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <unistd.h>

#include <coltec/disk.hpp>

#include "app_reload.hpp"

extern char** environ;  // NOLINT: POSIX global, read once at start-up

namespace coltec {

Captured run_capture(ProcessRunner& runner, boost::asio::io_context& io, const ProcessSpec& spec) {
  Captured c;
  runner.start(
      spec,
      [&c](OutputStream s, const std::string& line) {
        // Both bounded (invariant 7): a broken or hostile child cannot grow our memory.
        if (s == OutputStream::out && c.out.size() < 65536) {
          c.out += line;
          c.out += '\n';
        } else if (s == OutputStream::err && c.err_tail.size() < 4096) {
          c.err_tail += line;
          c.err_tail += '\n';
        }
      },
      [&c](const ProcessResult& r) { c.result = r; });
  io.restart();
  io.run();
  return c;
}

EnvMap current_environment() {
  EnvMap env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::string self_command(const EnvMap& env) {
  std::error_code ec;
  const auto self = std::filesystem::canonical("/proc/self/exe", ec);
  if (ec) return "coltec-daemon";
  std::vector<std::string> path;
  if (const auto it = env.find("PATH"); it != env.end()) path.push_back("PATH=" + it->second);
  if (const auto found = resolve_program("coltec-daemon", path)) {
    const auto resolved = std::filesystem::canonical(*found, ec);
    if (!ec && resolved == self) return "coltec-daemon";
  }
  return self.string();
}

std::optional<Planned> load_and_plan(const Options& o, const EnvMap& env, Logger& log,
                                     SetupFailure* failure) {
  auto loaded = load_spec_file(o.config);
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems) {
      // A file-level problem (missing, unreadable) has no line, column or field to name.
      Fields fields{{"file", p.file}};
      if (p.line > 0) fields.emplace_back("line", p.line);
      if (p.column > 0) fields.emplace_back("column", p.column);
      if (!p.path.empty()) fields.emplace_back("path", p.path);
      log.error(p.message, fields);
    }
    *failure = {ExitCode::config_error,
                fmt::format("{} has {} problem(s); run --validate-only for details", o.config,
                            loaded.problems.size())};
    return std::nullopt;
  }
  PlanOptions po;
  po.interval_override = o.interval;
  po.only = o.only;
  if (const auto it = env.find("RCLONE_BUCKET"); it != env.end() && !it->second.empty()) {
    po.legacy_bucket = it->second;
  }
  auto plan = build_plan(*loaded.spec, po);
  if (!plan) {
    *failure = {ExitCode::config_error, plan.error().message};
    return std::nullopt;
  }
  return Planned{std::move(*loaded.spec), std::move(plan).value()};
}

namespace {

// The answer recorded for exactly this rclone binary, if any.
std::optional<RcloneCaps> cached_rclone(const std::optional<FileIdentity>& id,
                                        const std::string& cache_file, Logger& log) {
  if (!id) return std::nullopt;
  const auto line = read_tool_cache(cache_file, *id);
  if (!line) return std::nullopt;
  const auto version = parse_rclone_version(*line);
  if (!version) return std::nullopt;
  log.debug("rclone version from the cache", {{"rclone", id->path}, {"cache", cache_file}});
  return caps_for(*version);
}

// `rclone version`, remembered in `cache_file` under the binary's identity so that a
// `--once` does not pay a process start for an answer that only changes with the binary.
std::optional<RcloneCaps> detect_rclone(const EnvMap& env, const std::string& cache_file,
                                        Logger& log, SetupFailure* failure) {
  ProcessSpec spec;
  spec.argv = version_argv();
  spec.env = child_environment(env);
  spec.timeout = std::chrono::seconds(30);
  std::optional<FileIdentity> id;
  if (const auto exe = resolve_program(spec.argv[0], spec.env)) id = identify_file(*exe);
  if (auto cached = cached_rclone(id, cache_file, log)) return cached;
  boost::asio::io_context io;
  auto runner = make_process_runner(io);
  const auto c = run_capture(*runner, io, spec);
  if (c.result.spawn_failed) {
    // "rclone not found" is the earlier daemon's wording; scripts and people search for it.
    *failure = {ExitCode::runtime_error, "rclone not found: it is not installed or not on PATH (" +
                                             c.result.spawn_error +
                                             "); install it, e.g. apt-get install rclone"};
    return std::nullopt;
  }
  auto version = parse_rclone_version(c.out);
  if (!version) {
    *failure = {ExitCode::runtime_error,
                "cannot read rclone's version: " + version.error().message};
    return std::nullopt;
  }
  if (id) {
    if (const auto saved = write_tool_cache(cache_file, *id, "rclone v" + to_string(*version));
        !saved) {
      log.debug("cannot cache rclone's version",
                {{"cache", cache_file}, {"error", saved.error().message}});
    }
  }
  return caps_for(*version);
}

// Who we are on a shared remote path: the host name (so "waiting for another daemon (x)"
// names the other container) plus a random part, kept in the state directory, so a claim
// left by a crash of this daemon is recognised as ours after a restart.
Result<std::string> owner_id_for(const std::string& state_dir) {
  const auto path = owner_id_file(state_dir);
  if (auto text = make_system_disk()->read_file(path, 256)) {
    std::string id = *text;
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    const bool valid = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
    });
    if (valid) return id;
  }
  char host[256] = {};
  std::string name = ::gethostname(host, sizeof host - 1) == 0 ? host : "host";
  std::erase_if(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.';
  });
  if (name.empty() || name.size() > 40) name = "host";
  std::random_device rd;
  const auto id = fmt::format("{}-{:08x}", name, rd());
  if (auto written = write_file_atomic(path, id + "\n", 0600); !written) return written.error();
  return id;
}

// The state directory and its layout, rclone's version, and the lock (not for dry runs).
std::optional<SetupFailure> prepare_state(const Options& o, const Plan& plan, const EnvMap& env,
                                          Logger& log, Prepared& p) {
  EnvMap state_env = env;
  if (o.state_dir) state_env["COLTEC_STATE_DIR"] = *o.state_dir;
  auto dir = state_dir_for(plan.workspace, state_env);
  if (!dir) return SetupFailure{ExitCode::runtime_error, dir.error().message};
  p.state_dir = *dir;
  if (auto made = ensure_state_layout(p.state_dir); !made) {
    return SetupFailure{ExitCode::runtime_error, made.error().message};
  }
  SetupFailure failure;
  auto caps = detect_rclone(env, rclone_version_file(p.state_dir), log, &failure);
  if (!caps) return failure;
  p.caps = *caps;
  if (!o.dry_run) {
    auto lock = WorkspaceLock::acquire(lock_file(p.state_dir));
    // Exit 4 says "another daemon runs"; a lock that cannot be opened is an I/O problem.
    if (!lock) {
      const auto code =
          lock_holder(lock_file(p.state_dir)) ? ExitCode::lock_held : ExitCode::runtime_error;
      return SetupFailure{code, lock.error().message};
    }
    p.lock.emplace(std::move(lock).value());
  }
  auto owner = owner_id_for(p.state_dir);
  if (!owner) return SetupFailure{ExitCode::runtime_error, owner.error().message};
  p.owner_id = std::move(owner).value();
  return std::nullopt;
}

}  // namespace

bool write_rclone_config(const Plan& plan, const EnvMap& env, Prepared& prepared,
                         std::string* error) {
  auto more = obscure_passwords_now(passwords_to_obscure(plan, prepared.obscured), env);
  if (!more) {
    *error = more.error().message;
    return false;
  }
  auto obscured = prepared.obscured;
  obscured.insert(more->begin(), more->end());
  auto text = render_rclone_config(plan.remotes, env, obscured);
  if (!text) {
    *error = text.error().message;
    return false;
  }
  // In memory only (prepare() made the file): a file on disk would outlive a SIGKILL with
  // the credentials in it. Replacing keeps the descriptor number, so a reload leaves the
  // executor's settings valid.
  if (const auto replaced = prepared.config_file->replace(*text); !replaced) {
    *error = replaced.error().message;
    return false;
  }
  prepared.secrets = secret_values(plan.remotes, env, obscured);
  prepared.pass_aws = uses_env_auth(plan.remotes);
  prepared.obscured = std::move(obscured);
  return true;
}

std::optional<Prepared> prepare(const Options& o, const Plan& plan, const EnvMap& env, Logger& log,
                                SetupFailure* failure) {
  Prepared p;
  if (auto failed = prepare_state(o, plan, env, log, p)) {
    *failure = std::move(*failed);
    return std::nullopt;
  }
  auto config_file = MemoryFile::create("coltec-rclone-config", "");
  if (!config_file) {
    *failure = {ExitCode::runtime_error, config_file.error().message};
    return std::nullopt;
  }
  p.config_file.emplace(std::move(config_file).value());
  p.config_path = p.config_file->path();
  std::string error;
  if (!write_rclone_config(plan, env, p, &error)) {
    *failure = {ExitCode::config_error, error};
    return std::nullopt;
  }
  apply_log_secrets(log, p.secrets);
  log.debug("rclone detected", {{"version", to_string(p.caps.version)}});
  return p;
}

}  // namespace coltec
