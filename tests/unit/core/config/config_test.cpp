// The loader end to end: every default, the verdict and key messages of every fixture,
// how problems are printed, the embedded schema, and speed.

#include <chrono>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <coltec/config.hpp>
#include <coltec/spec_file.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

const std::string k_data = std::string(COLTEC_SOURCE_DIR) + "/tests/data/";

using test::read_file;

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += format_problem(p, false) + "\n";
  return out;
}

Spec load_ok(const std::string& text) {
  auto r = load_spec_text(text, "t.yaml");
  EXPECT_TRUE(r.ok()) << dump(r);
  return r.spec.value_or(Spec{});
}

const Problem* find(const LoadResult& r, const std::string& path) {
  for (const auto& p : r.problems) {
    if (p.path == path) return &p;
  }
  return nullptr;
}

constexpr const char* k_head = "name: w\nmetadata: {org: o, project: p}\n";

TEST(ConfigDefaults, TopLevelAndDevcontainer) {
  const Spec s = load_ok(read_file(k_data + "minimal_workspace.yaml"));
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.version, "1.0.0");
  EXPECT_EQ(s.metadata.org, "acme");
  EXPECT_EQ(s.metadata.project, "rocket");
  EXPECT_EQ(s.metadata.environment, "dev");
  EXPECT_EQ(s.metadata.description, std::nullopt);
  EXPECT_TRUE(s.metadata.tags.empty());
  EXPECT_EQ(s.devcontainer.user, "vscode");
  EXPECT_EQ(s.devcontainer.workspace_folder, "/workspace");
  EXPECT_EQ(s.devcontainer.workspace_mount, std::nullopt);
  EXPECT_EQ(s.devcontainer.template_ref, std::nullopt);
  EXPECT_TRUE(s.devcontainer.image.name.empty());
  EXPECT_EQ(s.devcontainer.customizations.settings, nlohmann::json::object());
  EXPECT_FALSE(s.networking.enabled);
  EXPECT_EQ(s.networking.hostname_prefix, "dev-");
  EXPECT_EQ(s.networking.tags, std::vector<std::string>{"tag:devcontainer"});
  EXPECT_EQ(s.generated_at, std::nullopt);
  Spec expected;
  expected.name = "minimal";
  expected.metadata.org = "acme";
  expected.metadata.project = "rocket";
  EXPECT_EQ(s, expected);
}

TEST(ConfigDefaults, Persistence) {
  const Spec s = load_ok(k_head);
  const Persistence& p = s.persistence;
  EXPECT_FALSE(p.enabled);
  EXPECT_EQ(p.mode, PersistenceMode::mounted);
  EXPECT_EQ(p.scope, PersistenceScope::project);
  EXPECT_EQ(p.rclone_config, std::nullopt);
  EXPECT_TRUE(p.remotes.empty());
  EXPECT_EQ(p.default_remote, std::nullopt);
  EXPECT_EQ(p.defaults, std::nullopt);
  EXPECT_EQ(p.multi_scope_volumes, std::nullopt);
  EXPECT_EQ(p.safety.max_delete_percent, 50U);
  EXPECT_FALSE(p.safety.allow_empty_source);
  EXPECT_TRUE(p.safety.trash);
  EXPECT_EQ(p.safety.trash_retention_days, 30U);
}

