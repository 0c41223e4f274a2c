#include "app_setup.hpp"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_reload.hpp"

extern char** environ;  // NOLINT: POSIX global, read once at start-up

namespace coltec {

namespace fs = std::filesystem;

Result<PrivateDir> PrivateDir::create() {
  // tmpfs first: the credentials in the rclone config should never reach a disk.
  std::vector<std::string> bases;
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && *run != '\0') {
    bases.emplace_back(run);
  }
  bases.emplace_back("/dev/shm");
  const char* tmp = std::getenv("TMPDIR");
  bases.emplace_back(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  for (const auto& base : bases) {
    std::string templ = base + "/coltec-daemon.XXXXXX";
    if (mkdtemp(templ.data()) != nullptr) return PrivateDir(templ);  // mkdtemp makes it 0700
  }
  return make_error("cannot create a private temporary directory (tried " +
                    fmt::format("{}", fmt::join(bases, ", ")) + ")");
}

PrivateDir::~PrivateDir() {
  if (m_path.empty()) return;
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

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
    *failure = {ExitCode::runtime_error, "rclone is not installed or not in PATH (" +
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
    if (!lock) return SetupFailure{ExitCode::lock_held, lock.error().message};
    p.lock.emplace(std::move(lock).value());
  }
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
  const auto written = write_private_file(prepared.config_path, *text);
  if (!written) {
    *error = written.error().message;
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
  auto runtime = PrivateDir::create();
  if (!runtime) {
    *failure = {ExitCode::runtime_error, runtime.error().message};
    return std::nullopt;
  }
  p.runtime.emplace(std::move(runtime).value());
  p.config_path = p.runtime->path() + "/rclone.conf";
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
