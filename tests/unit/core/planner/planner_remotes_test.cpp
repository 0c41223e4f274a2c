// Planner remote rules: which remote, path joining, local and crypt remotes, legacy config.

#include <gtest/gtest.h>

#include <coltec/planner.hpp>

namespace coltec {
namespace {

Spec spec_with(std::map<std::string, RemoteConfig> remotes) {
  Spec s;
  s.name = "ws";
  s.metadata.org = "acme";
  s.metadata.project = "widget";
  s.persistence.enabled = true;
  s.persistence.mode = PersistenceMode::replicated;
  s.persistence.remotes = std::move(remotes);
  SyncPath p;
  p.name = "code";
  p.path = "/workspace";
  p.remote_path = "{org}/{project}/code";
  s.persistence.sync.push_back(p);
  return s;
}

RemoteConfig s3(std::optional<std::string> bucket, std::optional<std::string> prefix = {}) {
  RemoteConfig r;
  r.type = "s3";
  r.bucket = std::move(bucket);
  r.path_prefix = std::move(prefix);
  r.options = {{"provider", "Other"}};
  return r;
}

RemoteConfig local(std::optional<std::string> prefix) {
  RemoteConfig r;
  r.type = "local";
  r.path_prefix = std::move(prefix);
  return r;
}

RemoteConfig crypt(std::string wraps, std::optional<std::string> wrap_path,
                   std::optional<std::string> prefix = {}) {
  RemoteConfig r;
  r.type = "crypt";
  r.wrap_remote = std::move(wraps);
  r.wrap_path = std::move(wrap_path);
  r.path_prefix = std::move(prefix);
  r.crypt = CryptConfig{"VAULT_PASS", "VAULT_SALT", FilenameEncryption::standard, true};
  return r;
}

LegacyRcloneConfig legacy_config() {
  LegacyRcloneConfig legacy;
  legacy.remote_name = "r2coltec";
  legacy.options = {{"provider", "Cloudflare"}};
  return legacy;
}

Plan plan_of(const Spec& spec, const PlanOptions& options = {}) {
  auto plan = build_plan(spec, options);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
  return plan.ok() ? plan.value() : Plan{};
}

std::string error_of(const Spec& spec) {
  auto plan = build_plan(spec, {});
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? "" : plan.error().message;
}

TEST(PlannerRemotes, OwnRemoteBeatsDefaultBeatsLegacy) {
  auto spec = spec_with({{"own", s3("own-bkt")}, {"dflt", s3("dflt-bkt")}});
  spec.persistence.rclone_config = legacy_config();
  spec.persistence.default_remote = "dflt";
  spec.persistence.sync[0].remote = "own";
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "own:own-bkt/acme/widget/code");
  EXPECT_NE(plan_of(spec).actions[0].reason.find("(remote from own remote)"), std::string::npos);
  spec.persistence.sync[0].remote.reset();
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "dflt:dflt-bkt/acme/widget/code");
  spec.persistence.default_remote.reset();
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "r2coltec:coltec-workspaces/acme/widget/code");
  EXPECT_NE(plan_of(spec).actions[0].reason.find("legacy rclone_config"), std::string::npos);
}

TEST(PlannerRemotes, LegacyUsesBucketOptionAndMarksTheRemote) {
  auto spec = spec_with({});
  spec.persistence.rclone_config = legacy_config();
  PlanOptions options;
  options.legacy_bucket = "team-bucket";
  const auto plan = plan_of(spec, options);
  EXPECT_EQ(plan.actions[0].remote_spec(), "r2coltec:team-bucket/acme/widget/code");
  EXPECT_EQ(plan.actions[0].remote_type, "s3");
  ASSERT_EQ(plan.remotes.size(), 1u);
  EXPECT_EQ(plan.remotes[0],
            (RemoteDef{"r2coltec", "s3", {{"provider", "Cloudflare"}}, std::nullopt, true}));
}

TEST(PlannerRemotes, DefaultRemoteMayNameTheLegacyRemote) {
  auto spec = spec_with({});
  spec.persistence.rclone_config = legacy_config();
  spec.persistence.default_remote = "r2coltec";
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "r2coltec:coltec-workspaces/acme/widget/code");
}

