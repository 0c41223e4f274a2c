// Each semantic rule on its own: the field it names, its line and its sentence, plus a
// counter-example that passes.

#include <set>

#include <gtest/gtest.h>

#include <coltec/config.hpp>

namespace coltec {
namespace {

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += format_problem(p, false) + "\n";
  return out;
}

LoadResult load(const std::string& persistence_and_more) {
  return load_spec_text(
      "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: img}}\n" +
          persistence_and_more,
      "t.yaml");
}

// Exactly one problem, at `path`, whose message holds `part`; returns its line.
int only_problem(const LoadResult& r, const std::string& path, const std::string& part) {
  EXPECT_EQ(r.problems.size(), 1U) << dump(r);
  if (r.problems.empty()) return 0;
  EXPECT_EQ(r.problems[0].path, path) << dump(r);
  EXPECT_NE(r.problems[0].message.find(part), std::string::npos) << dump(r);
  return r.problems[0].line;
}

constexpr const char* k_replicated = R"(persistence:
  enabled: true
  mode: replicated
  rclone_config: {}
)";

TEST(ConfigRules, ReplicatedNeedsSomethingToSync) {
  EXPECT_EQ(only_problem(load(k_replicated), "persistence.mode", "nothing to replicate"), 6);
  EXPECT_TRUE(load(std::string(k_replicated) +
                   "  multi_scope_volumes: {environment: [{name: v, remote_path: v, "
                   "mount_path: /v}]}\n")
                  .ok());
  EXPECT_TRUE(load("persistence: {enabled: false, mode: replicated}\n").ok());
  EXPECT_TRUE(load("persistence: {enabled: true, mode: mounted}\n").ok());
}