TEST(ConfigDefaults, ItemsTakeTheirDefaults) {
  const Spec s = load_ok(std::string(k_head) + R"(
mounts: [{target: /t}]
secrets: [{provider: p, key: k, mount_path: /s}]
persistence:
  rclone_config: {}
  mounts: [{name: m, target: /m}]
  remotes:
    r: {bucket: b}
    c: {type: crypt, wrap_remote: r, crypt: {password_env: PW}}
  sync: [{name: a, path: /a, remote_path: a}]
  multi_scope_volumes:
    environment: [{name: v, remote_path: v, mount_path: /v}]
)");
  EXPECT_EQ(s.mounts.at(0).type, MountType::volume);
  EXPECT_TRUE(s.secrets.at(0).read_only);
  const Persistence& p = s.persistence;
  EXPECT_EQ(p.mounts.at(0).type, "symlink");
  EXPECT_EQ(p.rclone_config->remote_name, "r2coltec");
  EXPECT_EQ(p.rclone_config->type, "s3");
  EXPECT_EQ(p.remotes.at("r").type, "s3");
  const CryptConfig& crypt = p.remotes.at("c").crypt.value();
  EXPECT_EQ(crypt.filename_encryption, FilenameEncryption::standard);
  EXPECT_TRUE(crypt.directory_name_encryption);
  EXPECT_EQ(crypt.password2_env, std::nullopt);
  const SyncPath& sync = p.sync.at(0);
  EXPECT_EQ(sync.direction, Direction::bidirectional);
  EXPECT_EQ(sync.interval, 300U);
  EXPECT_EQ(sync.priority, 2U);
  EXPECT_EQ(sync.remote, std::nullopt);
  EXPECT_EQ(sync.transfers, std::nullopt);
  const VolumeConfig& v = p.multi_scope_volumes->environment.at(0);
  EXPECT_EQ(v.sync, Direction::bidirectional);
  EXPECT_EQ(v.interval, 300U);
  EXPECT_EQ(v.priority, 2U);
  EXPECT_FALSE(v.read_only);
}