TEST(PlannerRemotes, JoinsWithoutDoubledLeadingOrTrailingSlashes) {
  auto spec = spec_with({{"r2", s3("/bkt/", "/ws//{org}/")}});
  spec.persistence.default_remote = "r2";
  spec.persistence.sync[0].remote_path = "//{project}/./code//";
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "r2:bkt/ws/acme/widget/code");
}

TEST(PlannerRemotes, DotDotSegmentIsRefused) {
  auto spec = spec_with({{"r2", s3("bkt")}});
  spec.persistence.default_remote = "r2";
  spec.persistence.sync[0].remote_path = "code/../../other-team";
  EXPECT_NE(error_of(spec).find("'..' is not allowed"), std::string::npos);
}

TEST(PlannerRemotes, EmptyRemotePathIsRefused) {
  auto spec = spec_with({{"r2", s3(std::nullopt)}});
  spec.persistence.default_remote = "r2";
  spec.persistence.sync[0].remote_path = "/";
  EXPECT_NE(error_of(spec).find("resolves to the root of remote 'r2'"), std::string::npos);
}

TEST(PlannerRemotes, ALocalRemoteInASystemFolderIsRefused) {
  const std::pair<const char*, const char*> cases[] = {
      {"/", "etc"}, {"/usr", "local/bin"}, {"/", "proc/1"}, {"/var", "."}};
  for (const auto& [prefix, path] : cases) {
    auto spec = spec_with({{"disk", local(prefix)}});
    spec.persistence.default_remote = "disk";
    spec.persistence.sync[0].remote_path = path;
    EXPECT_NE(error_of(spec).find("the system folder"), std::string::npos)
        << prefix << " " << path << ": " << error_of(spec);
  }
  auto fine = spec_with({{"disk", local("/srv/backups")}});
  fine.persistence.default_remote = "disk";
  EXPECT_TRUE(build_plan(fine, {}).ok());
}

TEST(PlannerRemotes, LocalRemoteHasNoBucketAndKeepsAbsolutePrefix) {
  auto remote = local("/srv/backups/");
  remote.bucket = "ignored";
  auto spec = spec_with({{"disk", remote}});
  spec.persistence.default_remote = "disk";
  auto plan = plan_of(spec);
  EXPECT_EQ(plan.actions[0].remote_spec(), "disk:/srv/backups/acme/widget/code");
  EXPECT_EQ(plan.actions[0].remote_type, "local");
  EXPECT_EQ(plan.actions[0].backend_type, "local");
  // Relative to the folder the daemon happens to start in: refused.
  spec.persistence.remotes["disk"] = local("rel/dir");
  EXPECT_NE(error_of(spec).find("not an absolute path"), std::string::npos);
  spec.persistence.remotes["disk"] = local(std::nullopt);
  spec.persistence.sync[0].remote_path = "/abs/{org}";
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "disk:/abs/acme");
}

TEST(PlannerRemotes, CryptOverS3UsesTheCryptRemoteAndListsTheChain) {
  auto spec = spec_with(
      {{"r2", s3("bkt", "ignored-for-crypt")}, {"vault", crypt("r2", "enc/{org}", "ws")}});
  spec.persistence.default_remote = "vault";
  const auto plan = plan_of(spec);
  const auto& a = plan.actions.at(0);
  EXPECT_EQ(a.remote_spec(), "vault:ws/acme/widget/code");
  EXPECT_EQ(a.remote_type, "crypt");
  EXPECT_EQ(a.backend_type, "s3");
  ASSERT_EQ(plan.remotes.size(), 2u);
  EXPECT_EQ(plan.remotes[0], (RemoteDef{"r2", "s3", {{"provider", "Other"}}, std::nullopt, false}));
  EXPECT_EQ(plan.remotes[1].name, "vault");
  EXPECT_EQ(plan.remotes[1].type, "crypt");
  EXPECT_EQ(plan.remotes[1].options.at("remote"), "r2:bkt/enc/acme");
  EXPECT_EQ(plan.remotes[1].crypt, spec.persistence.remotes["vault"].crypt);
}

