// The command line: defaults, COLTEC_* variables, and flags over environment over defaults,
// for both dialects (coltec-daemon and coltec-validate).

#include <cstdlib>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/cli.hpp>
#include <coltec/scheduler.hpp>

namespace coltec {
namespace {

using namespace std::chrono_literals;

const char* const k_variables[] = {
    "COLTEC_CONFIG",    "COLTEC_INTERVAL",     "COLTEC_LOG_FORMAT",     "COLTEC_LOG_LEVEL",
    "COLTEC_LOG_FILE",  "COLTEC_MAX_PARALLEL", "COLTEC_SHUTDOWN_GRACE", "COLTEC_METRICS_FILE",
    "COLTEC_STATE_DIR", "COLTEC_LOG_STDERR"};

// CLI11 reads the process environment; each test starts from none of our variables and
// puts back what the process had.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : k_variables) {
      if (const char* value = std::getenv(name)) m_saved[name] = value;
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : k_variables) ::unsetenv(name);
    for (const auto& [name, value] : m_saved) ::setenv(name.c_str(), value.c_str(), 1);
  }
  static void set_env(const char* name, const char* value) { ::setenv(name, value, 1); }

  static ParseOutcome parse(std::initializer_list<const char*> args,
                            const char* program = "coltec-daemon") {
    std::vector<const char*> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
  }
  static Options options(std::initializer_list<const char*> args) {
    auto parsed = parse(args);
    EXPECT_TRUE(parsed.options.has_value()) << parsed.error;
    return parsed.options.value_or(Options{});
  }

 private:
  std::map<std::string, std::string> m_saved;
};

TEST_F(CliTest, DefaultsWithNoFlagsAndNoEnvironment) {
  const Options o = options({});
  EXPECT_EQ(o.mode, Mode::daemon);
  EXPECT_EQ(o.config, "/workspace/.devcontainer/workspace-spec.yaml");
  EXPECT_EQ(o.log_format, LogFormat::text);
  EXPECT_EQ(o.log_level, "info");
  EXPECT_FALSE(o.interval.has_value());
  EXPECT_FALSE(o.state_dir.has_value());
  EXPECT_EQ(o.shutdown_grace, 6000ms);
  EXPECT_TRUE(o.watch);
  EXPECT_FALSE(o.dry_run);
}