TEST(ConfigFixtures, UpstreamValidWorkspace) {
  auto r = load_spec_file(k_data + "upstream/valid_workspace.yaml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Spec& s = *r.spec;
  EXPECT_EQ(s.metadata.environment, "env-test");
  EXPECT_EQ(s.devcontainer.mounts.size(), 3U);
  EXPECT_EQ(s.persistence.remotes.at("r2coltec").options.at("access_key_id"),
            "${S3_ACCESS_KEY_ID}");
  const auto& env = s.persistence.multi_scope_volumes->environment;
  ASSERT_EQ(env.size(), 2U);
  EXPECT_EQ(env[1].sync, Direction::push_only);
  EXPECT_EQ(env[0].interval, 60U);
  EXPECT_EQ(s.devcontainer.customizations.settings["terminal.integrated.localEchoEnabled"], "on");
  EXPECT_EQ(s.generated_at, "2025-11-27T22:11:48Z");
}

TEST(ConfigFixtures, UpstreamNamedRemotes) {
  auto r = load_spec_file(k_data + "upstream/named_remotes_workspace.yaml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Persistence& p = r.spec->persistence;
  EXPECT_EQ(p.default_remote, "primary");
  EXPECT_EQ(p.defaults->transfers, 8U);
  EXPECT_EQ(p.defaults->bwlimit, "50M");
  EXPECT_EQ(p.sync.at(1).remote, "logs-bucket");
  EXPECT_EQ(p.sync.at(1).transfers, 4U);
  EXPECT_EQ(p.sync.at(0).exclude.size(), 3U);
}

TEST(ConfigFixtures, UpstreamIntervalTooLowPointsAtLine16) {
  auto r = load_spec_file(k_data + "upstream/invalid_interval_too_low.yaml");
  ASSERT_FALSE(r.ok());
  const Problem* p = find(r, "persistence.sync[0].interval");
  ASSERT_NE(p, nullptr) << dump(r);
  EXPECT_EQ(p->line, 16);
  EXPECT_EQ(p->column, 17);
  EXPECT_EQ(p->message, "interval is 5 s; the minimum is 10 s");
  EXPECT_EQ(format_problem(*p, false),
            k_data +
                "upstream/invalid_interval_too_low.yaml:16:17: persistence.sync[0].interval: "
                "interval is 5 s; the minimum is 10 s");
}

TEST(ConfigFixtures, SharedUpstreamCopiesAreTheSame) {
  for (const char* name : {"valid_workspace.yaml", "named_remotes_workspace.yaml",
                           "invalid_interval_too_low.yaml", "invalid_replicated_no_sync.yaml"}) {
    const std::string shared = std::string(COLTEC_SHARED_DIR) + "/fixtures/upstream/" + name;
    if (!std::ifstream(shared)) GTEST_SKIP() << "shared fixtures not present";
    EXPECT_EQ(read_file(shared), read_file(k_data + "upstream/" + name)) << name;
  }
}

TEST(ConfigFixtures, UpstreamReplicatedWithoutSync) {
  auto r = load_spec_file(k_data + "upstream/invalid_replicated_no_sync.yaml");
  ASSERT_EQ(r.problems.size(), 1U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.mode");
  EXPECT_EQ(r.problems[0].line, 11);
  EXPECT_NE(r.problems[0].message.find("replicated"), std::string::npos);
}

TEST(ConfigFixtures, LegacyGeneration) {
  auto r = load_spec_file(k_data + "legacy_workspace.yaml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Spec& s = *r.spec;
  EXPECT_EQ(s.persistence.rclone_config->options.at("provider"), "Cloudflare");
  EXPECT_EQ(s.persistence.sync.at(0).remote_path, "workspaces/{org}/{project}/code");
  EXPECT_TRUE(s.networking.enabled);
  EXPECT_EQ(s.networking.tags, std::vector<std::string>{"tag:devcontainer"});
}

TEST(ConfigFixtures, CryptOverS3KeepsScalarTextAndSafety) {
  auto r = load_spec_file(k_data + "crypt_workspace.yaml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Persistence& p = r.spec->persistence;
  EXPECT_EQ(r.spec->version, "1.0");  // a YAML float in a string field keeps its text
  const auto& options = p.remotes.at("store").options;
  EXPECT_EQ(options.at("chunk_size"), "1.10");
  EXPECT_EQ(options.at("no_check_bucket"), "true");
  EXPECT_EQ(options.at("upload_concurrency"), "8");
  const RemoteConfig& secret = p.remotes.at("secret");
  EXPECT_EQ(secret.wrap_remote, "store");
  EXPECT_EQ(secret.crypt->password_env, "COLTEC_CRYPT_PASSWORD");
  EXPECT_EQ(secret.crypt->filename_encryption, FilenameEncryption::obfuscate);
  EXPECT_FALSE(secret.crypt->directory_name_encryption);
  EXPECT_EQ(p.sync.at(0).direction, Direction::push_only);
  EXPECT_EQ(p.sync.at(1).direction, Direction::pull_only);
  EXPECT_EQ(p.sync.at(1).priority, 0U);
  EXPECT_EQ(p.safety, (SafetySettings{20, true, false, 7}));
}

struct Expected {
  const char* file;
  const char* path;
  int line;
  const char* message_part;
};

TEST(ConfigFixtures, InvalidFixturesNameTheField) {
  const Expected cases[] = {
      {"invalid_unknown_keys.yaml", "persistence.sync[0].intreval", 13, "did you mean 'interval'"},
      {"invalid_unknown_keys.yaml", "persistence.colour", 14, "allowed keys here: default_remote"},
      {"invalid_types.yaml", "persistence.enabled", 6, "must be true or false"},
      {"invalid_types.yaml", "persistence.mode", 7, "allowed values: 'mounted', 'replicated'"},
      {"invalid_types.yaml", "persistence.sync[0].interval", 13, "must be an integer"},
      {"invalid_types.yaml", "persistence.safety.max_delete_percent", 16, "the maximum is 100%"},
      {"invalid_missing_required.yaml", "metadata.project", 2, "required key 'project'"},
      {"invalid_missing_required.yaml", "devcontainer.image.name", 5, "required key 'name'"},
      {"invalid_missing_required.yaml", "persistence.sync[0].remote_path", 8, "required"},
      {"invalid_paths.yaml", "persistence.sync[0].path", 11, "must be absolute"},
      {"invalid_paths.yaml", "persistence.sync[0].remote_path", 12, "'..' segment"},
      {"invalid_paths.yaml", "persistence.sync[1].remote_path", 15, "placeholder {user}"},
      {"invalid_paths.yaml", "persistence.sync[2].name", 16, "letters, digits"},
      {"invalid_remotes_schema.yaml", "persistence.remotes.store.bucket", 10, "needs a bucket"},
      {"invalid_remotes_schema.yaml", "persistence.remotes.secret.wrap_remote", 12, "crypt"},
      {"invalid_remotes_schema.yaml", "persistence.remotes.secret.crypt", 12, "password_env"},
  };
  for (const auto& c : cases) {
    auto r = load_spec_file(k_data + c.file);
    const Problem* p = find(r, c.path);
    ASSERT_NE(p, nullptr) << c.file << " lacks " << c.path << "\n" << dump(r);
    EXPECT_EQ(p->line, c.line) << c.file << " " << c.path;
    EXPECT_NE(p->message.find(c.message_part), std::string::npos) << p->message;
    EXPECT_EQ(p->file, k_data + c.file);
  }
}

TEST(ConfigFormat, PlainAndColouredAndPartial) {
  const Problem p{"persistence.sync[1].interval", "w.yaml", 3, 7, "interval is 5 s"};
  EXPECT_EQ(format_problem(p, false), "w.yaml:3:7: persistence.sync[1].interval: interval is 5 s");
  const std::string coloured = format_problem(p, true);
  EXPECT_NE(coloured.find("\x1b["), std::string::npos);
  EXPECT_NE(coloured.find("interval is 5 s"), std::string::npos);
  EXPECT_EQ(format_problem(Problem{"", "w.yaml", 0, 0, "cannot open"}, false),
            "w.yaml: cannot open");
  EXPECT_EQ(format_problem(Problem{"", "w.yaml", 2, 1, "bad"}, false), "w.yaml:2:1: bad");
}

TEST(ConfigFormat, Json) {
  const Problem p{"name", "w.yaml", 1, 7, "required"};
  EXPECT_EQ(problem_to_json(p), (nlohmann::json{{"file", "w.yaml"},
                                                {"line", 1},
                                                {"column", 7},
                                                {"path", "name"},
                                                {"message", "required"},
                                                {"level", "error"}}));
}

TEST(ConfigSchemaText, EmbeddedEqualsTheFile) {
  EXPECT_EQ(schema_text(),
            read_file(std::string(COLTEC_SOURCE_DIR) + "/schema/workspace-spec.schema.json"));
  EXPECT_TRUE(nlohmann::json::accept(schema_text()));
}

TEST(ConfigSchemaText, CustomSchemaIsUsedAndBadOnesAreReported) {
  const std::string text = std::string(k_head) + "extra: 1\n";
  const std::string open = R"({"type": "object", "required": ["name"]})";
  EXPECT_TRUE(load_spec_text(text, "t.yaml", open).ok());
  EXPECT_FALSE(load_spec_text(text, "t.yaml", schema_text()).ok());
  const auto bad = load_spec_text(text, "t.yaml", "{not json");
  ASSERT_EQ(bad.problems.size(), 1U);
  EXPECT_NE(bad.problems[0].message.find("schema"), std::string::npos);
  const auto bad_ref = load_spec_text(text, "t.yaml", R"({"$ref": "http://example.invalid/x"})");
  EXPECT_FALSE(bad_ref.ok());
}

TEST(ConfigFile, CustomSchemaAndSchemaOnly) {
  const std::string file = k_data + "upstream/invalid_replicated_no_sync.yaml";
  EXPECT_FALSE(load_spec_file(file, schema_text(), false).ok());
  const auto schema_only = load_spec_file(file, schema_text(), true);
  EXPECT_TRUE(schema_only.problems.empty()) << dump(schema_only);
  EXPECT_FALSE(schema_only.spec.has_value());
}

}  // namespace
}  // namespace coltec
