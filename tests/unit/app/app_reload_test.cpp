// What a SIGHUP reload changes, decided with plain values: the watcher's roots, the
// executor's settings, when the old spec must stay, which secrets stay redacted, and which
// crypt passwords still need `rclone obscure` (which runs on the loop, never blocking it).

#include "app_reload.hpp"

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fakes/fake_process_runner.hpp"

namespace coltec {
namespace {

using Strings = std::vector<std::string>;

Action action(const std::string& name, Direction direction, const std::string& path,
              Strings exclude = {}) {
  Action a;
  a.name = name;
  a.direction = direction;
  a.local_path = path;
  a.exclude = std::move(exclude);
  return a;
}

Plan plan_of(std::vector<Action> actions) {
  Plan p;
  p.workspace = "ws";
  p.actions = std::move(actions);
  return p;
}

RemoteDef crypt_remote(const std::string& name, const std::string& password_env) {
  RemoteDef r{name, "crypt", {{"remote", "base:"}}, CryptConfig{}, false};
  r.crypt->password_env = password_env;
  return r;
}

TEST(WatchRoots, CoverEveryActionButPullOnly) {
  const auto p = plan_of({action("code", Direction::push_only, "/w/code", {"*.tmp"}),
                          action("docs", Direction::pull_only, "/w/docs"),
                          action("notes", Direction::bidirectional, "/w/notes")});
  EXPECT_EQ(watch_roots(p), (std::vector<WatchRoot>{{"code", "/w/code", {"*.tmp"}},
                                                    {"notes", "/w/notes", {"/.coltec-sync/**"}}}));
}

TEST(DiffWatchRoots, UnchangedRootsAreLeftAlone) {
  const std::vector<WatchRoot> roots{{"code", "/w/code", {}}, {"notes", "/w/notes", {}}};
  EXPECT_EQ(diff_watch_roots(roots, roots), WatchRootChanges{});
}

TEST(DiffWatchRoots, AddedRemovedAndChangedRoots) {
  const std::vector<WatchRoot> before{{"code", "/w/code", {}},
                                      {"gone", "/w/gone", {}},
                                      {"moved", "/w/old", {}},
                                      {"filtered", "/w/f", {"*.tmp"}}};
  const std::vector<WatchRoot> after{{"code", "/w/code", {}},
                                     {"moved", "/w/new", {}},
                                     {"filtered", "/w/f", {"*.tmp", "node_modules/**"}},
                                     {"new", "/w/new-action", {}}};
  const auto changes = diff_watch_roots(before, after);
  EXPECT_EQ(changes.removed, (Strings{"gone", "moved", "filtered"}));
  EXPECT_EQ(changes.added,
            (std::vector<WatchRoot>{{"moved", "/w/new", {}},
                                    {"filtered", "/w/f", {"*.tmp", "node_modules/**"}},
                                    {"new", "/w/new-action", {}}}));
}

TEST(DiffWatchRoots, AnActionThatBecomesPullOnlyIsNoLongerWatched) {
  const auto before = plan_of({action("code", Direction::push_only, "/w/code")});
  const auto after = plan_of({action("code", Direction::pull_only, "/w/code")});
  const auto changes = diff_watch_roots(watch_roots(before), watch_roots(after));
  EXPECT_EQ(changes.removed, (Strings{"code"}));
  EXPECT_TRUE(changes.added.empty());
}

TEST(JobSpecs, FollowThePlan) {
  auto a = action("code", Direction::push_only, "/w/code");
  a.interval = std::chrono::seconds(90);
  a.priority = 1;
  a.declaration_index = 4;
  const auto jobs = job_specs(plan_of({a}), true);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], (JobSpec{"code", Direction::push_only, std::chrono::seconds(90), 1, 4, true}));
}

TEST(ExecutorSettingsFor, TakeSafetyFromThePlanAndCredentialsFromPrepared) {
  Options o;
  o.allow_empty_source = true;
  Plan p = plan_of({});
  p.safety.max_delete_percent = 10;
  p.safety.trash = false;
  Prepared prepared;
  prepared.state_dir = "/state/ws";
  prepared.config_path = "/dev/shm/x/rclone.conf";
  prepared.secrets = {"s3cret"};
  prepared.pass_aws = true;
  const auto s = executor_settings(o, p, {{"HOME", "/root"}}, prepared);
  EXPECT_EQ(s.safety, p.safety);
  EXPECT_EQ(s.secrets, (Strings{"s3cret"}));
  EXPECT_TRUE(s.pass_aws_credentials);
  EXPECT_TRUE(s.allow_empty_source);
  EXPECT_FALSE(s.dry_run);
  EXPECT_EQ(s.state_dir, "/state/ws");
  EXPECT_EQ(s.bisync_workdir, "/state/ws/bisync");
  EXPECT_EQ(s.config_path, "/dev/shm/x/rclone.conf");
  EXPECT_EQ(s.env.at("HOME"), "/root");
}

