// Planner rules: skipping, action building, settings cascade, intervals, --only, ordering.

#include <gtest/gtest.h>

#include <coltec/planner.hpp>

namespace coltec {
namespace {

Spec base_spec() {
  Spec s;
  s.name = "widget-ws";
  s.metadata.org = "acme";
  s.metadata.project = "widget";
  s.metadata.environment = "dev";
  s.persistence.enabled = true;
  s.persistence.mode = PersistenceMode::replicated;
  RemoteConfig r2;
  r2.type = "s3";
  r2.bucket = "bkt";
  r2.path_prefix = "workspaces";
  r2.options = {{"provider", "Cloudflare"}, {"secret_access_key", "${R2_SECRET}"}};
  s.persistence.remotes["r2"] = r2;
  s.persistence.default_remote = "r2";
  return s;
}

SyncPath sync_path(std::string name, std::string path, std::string remote_path) {
  SyncPath p;
  p.name = std::move(name);
  p.path = std::move(path);
  p.remote_path = std::move(remote_path);
  return p;
}

VolumeConfig volume(std::string name, std::string mount, std::string remote_path) {
  VolumeConfig v;
  v.name = std::move(name);
  v.mount_path = std::move(mount);
  v.remote_path = std::move(remote_path);
  return v;
}

Plan plan_of(const Spec& spec, const PlanOptions& options = {}) {
  auto plan = build_plan(spec, options);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
  return plan.ok() ? plan.value() : Plan{};
}

std::vector<std::string> names(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions) out.push_back(a.name);
  return out;
}

TEST(PlannerSkip, DisabledPersistenceIsNotAnError) {
  auto spec = base_spec();
  spec.persistence.enabled = false;
  spec.persistence.sync.push_back(sync_path("code", "/workspace", "code"));
  const auto plan = plan_of(spec);
  EXPECT_FALSE(plan.enabled);
  EXPECT_EQ(plan.skip_reason, "persistence is disabled in the spec (persistence.enabled: false)");
  EXPECT_TRUE(plan.actions.empty());
}

TEST(PlannerSkip, MountedModeSkips) {
  auto spec = base_spec();
  spec.persistence.mode = PersistenceMode::mounted;
  spec.persistence.sync.push_back(sync_path("code", "/workspace", "code"));
  const auto plan = plan_of(spec);
  EXPECT_FALSE(plan.enabled);
  EXPECT_NE(plan.skip_reason.find("persistence.mode: mounted"), std::string::npos);
}

TEST(PlannerSkip, NothingToSyncSkips) {
  auto spec = base_spec();
  spec.persistence.multi_scope_volumes = MultiScopeVolumes{};
  const auto plan = plan_of(spec);
  EXPECT_FALSE(plan.enabled);
  EXPECT_NE(plan.skip_reason.find("no persistence.sync"), std::string::npos);
}

TEST(PlannerSkip, SkipWinsOverUnknownOnlyName) {
  auto spec = base_spec();
  spec.persistence.enabled = false;
  PlanOptions options;
  options.only = {"nope"};
  EXPECT_FALSE(plan_of(spec, options).enabled);
}

TEST(PlannerActions, SyncPathBecomesAWholeAction) {
  auto spec = base_spec();
  auto p = sync_path("code", "/workspace/", "{org}/{project}/{env}/code");
  p.direction = Direction::push_only;
  p.interval = 60;
  p.priority = 1;
  p.exclude = {"node_modules/**", "*.tmp"};
  spec.persistence.sync.push_back(p);
  const auto plan = plan_of(spec);
  ASSERT_EQ(plan.actions.size(), 1u);
  Action want;
  want.name = "code";
  want.declaration_index = 0;
  want.local_path = "/workspace";
  want.remote_name = "r2";
  want.remote_path = "bkt/workspaces/acme/widget/dev/code";
  want.remote_type = "s3";
  want.backend_type = "s3";
  want.direction = Direction::push_only;
  want.interval = std::chrono::seconds(60);
  want.priority = 1;
  want.exclude = {"node_modules/**", "*.tmp"};
  want.transfers = 8;
  want.checkers = 16;
  want.reason =
      "persistence.sync[0] 'code': /workspace <-> r2:bkt/workspaces/acme/widget/dev/code "
      "(remote from default_remote), push-only, transfers 8 (built-in), checkers 16 (built-in), "
      "no bwlimit, interval 60s (spec)";
  EXPECT_EQ(plan.actions[0], want);
  EXPECT_EQ(plan.workspace, "widget-ws");
  EXPECT_TRUE(plan.enabled);
}

TEST(PlannerActions, VolumeUsesMountPathAndSyncDirection) {
  auto spec = base_spec();
  auto v = volume("cache", "/home/vscode/.cache", "{project}/cache");
  v.sync = Direction::pull_only;
  v.exclude = {"tmp/**"};
  spec.persistence.multi_scope_volumes = MultiScopeVolumes{{}, {}, {v}};
  const auto plan = plan_of(spec);
  ASSERT_EQ(plan.actions.size(), 1u);
  const auto& a = plan.actions[0];
  EXPECT_EQ(a.local_path, "/home/vscode/.cache");
  EXPECT_EQ(a.remote_spec(), "r2:bkt/workspaces/widget/cache");
  EXPECT_EQ(a.direction, Direction::pull_only);
  EXPECT_EQ(a.exclude, std::vector<std::string>{"tmp/**"});
  EXPECT_FALSE(a.read_only);
  EXPECT_NE(a.reason.find("persistence.multi_scope_volumes.environment[0] 'cache'"),
            std::string::npos);
}

TEST(PlannerActions, ReadOnlyVolumeNeverPushes) {
  for (const auto dir : {Direction::bidirectional, Direction::push_only}) {
    auto spec = base_spec();
    auto v = volume("shared", "/mnt/shared", "shared");
    v.sync = dir;
    v.read_only = true;
    spec.persistence.multi_scope_volumes = MultiScopeVolumes{{}, {}, {v}};
    const auto plan = plan_of(spec);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].direction, Direction::pull_only);
    EXPECT_TRUE(plan.actions[0].read_only);
    EXPECT_NE(plan.actions[0].reason.find("pull-only because the volume is read_only"),
              std::string::npos);
    EXPECT_NE(plan.actions[0].reason.find(to_string(dir)), std::string::npos);
  }
}

