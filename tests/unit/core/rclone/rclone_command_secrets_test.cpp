// Secrets: the child's environment, secret collection, redaction, and the end-to-end
// promise that no credential reaches argv, env or the logged command text.

#include <gtest/gtest.h>

#include <coltec/rclone_command.hpp>
#include <coltec/text.hpp>

namespace coltec {
namespace {

using Strings = std::vector<std::string>;

// Distinctive values so a leak cannot hide behind a coincidence.
constexpr const char* k_r2_secret = "ZZ-R2-SECRET-9f8e7d<&>";
constexpr const char* k_r2_key = "ZZ-R2-KEYID-1a2b3c";
constexpr const char* k_legacy_secret = "ZZ-LEGACY-SECRET-4d5e6f";
constexpr const char* k_vault_pass = "ZZ-VAULT-PLAIN-\"quoted\"";
constexpr const char* k_vault_obscured = "ZZ-VAULT-OBSCURED-77aa";
constexpr const char* k_aws_secret = "ZZ-AWS-SECRET-0000";
constexpr const char* k_token = "ZZ-TOKEN-IN-ODD-OPTION";

EnvMap daemon_env() {
  return {{"PATH", "/usr/bin"},
          {"HOME", "/home/vscode"},
          {"USER", "vscode"},
          {"LANG", "C.UTF-8"},
          {"LC_ALL", "C.UTF-8"},
          {"TZ", "UTC"},
          {"TMPDIR", "/tmp"},
          {"XDG_CACHE_HOME", "/home/vscode/.cache"},
          {"AWS_CA_BUNDLE", "/etc/ssl/ca.pem"},
          {"AWS_ACCESS_KEY_ID", "ZZ-AWS-KEYID"},
          {"AWS_SECRET_ACCESS_KEY", k_aws_secret},
          {"AWS_REGION", "auto"},
          {"RCLONE_CONFIG", "/home/vscode/.config/rclone/rclone.conf"},
          {"RCLONE_CONFIG_R2COLTEC_SECRET_ACCESS_KEY", k_legacy_secret},
          {"RCLONE_CONFIG_R2COLTEC_ACCESS_KEY_ID", "ZZ-LEGACY-KEYID"},
          {"R2_SECRET", k_r2_secret},
          {"R2_KEY", k_r2_key},
          {"MY_TOKEN", k_token},
          {"VAULT_PASS", k_vault_pass},
          {"SSH_AUTH_SOCK", "/tmp/ssh.sock"},
          {"GITHUB_TOKEN", "ZZ-GITHUB-TOKEN"}};
}

TEST(ChildEnvironment, KeepsOnlyWhatRcloneNeeds) {
  EXPECT_EQ(
      child_environment(daemon_env()),
      (Strings{"HOME=/home/vscode", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PATH=/usr/bin",
               "TMPDIR=/tmp", "TZ=UTC", "USER=vscode", "XDG_CACHE_HOME=/home/vscode/.cache"}));
}

TEST(ChildEnvironment, AwsCredentialsOnlyWhenAskedAndNeverTheCaBundle) {
  const auto env = child_environment(daemon_env(), true);
  const auto has = [&](const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
  };
  EXPECT_TRUE(has("AWS_ACCESS_KEY_ID=ZZ-AWS-KEYID"));
  EXPECT_TRUE(has(std::string("AWS_SECRET_ACCESS_KEY=") + k_aws_secret));
  EXPECT_TRUE(has("AWS_REGION=auto"));
  for (const auto& entry : env) {
    EXPECT_FALSE(entry.starts_with("AWS_CA_BUNDLE=")) << entry;
    EXPECT_FALSE(entry.starts_with("RCLONE_")) << entry;
  }
}

TEST(ChildEnvironment, MalformedEntriesAreDropped) {
  const EnvMap env = {{"", "x"}, {"PATH=evil", "x"}, {"HOME", std::string("a\0b", 3)}};
  EXPECT_TRUE(child_environment(env).empty());
}

std::vector<RemoteDef> all_kinds() {
  RemoteDef r2{"r2",
               "s3",
               {{"provider", "Cloudflare"},
                {"access_key_id", "${R2_KEY}"},
                {"secret_access_key", "${R2_SECRET}"},
                {"description", "uses $MY_TOKEN"}},
               std::nullopt,
               false};
  RemoteDef legacy{"r2coltec", "s3", {{"provider", "Cloudflare"}}, std::nullopt, true};
  RemoteDef vault{"vault",
                  "crypt",
                  {{"remote", "r2:bkt/enc"}},
                  CryptConfig{"VAULT_PASS", std::nullopt, FilenameEncryption::standard, true},
                  false};
  return {r2, legacy, vault};
}

const std::map<std::string, std::string> k_obscured = {{"VAULT_PASS", k_vault_obscured}};

TEST(SecretValues, CollectsEveryKindOfSecret) {
  const auto secrets = secret_values(all_kinds(), daemon_env(), k_obscured);
  const auto has = [&](const std::string& s) {
    return std::find(secrets.begin(), secrets.end(), s) != secrets.end();
  };
  for (const char* s : {k_r2_secret, k_r2_key, k_legacy_secret, k_vault_pass, k_vault_obscured,
                        k_aws_secret, k_token, "ZZ-LEGACY-KEYID", "ZZ-AWS-KEYID"}) {
    EXPECT_TRUE(has(s)) << s;
  }
  EXPECT_TRUE(has("ZZ-R2-SECRET-9f8e7d\\u003c\\u0026\\u003e"));  // as Go's JSON log writes it
  EXPECT_TRUE(has("ZZ-VAULT-PLAIN-\\\"quoted\\\""));
  EXPECT_FALSE(has("Cloudflare"));
  EXPECT_FALSE(has("ZZ-GITHUB-TOKEN"));  // not referenced by any remote
  EXPECT_FALSE(has(""));
  for (std::size_t i = 1; i < secrets.size(); ++i) {
    EXPECT_GE(secrets[i - 1].size(), secrets[i].size());
  }
}

TEST(SecretValues, UnsetReferencesDoNotBreakCollection) {
  RemoteDef r{"r", "s3", {{"secret_access_key", "${MISSING}"}}, std::nullopt, false};
  const auto secrets = secret_values({r}, {}, {});
  EXPECT_EQ(secrets, (Strings{"${MISSING}"}));
}

// The promise of DESIGN.md invariant 2, checked across every builder, direction and version.
TEST(NoSecretLeaks, ArgvEnvAndRedactedTextAreClean) {
  const auto env = daemon_env();
  const auto remotes = all_kinds();
  const auto secrets = secret_values(remotes, env, k_obscured);
  const auto config = render_rclone_config(remotes, env, k_obscured);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_NE(config.value().find(k_r2_secret), std::string::npos);  // it is in the file…
  EXPECT_EQ(redact(config.value(), secrets).find("ZZ-"), std::string::npos);  // …not in logs
  std::vector<Invocation> all;
  for (const auto& version : {RcloneVersion{1, 60, 1}, RcloneVersion{1, 66, 0}}) {
    RunContext ctx;
    ctx.caps = caps_for(version);
    ctx.config_path = "/state/rclone.conf";
    ctx.secrets = secrets;
    ctx.pass_aws_credentials = false;
    for (const auto& remote : {"r2", "r2coltec", "vault"}) {
      for (const auto d : {Direction::push_only, Direction::pull_only}) {
        Action a;
        a.local_path = "/workspace";
        a.remote_name = remote;
        a.remote_path = "p";
        a.remote_type = "s3";
        a.backend_type = "s3";
        a.direction = d;
        all.push_back(build_invocation(a, ctx, env));
        all.push_back(build_copy(a.remote_spec(), a.local_path, a, ctx, env));
      }
      all.push_back(build_listing(std::string(remote) + ":p", ctx, env));
      all.push_back(build_probe(std::string(remote) + ":p", ctx, env));
    }
  }
  for (const auto& inv : all) {
    std::string everything = inv.redacted;
    for (const auto& s : inv.argv) everything += "\n" + s;
    for (const auto& s : inv.env) everything += "\n" + s;
    EXPECT_EQ(everything.find("ZZ-"), std::string::npos) << everything;
  }
}

TEST(NoSecretLeaks, RedactedTextHidesASecretThatReachedArgv) {
  RunContext ctx;
  ctx.secrets = secret_values(all_kinds(), daemon_env(), k_obscured);
  Action a;
  a.local_path = "/workspace";
  a.remote_name = "r2";
  a.remote_path = k_r2_secret;  // a mistake upstream must still not reach the log
  a.direction = Direction::push_only;
  const auto inv = build_invocation(a, ctx, daemon_env());
  EXPECT_EQ(inv.redacted.find("ZZ-"), std::string::npos) << inv.redacted;
  EXPECT_NE(inv.redacted.find("'r2:***'"), std::string::npos) << inv.redacted;
  ctx.secrets = {"ZZ-it's-quoted"};
  a.remote_path = "ZZ-it's-quoted";
  const auto quoted = build_invocation(a, ctx, daemon_env());
  EXPECT_EQ(quoted.redacted.find("ZZ-"), std::string::npos) << quoted.redacted;
}

}  // namespace
}  // namespace coltec
