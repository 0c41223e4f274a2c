// The private rclone config file: expansion, injection refusal, crypt, legacy pickup.

#include <gtest/gtest.h>

#include <coltec/rclone_command.hpp>

namespace coltec {
namespace {

using Obscured = std::map<std::string, std::string>;

RemoteDef s3_remote(std::map<std::string, std::string> options) {
  return RemoteDef{"r2", "s3", std::move(options), std::nullopt, false};
}

std::string render_ok(const std::vector<RemoteDef>& remotes, const EnvMap& env,
                      const Obscured& obscured = {}) {
  auto text = render_rclone_config(remotes, env, obscured);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
  return text.ok() ? text.value() : "";
}

std::string render_error(const std::vector<RemoteDef>& remotes, const EnvMap& env,
                         const Obscured& obscured = {}) {
  auto text = render_rclone_config(remotes, env, obscured);
  EXPECT_FALSE(text.ok());
  return text.ok() ? "" : text.error().message;
}

TEST(RcloneConfig, S3SectionWithExpansion) {
  const EnvMap env = {{"R2_KEY", "AKIAEXAMPLE"}, {"R2_SECRET", "s3cr3t/+="}, {"ACCT", "abc123"}};
  const auto text = render_ok({s3_remote({{"provider", "Cloudflare"},
                                          {"access_key_id", "${R2_KEY}"},
                                          {"secret_access_key", "$R2_SECRET"},
                                          {"endpoint", "https://${ACCT}.r2.cloudflarestorage.com"},
                                          {"note", "costs $$5 or $ 5"}})},
                              env);
  EXPECT_EQ(text,
            "[r2]\ntype = s3\naccess_key_id = AKIAEXAMPLE\n"
            "endpoint = https://abc123.r2.cloudflarestorage.com\nnote = costs $5 or $ 5\n"
            "provider = Cloudflare\nsecret_access_key = s3cr3t/+=\n");
}

TEST(RcloneConfig, SectionsAreSeparatedAndKeepOrder) {
  const auto text = render_ok({RemoteDef{"b", "local", {}, std::nullopt, false},
                               RemoteDef{"a", "s3", {{"provider", "Other"}}, std::nullopt, false}},
                              {});
  EXPECT_EQ(text, "[b]\ntype = local\n\n[a]\ntype = s3\nprovider = Other\n");
}

TEST(RcloneConfig, UnsetVariableNamesRemoteOptionAndVariable) {
  EXPECT_EQ(render_error({s3_remote({{"secret_access_key", "${R2_SECRET}"}})}, {}),
            "remote 'r2' option 'secret_access_key': environment variable R2_SECRET is not set");
}

TEST(RcloneConfig, EmptyVariableIsNotAnEmptyCredential) {
  EXPECT_EQ(render_error({s3_remote({{"secret_access_key", "$R2_SECRET"}})}, {{"R2_SECRET", ""}}),
            "remote 'r2' option 'secret_access_key': environment variable R2_SECRET is empty");
}

TEST(RcloneConfig, MalformedReferenceDoesNotEchoTheValue) {
  for (const char* raw : {"abc${UNCLOSED", "x${}y", "${1BAD}", "${A-B}"}) {
    const auto message = render_error({s3_remote({{"secret_access_key", raw}})}, {{"A", "1"}});
    EXPECT_NE(message.find("without a variable name"), std::string::npos) << raw;
    EXPECT_EQ(message.find(raw), std::string::npos) << raw;
  }
}

TEST(RcloneConfig, InjectionThroughValuesIsRefused) {
  const std::vector<std::pair<std::string, EnvMap>> cases = {
      {"x\n[evil]\ntype = local", {}},   {"${V}", {{"V", "key\n[evil]"}}},
      {"${V}", {{"V", "key\r\nx = y"}}}, {"tab\there", {}},
      {std::string("nul\0x", 5), {}},
  };
  for (const auto& [raw, env] : cases) {
    const auto message = render_error({s3_remote({{"secret_access_key", raw}})}, env);
    EXPECT_NE(message.find("control character"), std::string::npos) << message;
    EXPECT_EQ(message.find("evil"), std::string::npos);
  }
}

TEST(RcloneConfig, ValuesTheIniReaderWouldAlterAreRefused) {
  for (const char* raw : {" lead", "trail ", "\"quoted\"", "`tick`", "'single'"}) {
    const auto message = render_error({s3_remote({{"region", raw}})}, {});
    EXPECT_NE(message.find("remote 'r2' option 'region'"), std::string::npos) << raw;
  }
}

TEST(RcloneConfig, BadNamesAndKeysAreRefused) {
  EXPECT_NE(
      render_error({RemoteDef{"r2]\n[x", "s3", {}, std::nullopt, false}}, {}).find("remote name"),
      std::string::npos);
  EXPECT_NE(render_error({RemoteDef{"-r", "s3", {}, std::nullopt, false}}, {}).find("remote name"),
            std::string::npos);
  EXPECT_NE(render_error({s3_remote({{"bad key", "v"}})}, {}).find("not a valid rclone option"),
            std::string::npos);
  EXPECT_NE(render_error({s3_remote({{"k\n[x]", "v"}})}, {}).find("not a valid rclone option"),
            std::string::npos);
  EXPECT_NE(render_error({s3_remote({{"type", "local"}})}, {}).find("'type'"), std::string::npos);
  EXPECT_NE(
      render_error({RemoteDef{"r", "s3\n[x]", {}, std::nullopt, false}}, {}).find("invalid type"),
      std::string::npos);
  EXPECT_EQ(render_ok({RemoteDef{"my.remote-1+x@y_z", "local", {}, std::nullopt, false}}, {}),
            "[my.remote-1+x@y_z]\ntype = local\n");
}

RemoteDef crypt_remote(std::optional<std::string> salt_var) {
  RemoteDef def;
  def.name = "vault";
  def.type = "crypt";
  def.options = {{"remote", "r2:bkt/enc"}};
  def.crypt = CryptConfig{"VAULT_PASS", std::move(salt_var), FilenameEncryption::obfuscate, false};
  return def;
}

TEST(RcloneConfig, CryptTakesObscuredPasswordsAndEncryptionSettings) {
  const EnvMap env = {{"VAULT_PASS", "correct horse"}, {"VAULT_SALT", "battery staple"}};
  const Obscured obscured = {{"VAULT_PASS", "OBSCURED-PASS-1"}, {"VAULT_SALT", "OBSCURED-SALT-2"}};
  EXPECT_EQ(render_ok({crypt_remote("VAULT_SALT")}, env, obscured),
            "[vault]\ntype = crypt\ndirectory_name_encryption = false\n"
            "filename_encryption = obfuscate\npassword = OBSCURED-PASS-1\n"
            "password2 = OBSCURED-SALT-2\nremote = r2:bkt/enc\n");
  auto plain = crypt_remote(std::nullopt);
  plain.crypt->filename_encryption = FilenameEncryption::standard;
  plain.crypt->directory_name_encryption = true;
  plain.options["password2"] = "not-obscured";  // never written: the spec names the variable
  EXPECT_EQ(render_ok({plain}, env, obscured),
            "[vault]\ntype = crypt\ndirectory_name_encryption = true\n"
            "filename_encryption = standard\npassword = OBSCURED-PASS-1\nremote = r2:bkt/enc\n");
}

TEST(RcloneConfig, CryptWithoutItsPasswordIsAnError) {
  const Obscured obscured = {{"VAULT_PASS", "OBSCURED"}};
  EXPECT_EQ(render_error({crypt_remote(std::nullopt)}, {}, obscured),
            "remote 'vault' crypt.password_env: environment variable VAULT_PASS is not set");
  EXPECT_NE(render_error({crypt_remote(std::nullopt)}, {{"VAULT_PASS", "pw"}}, {})
                .find("no obscured form of VAULT_PASS"),
            std::string::npos);
  EXPECT_NE(render_error({crypt_remote("VAULT_SALT")}, {{"VAULT_PASS", "pw"}}, obscured)
                .find("crypt.password2_env: environment variable VAULT_SALT is not set"),
            std::string::npos);
}

TEST(RcloneConfig, PasswordsNeededListsCryptVariables) {
  auto other = crypt_remote("SALT_B");
  other.name = "vault2";
  other.crypt->password_env = "PASS_B";
  EXPECT_EQ(passwords_needed({s3_remote({}), crypt_remote("VAULT_SALT"), other, crypt_remote({})}),
            (std::vector<std::string>{"PASS_B", "SALT_B", "VAULT_PASS", "VAULT_SALT"}));
  EXPECT_TRUE(passwords_needed({s3_remote({})}).empty());
}

TEST(RcloneConfig, LegacyRemoteTakesRcloneConfigVariables) {
  RemoteDef legacy{"r2coltec", "s3", {{"provider", "Cloudflare"}, {"region", "auto"}}, {}, true};
  const EnvMap env = {{"RCLONE_CONFIG_R2COLTEC_ACCESS_KEY_ID", "LEGACYKEY"},
                      {"RCLONE_CONFIG_R2COLTEC_SECRET_ACCESS_KEY", "LEGACYSECRET"},
                      {"RCLONE_CONFIG_R2COLTEC_ENDPOINT", "https://acct.r2.example"},
                      {"RCLONE_CONFIG_R2COLTEC_REGION", "weur"},
                      {"RCLONE_CONFIG_R2COLTEC_TYPE", "local"},
                      {"RCLONE_CONFIG_R2COLTECX_ACCESS_KEY_ID", "OTHER"},
                      {"RCLONE_CONFIG_OTHER_ACCESS_KEY_ID", "OTHER"}};
  EXPECT_EQ(render_ok({legacy}, env),
            "[r2coltec]\ntype = s3\naccess_key_id = LEGACYKEY\n"
            "endpoint = https://acct.r2.example\nprovider = Cloudflare\nregion = weur\n"
            "secret_access_key = LEGACYSECRET\n");
  legacy.legacy = false;  // a named remote ignores RCLONE_CONFIG_* entirely
  EXPECT_EQ(render_ok({legacy}, env),
            "[r2coltec]\ntype = s3\nprovider = Cloudflare\nregion = auto\n");
}

TEST(RcloneConfig, LegacyVariableValuesAreCheckedToo) {
  RemoteDef legacy{"r2coltec", "s3", {}, {}, true};
  const auto message =
      render_error({legacy}, {{"RCLONE_CONFIG_R2COLTEC_SECRET_ACCESS_KEY", "a\n[evil]"}});
  EXPECT_NE(message.find("control character"), std::string::npos);
}

TEST(RcloneConfig, UsesEnvAuth) {
  EXPECT_TRUE(uses_env_auth({s3_remote({{"env_auth", "true"}})}));
  EXPECT_FALSE(uses_env_auth({s3_remote({{"env_auth", "false"}}), s3_remote({})}));
}

}  // namespace
}  // namespace coltec