TEST(PlannerActions, ReadOnlyPullOnlyVolumeNeedsNoExplanation) {
  auto spec = base_spec();
  auto v = volume("shared", "/mnt/shared", "shared");
  v.sync = Direction::pull_only;
  v.read_only = true;
  spec.persistence.multi_scope_volumes = MultiScopeVolumes{{}, {}, {v}};
  const auto plan = plan_of(spec);
  EXPECT_EQ(plan.actions[0].direction, Direction::pull_only);
  EXPECT_EQ(plan.actions[0].reason.find("because"), std::string::npos);
}

TEST(PlannerActions, RelativeLocalPathIsAnError) {
  auto spec = base_spec();
  spec.persistence.sync.push_back(sync_path("code", "workspace", "code"));
  const auto plan = build_plan(spec, {});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message.find("must be absolute"), std::string::npos);
  EXPECT_NE(plan.error().message.find("persistence.sync[0] 'code'"), std::string::npos);
}

TEST(PlannerSettings, PathBeatsDefaultsBeatsBuiltIn) {
  auto spec = base_spec();
  spec.persistence.defaults = SyncDefaults{std::nullopt, 4, "2M"};
  auto p = sync_path("code", "/workspace", "code");
  p.transfers = 2;
  p.bwlimit = "10M";
  spec.persistence.sync.push_back(p);
  const auto a = plan_of(spec).actions.at(0);
  EXPECT_EQ(a.transfers, 2u);
  EXPECT_EQ(a.checkers, 4u);
  EXPECT_EQ(a.bwlimit, "10M");
  EXPECT_NE(a.reason.find("transfers 2 (path)"), std::string::npos);
  EXPECT_NE(a.reason.find("checkers 4 (persistence.defaults)"), std::string::npos);
  EXPECT_NE(a.reason.find("bwlimit 10M (path)"), std::string::npos);
}

TEST(PlannerSettings, DefaultsApplyToVolumesAndBwlimitFromDefaults) {
  auto spec = base_spec();
  spec.persistence.defaults = SyncDefaults{3, std::nullopt, "1M"};
  spec.persistence.multi_scope_volumes =
      MultiScopeVolumes{{}, {}, {volume("cache", "/cache", "cache")}};
  const auto a = plan_of(spec).actions.at(0);
  EXPECT_EQ(a.transfers, 3u);
  EXPECT_EQ(a.checkers, 16u);
  EXPECT_EQ(a.bwlimit, "1M");
  EXPECT_NE(a.reason.find("transfers 3 (persistence.defaults)"), std::string::npos);
  EXPECT_NE(a.reason.find("checkers 16 (built-in)"), std::string::npos);
  EXPECT_NE(a.reason.find("bwlimit 1M (persistence.defaults)"), std::string::npos);
}

TEST(PlannerSettings, IntervalOverrideReplacesEveryInterval) {
  auto spec = base_spec();
  auto p = sync_path("a", "/a", "a");
  p.interval = 600;
  spec.persistence.sync.push_back(p);
  auto v = volume("b", "/b", "b");
  v.interval = 30;
  spec.persistence.multi_scope_volumes = MultiScopeVolumes{{}, {}, {v}};
  PlanOptions options;
  options.interval_override = 15;
  const auto plan = plan_of(spec, options);
  ASSERT_EQ(plan.actions.size(), 2u);
  for (const auto& a : plan.actions) {
    EXPECT_EQ(a.interval, std::chrono::seconds(15));
    EXPECT_NE(a.reason.find("interval 15s (--interval)"), std::string::npos);
  }
  const auto plain = plan_of(spec);
  EXPECT_EQ(plain.actions[0].interval, std::chrono::seconds(600));
  EXPECT_EQ(plain.actions[1].interval, std::chrono::seconds(30));
}