TEST(PlannerRemotes, CryptOverCryptOverLocalChain) {
  auto spec = spec_with({{"disk", local("/data")},
                         {"inner", crypt("disk", "/data/inner")},
                         {"outer", crypt("inner", "sub")}});
  spec.persistence.default_remote = "outer";
  const auto plan = plan_of(spec);
  EXPECT_EQ(plan.actions[0].remote_spec(), "outer:acme/widget/code");
  EXPECT_EQ(plan.actions[0].backend_type, "local");
  ASSERT_EQ(plan.remotes.size(), 3u);
  EXPECT_EQ(plan.remotes[0].name, "disk");
  EXPECT_EQ(plan.remotes[1].options.at("remote"), "disk:/data/inner");
  EXPECT_EQ(plan.remotes[2].options.at("remote"), "inner:sub");
}

TEST(PlannerRemotes, CryptOverLocalGoesBelowThePathPrefix) {
  auto spec = spec_with({{"disk", local("/srv/backups")}, {"vault", crypt("disk", "enc/{org}")}});
  spec.persistence.default_remote = "vault";
  const auto plan = plan_of(spec);
  ASSERT_EQ(plan.remotes.size(), 2u);
  EXPECT_EQ(plan.remotes[1].options.at("remote"), "disk:/srv/backups/enc/acme");
}

TEST(PlannerRemotes, CryptOverLocalWithoutAnAbsoluteFolderIsAnError) {
  // "disk:enc" would be relative to whatever folder the daemon was started in.
  auto spec = spec_with({{"disk", local(std::nullopt)}, {"vault", crypt("disk", "enc")}});
  spec.persistence.default_remote = "vault";
  EXPECT_NE(error_of(spec).find("not an absolute path"), std::string::npos) << error_of(spec);
}

TEST(PlannerRemotes, LocalRemoteWithoutAnAbsoluteFolderIsAnError) {
  auto spec = spec_with({{"disk", local(std::nullopt)}});
  spec.persistence.default_remote = "disk";
  EXPECT_NE(error_of(spec).find("not an absolute path"), std::string::npos) << error_of(spec);
  spec.persistence.sync[0].remote_path = "/srv/backups/code";
  EXPECT_EQ(plan_of(spec).actions[0].remote_spec(), "disk:/srv/backups/code");
}

TEST(PlannerRemotes, WrapCycleIsAnError) {
  auto spec = spec_with({{"a", crypt("b", "x")}, {"b", crypt("c", "y")}, {"c", crypt("a", "z")}});
  spec.persistence.default_remote = "a";
  EXPECT_NE(error_of(spec).find("cycle: a -> b -> c -> a"), std::string::npos);
}

TEST(PlannerRemotes, SelfWrapIsACycle) {
  auto spec = spec_with({{"a", crypt("a", "x")}});
  spec.persistence.default_remote = "a";
  EXPECT_NE(error_of(spec).find("cycle: a -> a"), std::string::npos);
}

TEST(PlannerRemotes, UnknownRemoteListsDefinedOnes) {
  auto spec = spec_with({{"r2", s3("bkt")}, {"b2", s3("x")}});
  spec.persistence.rclone_config = legacy_config();
  spec.persistence.sync[0].remote = "r3";
  EXPECT_EQ(error_of(spec),
            "persistence.sync[0] 'code' names remote 'r3', which is not defined; defined "
            "remotes: b2, r2, r2coltec");
}

TEST(PlannerRemotes, CryptWrappingUnknownRemoteIsAnError) {
  auto spec = spec_with({{"vault", crypt("nowhere", "x")}});
  spec.persistence.default_remote = "vault";
  EXPECT_NE(error_of(spec).find("remote 'vault' (wrap_remote) names remote 'nowhere'"),
            std::string::npos);
}

TEST(PlannerRemotes, CryptNeedsWrapRemoteAndPassword) {
  auto no_wrap = crypt("r2", "x");
  no_wrap.wrap_remote.reset();
  auto spec = spec_with({{"r2", s3("bkt")}, {"vault", no_wrap}});
  spec.persistence.default_remote = "vault";
  EXPECT_NE(error_of(spec).find("has no wrap_remote"), std::string::npos);
  auto no_pass = crypt("r2", "x");
  no_pass.crypt.reset();
  spec.persistence.remotes["vault"] = no_pass;
  EXPECT_NE(error_of(spec).find("has no crypt.password_env"), std::string::npos);
}

TEST(PlannerRemotes, NoRemoteAtAllIsAnError) {
  auto spec = spec_with({});
  EXPECT_NE(error_of(spec).find("has no remote"), std::string::npos);
}

}  // namespace
}  // namespace coltec