// The scheduler owns its defaults; the command line starts from them rather than repeating
// them, and --help shows the same numbers.
TEST_F(CliTest, SchedulerDefaultsComeFromTheScheduler) {
  const SchedulerConfig scheduler;
  const Options o = options({});
  EXPECT_EQ(o.max_parallel, scheduler.max_parallel);
  EXPECT_EQ(o.debounce, scheduler.debounce);
  EXPECT_EQ(o.max_delay, scheduler.max_delay);
  EXPECT_EQ(o.reconcile_every, scheduler.reconcile_every);
  const auto help = parse({"--help"});
  ASSERT_TRUE(help.options.has_value());
  const std::string& text = help.options->message;
  EXPECT_NE(text.find("change (" + std::to_string(scheduler.debounce.count()) + ")"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("writes (" + std::to_string(scheduler.max_delay.count()) + ")"),
            std::string::npos);
  EXPECT_NE(text.find("changes (" + std::to_string(scheduler.reconcile_every.count()) + ")"),
            std::string::npos);
  EXPECT_NE(text.find("(default " + std::to_string(scheduler.max_parallel) + ")"),
            std::string::npos);
  EXPECT_NE(text.find("(default 6;"), std::string::npos) << "the shutdown grace";
}

TEST_F(CliTest, EnvironmentBeatsDefaults) {
  set_env("COLTEC_CONFIG", "/etc/spec.yaml");
  set_env("COLTEC_INTERVAL", "120");
  set_env("COLTEC_LOG_FORMAT", "json");
  set_env("COLTEC_LOG_LEVEL", "debug");
  set_env("COLTEC_LOG_FILE", "/var/log/coltec.log");
  set_env("COLTEC_MAX_PARALLEL", "4");
  set_env("COLTEC_SHUTDOWN_GRACE", "2.5");
  set_env("COLTEC_METRICS_FILE", "/m.prom");
  set_env("COLTEC_STATE_DIR", "/state");
  const Options o = options({});
  EXPECT_EQ(o.config, "/etc/spec.yaml");
  EXPECT_EQ(o.interval, std::optional<std::uint64_t>(120));
  EXPECT_EQ(o.log_format, LogFormat::json);
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_EQ(o.log_file, std::optional<std::string>("/var/log/coltec.log"));
  EXPECT_EQ(o.max_parallel, 4u);
  EXPECT_EQ(o.shutdown_grace, 2500ms);
  EXPECT_EQ(o.metrics_file, std::optional<std::string>("/m.prom"));
  EXPECT_EQ(o.state_dir, std::optional<std::string>("/state"));
}

TEST_F(CliTest, FlagsBeatEnvironment) {
  set_env("COLTEC_CONFIG", "/etc/spec.yaml");
  set_env("COLTEC_INTERVAL", "120");
  set_env("COLTEC_LOG_FORMAT", "json");
  set_env("COLTEC_MAX_PARALLEL", "4");
  set_env("COLTEC_SHUTDOWN_GRACE", "2.5");
  set_env("COLTEC_STATE_DIR", "/state");
  const Options o =
      options({"-c", "/flag.yaml", "--interval", "60", "--log-format", "text", "--max-parallel",
               "1", "--shutdown-grace", "0.5", "--state-dir", "/flag-state"});
  EXPECT_EQ(o.config, "/flag.yaml");
  EXPECT_EQ(o.interval, std::optional<std::uint64_t>(60));
  EXPECT_EQ(o.log_format, LogFormat::text);
  EXPECT_EQ(o.max_parallel, 1u);
  EXPECT_EQ(o.shutdown_grace, 500ms);
  EXPECT_EQ(o.state_dir, std::optional<std::string>("/flag-state"));
}

TEST_F(CliTest, FlagsWithoutAVariable) {
  const Options o = options({"--debounce-ms", "50", "--max-delay-ms", "900", "--reconcile-every",
                             "60", "--no-watch", "--only", "a", "--only", "b", "--dry-run",
                             "--allow-empty-source", "--force-deletes"});
  EXPECT_EQ(o.debounce, 50ms);
  EXPECT_EQ(o.max_delay, 900ms);
  EXPECT_EQ(o.reconcile_every, 60s);
  EXPECT_FALSE(o.watch);
  EXPECT_EQ(o.only, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(o.dry_run);
  EXPECT_TRUE(o.allow_empty_source);
  EXPECT_TRUE(o.force_deletes);
}

TEST_F(CliTest, OutOfRangeValuesAreUsageErrors) {
  EXPECT_FALSE(parse({"--interval", "5"}).options.has_value());
  EXPECT_FALSE(parse({"--log-format", "xml"}).options.has_value());
  EXPECT_FALSE(parse({"--max-parallel", "0"}).options.has_value());
  EXPECT_FALSE(parse({"--reconcile-every", "9"}).options.has_value());
  EXPECT_FALSE(parse({"--no-such-flag"}).options.has_value());
  set_env("COLTEC_INTERVAL", "5");
  const auto bad_env = parse({});
  EXPECT_FALSE(bad_env.options.has_value()) << "the environment is checked like a flag";
  EXPECT_FALSE(bad_env.error.empty());
}

TEST_F(CliTest, ModesAndTheirPrecedence) {
  EXPECT_EQ(options({"--once"}).mode, Mode::once);
  EXPECT_EQ(options({"--validate-only"}).mode, Mode::validate);
  EXPECT_EQ(options({"status"}).mode, Mode::status);
  EXPECT_EQ(options({"--status"}).mode, Mode::status);
  EXPECT_EQ(options({"--demo"}).mode, Mode::demo);
  EXPECT_EQ(options({"--print-schema", "--validate-only", "--once"}).mode, Mode::print_schema);
  EXPECT_EQ(options({"--validate-only", "--once"}).mode, Mode::validate);
  EXPECT_EQ(options({"status", "--once"}).mode, Mode::status);
  const Options st = options({"status", "-c", "/s.yaml", "--state-dir", "/d"});
  EXPECT_EQ(st.config, "/s.yaml") << "status takes the main flags";
  EXPECT_EQ(st.state_dir, std::optional<std::string>("/d"));
}

TEST_F(CliTest, HelpAndVersionAreReturnedNotPrinted) {
  const auto help = parse({"--help"});
  ASSERT_TRUE(help.options.has_value());
  EXPECT_EQ(help.options->mode, Mode::help);
  EXPECT_NE(help.options->message.find(help_footer()), std::string::npos);
  // The help text shows the defaults in force, not a copy of them.
  const auto debounce = std::to_string(SchedulerConfig{}.debounce.count());
  EXPECT_NE(help.options->message.find("Quiet window after a local change (" + debounce + ")"),
            std::string::npos);
  const auto version = parse({"--version"});
  ASSERT_TRUE(version.options.has_value());
  EXPECT_EQ(version.options->mode, Mode::version);
  EXPECT_EQ(version.options->message.rfind("coltec-daemon ", 0), 0u);
}

TEST_F(CliTest, TheValidatorDialect) {
  set_env("COLTEC_CONFIG", "/env.yaml");
  auto parsed = parse({}, "/usr/bin/coltec-validate");
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_TRUE(parsed.options->validator);
  EXPECT_EQ(parsed.options->mode, Mode::validate);
  EXPECT_EQ(parsed.options->config, "/env.yaml");
  parsed = parse({"--file", "/f.yaml", "--schema", "/s.json", "--schema-only"}, "coltec-validate");
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->config, "/f.yaml");
  EXPECT_EQ(parsed.options->schema_file, std::optional<std::string>("/s.json"));
  EXPECT_TRUE(parsed.options->schema_only);
  EXPECT_EQ(parse({"--generate-schema"}, "coltec-validate").options->mode, Mode::print_schema);
  EXPECT_FALSE(parse({"--once"}, "coltec-validate").options.has_value())
      << "the daemon's flags are not the validator's";
}

}  // namespace
}  // namespace coltec