TEST(ConfigRules, IntervalMinimumForSyncAndVolumes) {
  const auto r = load(std::string(k_replicated) +
                      "  sync: [{name: a, path: /a, remote_path: a, interval: 9}]\n"
                      "  multi_scope_volumes: {environment: [{name: v, remote_path: v, "
                      "mount_path: /v, interval: 0}]}\n");
  ASSERT_EQ(r.problems.size(), 2U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.sync[0].interval");
  EXPECT_EQ(r.problems[0].message, "interval is 9 s; the minimum is 10 s");
  EXPECT_EQ(r.problems[1].path, "persistence.multi_scope_volumes.environment[0].interval");
  EXPECT_EQ(r.problems[1].message, "interval is 0 s; the minimum is 10 s");
  EXPECT_TRUE(load(std::string(k_replicated) +
                   "  sync: [{name: a, path: /a, remote_path: a, interval: 10}]\n")
                  .ok());
}

TEST(ConfigRules, NetworkingNeedsAHostnamePrefix) {
  EXPECT_EQ(only_problem(load("networking: {enabled: true, hostname_prefix: ''}\n"),
                         "networking.hostname_prefix", "hostname_prefix is empty"),
            4);
  EXPECT_TRUE(load("networking: {enabled: false, hostname_prefix: ''}\n").ok());
  EXPECT_TRUE(load("networking: {enabled: true}\n").ok());
}

TEST(ConfigRules, NamesAreUniqueAcrossSyncAndVolumes) {
  const auto r = load(std::string(k_replicated) + R"(  sync:
    - {name: code, path: /a, remote_path: a}
    - {name: code, path: /b, remote_path: b}
  multi_scope_volumes:
    environment: [{name: code, remote_path: v, mount_path: /v}]
)");
  ASSERT_EQ(r.problems.size(), 2U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.sync[1].name");
  EXPECT_NE(r.problems[0].message.find("already used by persistence.sync[0]"), std::string::npos);
  EXPECT_EQ(r.problems[1].path, "persistence.multi_scope_volumes.environment[0].name");
}

TEST(ConfigRules, NamesAreSafeFileNames) {
  for (const char* bad : {"'.hidden'", "'a/b'", "'a b'", "'..'", "'ü'"}) {
    const auto r = load(std::string(k_replicated) + "  sync: [{name: " + bad +
                        ", path: /a, remote_path: a}]\n");
    only_problem(r, "persistence.sync[0].name", "letters, digits");
  }
  EXPECT_TRUE(
      load(std::string(k_replicated) + "  sync: [{name: A-z_0.9, path: /a, remote_path: a}]\n")
          .ok());
}

TEST(ConfigRules, ReferencedRemotesExist) {
  const auto r = load(R"(persistence:
  enabled: true
  mode: replicated
  default_remote: nowhere
  remotes: {store: {bucket: b}}
  sync: [{name: a, path: /a, remote_path: a, remote: elsewhere}]
)");
  ASSERT_EQ(r.problems.size(), 2U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.default_remote");
  EXPECT_NE(r.problems[0].message.find("'nowhere', which is not defined; defined remotes: store"),
            std::string::npos);
  EXPECT_EQ(r.problems[1].path, "persistence.sync[0].remote");
}

TEST(ConfigRules, LegacyRemoteNameCountsAsDefined) {
  EXPECT_TRUE(load(R"(persistence:
  enabled: true
  mode: replicated
  default_remote: r2coltec
  rclone_config: {remote_name: r2coltec}
  sync: [{name: a, path: /a, remote_path: a}]
)")
                  .ok());
}

TEST(ConfigRules, EverySyncNeedsSomeRemote) {
  const std::string paths = "  sync: [{name: a, path: /a, remote_path: a}]\n";
  only_problem(load("persistence:\n  enabled: true\n  mode: replicated\n" + paths),
               "persistence.sync[0].remote", "has no remote");
  EXPECT_TRUE(load(std::string(k_replicated) + paths).ok());
  EXPECT_TRUE(load("persistence:\n  enabled: true\n  mode: replicated\n"
                   "  remotes: {s: {bucket: b}}\n  default_remote: s\n" +
                   paths)
                  .ok());
  EXPECT_TRUE(load("persistence:\n  enabled: true\n  mode: replicated\n"
                   "  remotes: {s: {bucket: b}}\n"
                   "  sync: [{name: a, path: /a, remote_path: a, remote: s}]\n")
                  .ok());
}

TEST(ConfigRules, NamedS3RemotesNeedABucketLegacyDoesNot) {
  only_problem(load("persistence: {remotes: {r: {type: s3}}}\n"), "persistence.remotes.r.bucket",
               "needs a bucket");
  only_problem(load("persistence: {remotes: {r: {}}}\n"), "persistence.remotes.r.bucket",
               "type s3");
  EXPECT_TRUE(load("persistence: {remotes: {r: {type: b2}}}\n").ok());
  EXPECT_TRUE(load("persistence: {rclone_config: {type: s3}}\n").ok());
}

TEST(ConfigRules, CryptNeedsWhatItWrapsAndItsPassword) {
  const auto r = load("persistence: {remotes: {c: {type: crypt}}}\n");
  ASSERT_EQ(r.problems.size(), 2U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.remotes.c.crypt");
  EXPECT_EQ(r.problems[1].path, "persistence.remotes.c.wrap_remote");
  only_problem(load("persistence: {remotes: {c: {type: crypt, wrap_remote: gone, crypt: "
                    "{password_env: PW}}}}\n"),
               "persistence.remotes.c.wrap_remote", "wraps 'gone', which is not defined");
}

TEST(ConfigRules, WrapCyclesOfAnyLengthAreNamed) {
  const auto self = load(
      "persistence: {remotes: {a: {type: crypt, wrap_remote: a, crypt: "
      "{password_env: P}}}}\n");
  only_problem(self, "persistence.remotes.a.wrap_remote", "cycle: a -> a");
  const auto three = load(R"(persistence:
  remotes:
    z: {type: crypt, wrap_remote: x, crypt: {password_env: P}}
    x: {type: crypt, wrap_remote: y, crypt: {password_env: P}}
    y: {type: crypt, wrap_remote: z, crypt: {password_env: P}}
    w: {type: crypt, wrap_remote: x, crypt: {password_env: P}}
)");
  only_problem(three, "persistence.remotes.x.wrap_remote", "cycle: x -> y -> z -> x");
}

TEST(ConfigRules, LocalPathsAreAbsolute) {
  const auto r = load(std::string(k_replicated) + R"(  sync: [{name: a, path: rel, remote_path: a}]
  multi_scope_volumes:
    environment: [{name: v, remote_path: v, mount_path: ./v}]
)");
  ASSERT_EQ(r.problems.size(), 2U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.sync[0].path");
  EXPECT_EQ(r.problems[0].message,
            "path 'rel' is relative; local paths must be absolute (start with '/')");
  EXPECT_EQ(r.problems[1].path, "persistence.multi_scope_volumes.environment[0].mount_path");
}

TEST(ConfigRules, NoSyncAimsAtTheRootOrASystemFolder) {
  const auto check = [](const std::string& value, const std::string& part) {
    const auto r = load(std::string(k_replicated) + "  sync: [{name: a, path: '" + value +
                        "', remote_path: a}]\n  multi_scope_volumes:\n    environment: [{name: v, "
                        "remote_path: v, mount_path: '" +
                        value + "'}]\n");
    if (part.empty()) {
      EXPECT_TRUE(r.ok()) << value << "\n" << dump(r);
      return;
    }
    ASSERT_EQ(r.problems.size(), 2U) << value << "\n" << dump(r);
    EXPECT_EQ(r.problems[0].path, "persistence.sync[0].path");
    EXPECT_EQ(r.problems[1].path, "persistence.multi_scope_volumes.environment[0].mount_path");
    for (const auto& p : r.problems) EXPECT_NE(p.message.find(part), std::string::npos) << dump(r);
  };
  check("/", "path resolves to /, the root of the file system");
  check("/x/../..", "resolves to /, the root of the file system");
  check("//", "resolves to /");
  check("/etc", "is the system folder /etc");
  check("/workspace/../usr/lib", "lies in the system folder /usr");
  check("/proc/1", "lies in the system folder /proc");
  check("/home", "is the system folder /home");
  check("/home/vscode/notes", "");
  check("/var/log/app", "");
  check("/workspace", "");
}

TEST(ConfigRules, ARemotePathMustNameAFolder) {
  for (const auto* value : {"/", ".", "./", "/./", "", "//"}) {
    const auto r = load(std::string(k_replicated) + "  sync: [{name: a, path: /a, remote_path: '" +
                        value + "'}]\n");
    only_problem(r, "persistence.sync[0].remote_path", "remote_path names no folder");
  }
  const auto volume = load(std::string(k_replicated) +
                           "  multi_scope_volumes:\n    environment: [{name: v, remote_path: '.', "
                           "mount_path: /v}]\n");
  only_problem(volume, "persistence.multi_scope_volumes.environment[0].remote_path",
               "names no folder");
  // A missing remote_path is the schema's to report, as before.
  only_problem(load(std::string(k_replicated) + "  sync: [{name: a, path: /a}]\n"),
               "persistence.sync[0].remote_path", "required key 'remote_path' is missing");
  EXPECT_TRUE(
      load(std::string(k_replicated) + "  sync: [{name: a, path: /a, remote_path: ./a}]\n").ok());
}

TEST(ConfigRules, NumbersHaveSaneBounds) {
  const auto r = load(std::string(k_replicated) +
                      "  defaults: {transfers: 1000000000}\n"
                      "  sync: [{name: a, path: /a, remote_path: a, checkers: 65, transfers: 64, "
                      "interval: 31536001}]\n");
  ASSERT_EQ(r.problems.size(), 3U) << dump(r);
  EXPECT_EQ(r.problems[0].path, "persistence.defaults.transfers");
  EXPECT_EQ(r.problems[0].message,
            "transfers is 1000000000; the maximum is 64 (each one costs rclone memory and a "
            "connection)");
  EXPECT_EQ(r.problems[1].path, "persistence.sync[0].checkers");
  EXPECT_EQ(r.problems[2].path, "persistence.sync[0].interval");
  EXPECT_EQ(r.problems[2].message, "interval is 31536001 s; the maximum is 31536000 s");
  // The published schema says the same, for editors and other validators.
  const auto schema_only = check_schema_only(
      "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: img}}\n" +
          std::string(k_replicated) + "  defaults: {transfers: 1000000000}\n",
      "t.yaml", schema_text());
  ASSERT_EQ(schema_only.problems.size(), 1U) << dump(schema_only);
  EXPECT_NE(schema_only.problems[0].message.find("the maximum is 64"), std::string::npos);
}

TEST(ConfigRules, RemotePathsStayInsideAndUseKnownPlaceholders) {
  const auto check = [](const std::string& value, const std::string& part) {
    const auto r = load(std::string(k_replicated) + "  sync: [{name: a, path: /a, remote_path: '" +
                        value + "'}]\n");
    if (part.empty()) {
      EXPECT_TRUE(r.ok()) << value << "\n" << dump(r);
    } else {
      only_problem(r, "persistence.sync[0].remote_path", part);
    }
  };
  check("..", "'..' segment");
  check("a/../b", "'..' segment");
  check("a/..", "'..' segment");
  check("{user}/x", "placeholder {user}");
  check("{org", "without a matching '}'");
  check("{ORG}/x", "uses a placeholder; only {org}");  // not a plain word: not repeated
  check("a..b/...", "");
  check("{org}/{project}/{env}/x", "");
  only_problem(load("persistence: {remotes: {r: {bucket: b, path_prefix: '../x'}}}\n"),
               "persistence.remotes.r.path_prefix", "'..' segment");
  only_problem(load("persistence: {remotes: {r: {bucket: b}, c: {type: crypt, wrap_remote: r, "
                    "wrap_path: '{home}', crypt: {password_env: P}}}}\n"),
               "persistence.remotes.c.wrap_path", "placeholder {home}");
}

TEST(ConfigRules, RemoteAndOptionNamesSuitRclone) {
  only_problem(load("persistence: {remotes: {'bad name': {bucket: b}}}\n"),
               "persistence.remotes.<key>", "may only hold letters");  // not repeated
  only_problem(load("persistence: {remotes: {r: {bucket: b, options: {'a-b': x}}}}\n"),
               "persistence.remotes.r.options.a-b", "not an rclone option name");
  only_problem(load("persistence: {rclone_config: {options: {type: s3}}}\n"),
               "persistence.rclone_config.options.type", "set the backend");
}

TEST(ConfigRules, VariablesAreNotExpandedOrRequired) {
  EXPECT_TRUE(load("persistence: {remotes: {r: {bucket: '${NOT_SET_ANYWHERE}', options: "
                   "{secret_access_key: '${ALSO_NOT_SET}'}}}}\n")
                  .ok());
}

TEST(ConfigRules, AllProblemsAreReportedTogetherOncePerField) {
  const auto r = load(R"(persistence:
  enabled: true
  mode: replicated
  sync:
    - {name: a, path: rel, remote_path: '../x', interval: 1}
networking: {enabled: true, hostname_prefix: ''}
)");
  ASSERT_EQ(r.problems.size(), 5U) << dump(r);
  std::set<std::string> paths;
  for (const auto& p : r.problems) EXPECT_TRUE(paths.insert(p.path).second) << p.path;
  EXPECT_FALSE(r.spec.has_value());
}

}  // namespace
}  // namespace coltec