TEST(ReloadBlocker, ANewWorkspaceNameNeedsARestart) {
  auto next = plan_of({});
  next.workspace = "other";
  const auto why = reload_blocker(plan_of({}), next);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("'ws' to 'other'"), std::string::npos) << *why;
  EXPECT_NE(why->find("restart"), std::string::npos) << *why;
}

TEST(ReloadBlocker, EverythingElseCanChangeWhileRunning) {
  auto next = plan_of({action("new", Direction::push_only, "/w/new")});
  next.safety.max_delete_percent = 5;
  next.remotes = {crypt_remote("vault", "VAULT_PW")};
  next.enabled = false;
  EXPECT_EQ(reload_blocker(plan_of({action("old", Direction::pull_only, "/w/old")}), next),
            std::nullopt);
}

TEST(MergedSecrets, KeepEveryEarlierSecretAndAddTheNewOnes) {
  EXPECT_EQ(merged_secrets({"old-key", "shared"}, {"shared", "new-secret"}),
            (Strings{"new-secret", "old-key", "shared"}));
  EXPECT_EQ(merged_secrets({}, {}), Strings{});
}

TEST(PasswordsToObscure, OnlyVariablesNotObscuredYet) {
  auto p = plan_of({});
  p.remotes = {crypt_remote("a", "PW_A"), crypt_remote("b", "PW_B")};
  p.remotes[1].crypt->password2_env = "SALT_B";
  EXPECT_EQ(passwords_to_obscure(p, {}), (Strings{"PW_A", "PW_B", "SALT_B"}));
  EXPECT_EQ(passwords_to_obscure(p, {{"PW_A", "x"}, {"SALT_B", "y"}}), (Strings{"PW_B"}));
}

class ObscureAsync : public ::testing::Test {
 protected:
  std::optional<Result<ObscuredPasswords>> obscure(const Strings& vars, const EnvMap& env) {
    std::optional<Result<ObscuredPasswords>> result;
    obscure_passwords_async(runner, vars, env,
                            [&](Result<ObscuredPasswords> r) { result.emplace(std::move(r)); });
    started_synchronously = result.has_value();
    io.restart();
    io.run();
    return result;
  }
  boost::asio::io_context io;
  FakeProcessRunner runner{io};
  bool started_synchronously = false;
};

TEST_F(ObscureAsync, RunsOneRcloneObscurePerVariableOnTheLoop) {
  runner.script = [](const auto&) { return Script{0, {}, {"OBSCURED"}}; };
  const auto r = obscure({"PW_A", "PW_B"}, {{"PW_A", "plain-a"}, {"PW_B", "plain-b"}});
  EXPECT_FALSE(started_synchronously) << "the loop keeps running while rclone works";
  ASSERT_TRUE(r && r->ok()) << (r ? r->error().message : "never finished");
  EXPECT_EQ(r->value(), (ObscuredPasswords{{"PW_A", "OBSCURED"}, {"PW_B", "OBSCURED"}}));
  ASSERT_EQ(runner.calls.size(), 2u);
  for (const auto& argv : runner.calls) {
    EXPECT_EQ(argv, (Strings{"rclone", "obscure", "-"})) << "the password goes to stdin";
  }
}

TEST_F(ObscureAsync, NothingToDoAnswersAtOnce) {
  const auto r = obscure({}, {});
  EXPECT_TRUE(started_synchronously);
  ASSERT_TRUE(r && r->ok());
  EXPECT_TRUE(r->value().empty());
  EXPECT_TRUE(runner.calls.empty());
}

TEST_F(ObscureAsync, AnUnsetVariableOrAFailingRcloneIsAnError) {
  auto r = obscure({"PW_A"}, {});
  ASSERT_TRUE(r && !r->ok());
  EXPECT_EQ(r->error().message, "crypt password variable PW_A is not set");
  runner.script = [](const auto&) { return Script{1, {"boom"}, {}}; };
  r = obscure({"PW_A", "PW_B"}, {{"PW_A", "a"}, {"PW_B", "b"}});
  ASSERT_TRUE(r && !r->ok());
  EXPECT_EQ(r->error().message, "rclone obscure failed for PW_A");
  EXPECT_EQ(runner.calls.size(), 1u) << "stops at the first failure";
}

}  // namespace
}  // namespace coltec