TEST(PlannerSettings, HugeIntervalDoesNotWrapNegative) {
  auto spec = base_spec();
  spec.persistence.sync.push_back(sync_path("a", "/a", "a"));
  PlanOptions options;
  options.interval_override = std::numeric_limits<std::uint64_t>::max();
  EXPECT_GT(plan_of(spec, options).actions.at(0).interval.count(), 0);
}

Spec three_actions() {
  auto spec = base_spec();
  spec.persistence.sync.push_back(sync_path("a", "/a", "a"));
  spec.persistence.sync.push_back(sync_path("b", "/b", "b"));
  spec.persistence.multi_scope_volumes = MultiScopeVolumes{{}, {}, {volume("c", "/c", "c")}};
  return spec;
}

TEST(PlannerOnly, KeepsOnlyTheNamedActions) {
  PlanOptions options;
  options.only = {"c", "a"};
  const auto plan = plan_of(three_actions(), options);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(plan.actions[1].declaration_index, 2u);
}

TEST(PlannerOnly, UnknownNameListsValidNames) {
  PlanOptions options;
  options.only = {"a", "typo"};
  const auto plan = build_plan(three_actions(), options);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message, "--only names unknown action 'typo'; valid names: a, b, c");
}

TEST(PlannerOrder, PriorityThenDeclarationOrder) {
  auto spec = base_spec();
  const std::vector<std::pair<std::string, std::uint32_t>> paths = {
      {"p2-first", 2}, {"p1", 1}, {"p2-second", 2}, {"p3", 3}};
  for (const auto& [name, priority] : paths) {
    auto p = sync_path(name, "/" + name, name);
    p.priority = priority;
    spec.persistence.sync.push_back(p);
  }
  auto v0 = volume("v-p1", "/v0", "v0");
  v0.priority = 1;
  auto v1 = volume("v-p2", "/v1", "v1");
  v1.priority = 2;
  spec.persistence.multi_scope_volumes = MultiScopeVolumes{{}, {}, {v0, v1}};
  EXPECT_EQ(names(plan_of(spec)),
            (std::vector<std::string>{"p1", "v-p1", "p2-first", "p2-second", "v-p2", "p3"}));
}

TEST(PlannerPlan, RemotesSortedUniqueAndSafetyCopied) {
  auto spec = three_actions();
  RemoteConfig alpha;
  alpha.type = "s3";
  alpha.bucket = "alpha-bkt";
  spec.persistence.remotes["alpha"] = alpha;
  spec.persistence.sync[1].remote = "alpha";
  spec.persistence.safety.max_delete_percent = 20;
  spec.persistence.safety.trash = false;
  const auto plan = plan_of(spec);
  ASSERT_EQ(plan.remotes.size(), 2u);
  EXPECT_EQ(plan.remotes[0].name, "alpha");
  EXPECT_EQ(plan.remotes[1].name, "r2");
  EXPECT_EQ(plan.remotes[1].options, spec.persistence.remotes["r2"].options);
  EXPECT_FALSE(plan.remotes[1].legacy);
  EXPECT_EQ(plan.safety, spec.persistence.safety);
}

TEST(PlannerPlan, UnusedRemotesAreNotListed) {
  auto spec = base_spec();
  spec.persistence.remotes["unused"] = RemoteConfig{};
  spec.persistence.sync.push_back(sync_path("a", "/a", "a"));
  const auto plan = plan_of(spec);
  ASSERT_EQ(plan.remotes.size(), 1u);
  EXPECT_EQ(plan.remotes[0].name, "r2");
}

TEST(PlannerPlaceholders, ResolvesEveryOccurrenceAndKeepsOtherBraces) {
  Metadata m;
  m.org = "acme";
  m.project = "widget";
  m.environment = "prod";
  EXPECT_EQ(resolve_placeholders("{org}/{project}/{env}/{org}", m), "acme/widget/prod/acme");
  EXPECT_EQ(resolve_placeholders("{other}/{org", m), "{other}/{org");
  EXPECT_EQ(resolve_placeholders("", m), "");
}

}  // namespace
}  // namespace coltec

namespace coltec {
namespace {

TEST(PlannerActions, ARootTheSpecMountsMustBeAMountPoint) {
  auto spec = base_spec();
  spec.persistence.sync.push_back(sync_path("code", "/workspace/code", "code"));
  spec.persistence.sync.push_back(sync_path("notes", "/workspace/notes", "notes"));
  MountSpec volume_mount;
  volume_mount.source = "ws-code";
  volume_mount.target = "/workspace/code/";
  volume_mount.type = MountType::volume;
  spec.devcontainer.mounts.push_back(volume_mount);
  MountSpec tmpfs_mount;
  tmpfs_mount.target = "/workspace/notes";
  tmpfs_mount.type = MountType::tmpfs;  // a tmpfs is meant to start empty: no expectation
  spec.mounts.push_back(tmpfs_mount);
  const auto plan = plan_of(spec);
  ASSERT_EQ(plan.actions.size(), 2U);
  EXPECT_TRUE(plan.actions[0].expect_mount);
  EXPECT_NE(plan.actions[0].reason.find("mount point"), std::string::npos);
  EXPECT_FALSE(plan.actions[1].expect_mount);
}

}  // namespace
}  // namespace coltec
