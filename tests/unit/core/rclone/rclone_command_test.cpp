// Command builder: version parsing, capabilities and whole-argv goldens.

#include <algorithm>

#include <gtest/gtest.h>

#include <coltec/rclone_command.hpp>

namespace coltec {
namespace {

using Argv = std::vector<std::string>;

const RcloneVersion k_v160{1, 60, 1};
const RcloneVersion k_v166{1, 66, 0};

Action action(std::string remote, std::string path, std::string type, std::string backend,
              Direction direction) {
  Action a;
  a.name = "code";
  a.local_path = "/workspace";
  a.remote_name = std::move(remote);
  a.remote_path = std::move(path);
  a.remote_type = std::move(type);
  a.backend_type = std::move(backend);
  a.direction = direction;
  a.exclude = {"node_modules/**"};
  return a;
}

Action s3_action(Direction d) {
  return action("r2", "bkt/ws/code", "s3", "s3", d);
}
Action local_action(Direction d) {
  return action("disk", "/srv/backup/code", "local", "local", d);
}
Action crypt_action(Direction d) {
  return action("vault", "ws/code", "crypt", "s3", d);
}
Action legacy_action(Direction d) {
  return action("r2coltec", "coltec-workspaces/acme/code", "s3", "s3", d);
}

RunContext context(RcloneVersion version) {
  RunContext ctx;
  ctx.caps = caps_for(version);
  ctx.config_path = "/state/rclone.conf";
  return ctx;
}

const EnvMap k_env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/home/vscode"}};

Argv argv_of(const Action& a, const RunContext& ctx) {
  return build_invocation(a, ctx, k_env).argv;
}

// The flags every sync shares after the transfer settings.
const Argv k_tail = {"--exclude",
                     "node_modules/**",
                     "--use-json-log",
                     "--stats",
                     "1s",
                     "--stats-log-level",
                     "NOTICE",
                     "-v",
                     "--contimeout",
                     "10s",
                     "--timeout",
                     "60s",
                     "--low-level-retries",
                     "2",
                     "--retries",
                     "1"};

Argv concat(std::initializer_list<Argv> parts) {
  Argv out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(RcloneArgv, S3PushOn160) {
  EXPECT_EQ(
      argv_of(s3_action(Direction::push_only), context(k_v160)),
      concat({{"rclone", "sync", "/workspace", "r2:bkt/ws/code", "--config", "/state/rclone.conf",
               "--transfers", "8", "--checkers", "16", "--fast-list", "--checksum"},
              k_tail}));
}

TEST(RcloneArgv, S3PullOn166IsTheSameAsOn160) {
  const Argv want =
      concat({{"rclone", "sync", "r2:bkt/ws/code", "/workspace", "--config", "/state/rclone.conf",
               "--transfers", "8", "--checkers", "16", "--fast-list", "--checksum"},
              k_tail});
  EXPECT_EQ(argv_of(s3_action(Direction::pull_only), context(k_v160)), want);
  EXPECT_EQ(argv_of(s3_action(Direction::pull_only), context(k_v166)), want);
}

TEST(RcloneArgv, LocalRemoteHasNoFastListNorChecksum) {
  const Argv head = {"--config", "/state/rclone.conf", "--transfers", "8", "--checkers", "16"};
  EXPECT_EQ(argv_of(local_action(Direction::push_only), context(k_v160)),
            concat({{"rclone", "sync", "/workspace", "disk:/srv/backup/code"}, head, k_tail}));
  EXPECT_EQ(argv_of(local_action(Direction::pull_only), context(k_v166)),
            concat({{"rclone", "sync", "disk:/srv/backup/code", "/workspace"}, head, k_tail}));
}

TEST(RcloneArgv, CryptOverS3FastListButNoChecksum) {
  const Argv head = {"--config", "/state/rclone.conf", "--transfers", "8", "--checkers",
                     "16",       "--fast-list"};
  EXPECT_EQ(argv_of(crypt_action(Direction::push_only), context(k_v160)),
            concat({{"rclone", "sync", "/workspace", "vault:ws/code"}, head, k_tail}));
  EXPECT_EQ(argv_of(crypt_action(Direction::pull_only), context(k_v160)),
            concat({{"rclone", "sync", "vault:ws/code", "/workspace"}, head, k_tail}));
}

TEST(RcloneArgv, LegacyRemoteLooksLikeS3) {
  const Argv head = {"--config", "/state/rclone.conf", "--transfers", "8", "--checkers",
                     "16",       "--fast-list"};
  EXPECT_EQ(argv_of(legacy_action(Direction::push_only), context(k_v160)),
            concat({{"rclone", "sync", "/workspace", "r2coltec:coltec-workspaces/acme/code"},
                    head,
                    {"--checksum"},
                    k_tail}));
  EXPECT_EQ(argv_of(legacy_action(Direction::pull_only), context(k_v166)),
            concat({{"rclone", "sync", "r2coltec:coltec-workspaces/acme/code", "/workspace"},
                    head,
                    {"--checksum"},
                    k_tail}));
}

// Every remote kind x direction x version: the literal head (command, positionals and
// transfer flags), then the shared tail; the same on every version.
struct MatrixRow {
  Action (*make)(Direction);
  Direction direction;
  Argv head;
};

TEST(RcloneArgv, FullMatrixOfKindsDirectionsAndVersions) {
  const Argv cfg = {"--config", "/state/rclone.conf"};
  const Argv t = {"--transfers", "8", "--checkers", "16"};
  const std::vector<MatrixRow> rows = {
      {s3_action, Direction::push_only,
       concat({{"rclone", "sync", "/workspace", "r2:bkt/ws/code"},
               cfg,
               t,
               {"--fast-list", "--checksum"}})},
      {s3_action, Direction::pull_only,
       concat({{"rclone", "sync", "r2:bkt/ws/code", "/workspace"},
               cfg,
               t,
               {"--fast-list", "--checksum"}})},
      {local_action, Direction::push_only,
       concat({{"rclone", "sync", "/workspace", "disk:/srv/backup/code"}, cfg, t})},
      {local_action, Direction::pull_only,
       concat({{"rclone", "sync", "disk:/srv/backup/code", "/workspace"}, cfg, t})},
      {crypt_action, Direction::push_only,
       concat({{"rclone", "sync", "/workspace", "vault:ws/code"}, cfg, t, {"--fast-list"}})},
      {crypt_action, Direction::pull_only,
       concat({{"rclone", "sync", "vault:ws/code", "/workspace"}, cfg, t, {"--fast-list"}})},
      {legacy_action, Direction::push_only,
       concat({{"rclone", "sync", "/workspace", "r2coltec:coltec-workspaces/acme/code"},
               cfg,
               t,
               {"--fast-list", "--checksum"}})},
      {legacy_action, Direction::pull_only,
       concat({{"rclone", "sync", "r2coltec:coltec-workspaces/acme/code", "/workspace"},
               cfg,
               t,
               {"--fast-list", "--checksum"}})},
  };
  for (const auto& row : rows) {
    const auto a = row.make(row.direction);
    const auto v160 = build_invocation(a, context(k_v160), k_env);
    const auto v166 = build_invocation(a, context(k_v166), k_env);
    EXPECT_EQ(v160.argv, concat({row.head, k_tail})) << a.remote_spec();
    EXPECT_EQ(v166.argv, v160.argv) << a.remote_spec();
    EXPECT_EQ(v160.env, (Argv{"HOME=/home/vscode", "PATH=/usr/bin:/bin"}));
    EXPECT_EQ(v166.env, v160.env);
  }
}

TEST(RcloneArgv, RunContextOptionsForSync) {
  auto ctx = context(k_v160);
  ctx.dry_run = true;
  ctx.max_delete = 12;
  ctx.backup_dir = "r2:bkt/.coltec-trash/20260101T000000Z";
  auto a = s3_action(Direction::push_only);
  a.transfers = 4;
  a.checkers = 6;
  a.bwlimit = "10M";
  a.exclude = {"*.tmp", "-leading-dash"};
  EXPECT_EQ(argv_of(a, ctx), (Argv{"rclone",
                                   "sync",
                                   "/workspace",
                                   "r2:bkt/ws/code",
                                   "--config",
                                   "/state/rclone.conf",
                                   "--transfers",
                                   "4",
                                   "--checkers",
                                   "6",
                                   "--bwlimit",
                                   "10M",
                                   "--fast-list",
                                   "--checksum",
                                   "--exclude",
                                   "*.tmp",
                                   "--exclude",
                                   "-leading-dash",
                                   "--use-json-log",
                                   "--stats",
                                   "1s",
                                   "--stats-log-level",
                                   "NOTICE",
                                   "-v",
                                   "--contimeout",
                                   "10s",
                                   "--timeout",
                                   "60s",
                                   "--low-level-retries",
                                   "2",
                                   "--retries",
                                   "1",
                                   "--max-delete",
                                   "12",
                                   "--backup-dir",
                                   "r2:bkt/.coltec-trash/20260101T000000Z",
                                   "--dry-run"}));
}

TEST(RcloneArgv, NeverVeryVerboseNorCheckAccess) {
  for (const auto d : {Direction::push_only, Direction::pull_only}) {
    for (const auto& v : {k_v160, k_v166}) {
      const auto argv = argv_of(s3_action(d), context(v));
      for (const char* banned : {"-vv", "--check-access", "-P", "--progress", "--force"}) {
        EXPECT_EQ(std::find(argv.begin(), argv.end(), banned), argv.end()) << banned;
      }
    }
  }
}

TEST(RcloneCopy, RestoreRemoteToLocal) {
  auto ctx = context(k_v160);
  ctx.max_delete = 3;                        // copy never deletes: no --max-delete
  ctx.backup_dir = "/state/restore-backup";  // replaced local files are kept there
  const auto inv =
      build_copy("r2:bkt/ws/code", "/workspace", s3_action(Direction::push_only), ctx, k_env);
  EXPECT_EQ(inv.argv, concat({{"rclone", "copy", "r2:bkt/ws/code", "/workspace", "--config",
                               "/state/rclone.conf", "--transfers", "8", "--checkers", "16",
                               "--fast-list", "--checksum"},
                              k_tail,
                              {"--backup-dir", "/state/restore-backup"}}));
  ctx.dry_run = true;
  EXPECT_EQ(build_copy("a", "-b", local_action(Direction::push_only), ctx, k_env).argv.at(3),
            "./-b");
  EXPECT_EQ(build_copy("a", "-b", local_action(Direction::push_only), ctx, k_env).argv.back(),
            "--dry-run");
}

TEST(RcloneListing, CountsFilesCheaply) {
  const auto inv = build_listing("r2:bkt/ws/code", context(k_v160), k_env, {"*.tmp"});
  EXPECT_EQ(inv.argv, (Argv{"rclone",
                            "lsjson",
                            "r2:bkt/ws/code",
                            "-R",
                            "--files-only",
                            "--fast-list",
                            "--no-modtime",
                            "--no-mimetype",
                            "--config",
                            "/state/rclone.conf",
                            "--exclude",
                            "*.tmp",
                            "--use-json-log",
                            "--contimeout",
                            "10s",
                            "--timeout",
                            "60s",
                            "--low-level-retries",
                            "2",
                            "--retries",
                            "1"}));
  EXPECT_EQ(build_listing("-x", context(k_v160), k_env).argv.at(2), "./-x");
}

TEST(RcloneProbe, ListsOnlyTheTopLevelWithoutFastList) {
  const auto inv = build_probe("r2:bkt/ws/code", context(k_v160), k_env);
  EXPECT_EQ(inv.argv, (Argv{"rclone", "lsjson", "r2:bkt/ws/code", "--max-depth", "1",
                            "--no-modtime", "--no-mimetype", "--config", "/state/rclone.conf",
                            "--use-json-log", "--contimeout", "10s", "--timeout", "60s",
                            "--low-level-retries", "2", "--retries", "1"}));
  EXPECT_EQ(build_probe("-x", context(k_v160), k_env).argv.at(2), "./-x");
}

TEST(RcloneArgv, FixedHelpers) {
  EXPECT_EQ(version_argv(), (Argv{"rclone", "version"}));
  EXPECT_EQ(version_argv("/usr/bin/rclone"), (Argv{"/usr/bin/rclone", "version"}));
  EXPECT_EQ(obscure_argv(), (Argv{"rclone", "obscure", "-"}));
}

TEST(RcloneInvocation, EnvAndRedactedText) {
  auto ctx = context(k_v160);
  ctx.secrets = {"bkt"};  // pretend the bucket were secret: redaction reaches the text
  const EnvMap env = {{"PATH", "/bin"}, {"AWS_CA_BUNDLE", "/etc/ca.pem"}, {"RCLONE_BWLIMIT", "1"}};
  auto a = s3_action(Direction::push_only);
  a.exclude = {"with space/**"};
  const auto inv = build_invocation(a, ctx, env);
  EXPECT_EQ(inv.env, (Argv{"PATH=/bin"}));
  EXPECT_EQ(inv.redacted,
            "rclone sync /workspace 'r2:***/ws/code' --config /state/rclone.conf --transfers 8 "
            "--checkers 16 --fast-list --checksum --exclude 'with space/**' --use-json-log "
            "--stats 1s --stats-log-level NOTICE -v --contimeout 10s --timeout 60s "
            "--low-level-retries 2 --retries 1");
}

TEST(ShellJoin, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(shell_join({"a", "", "it's", "x y", "$HOME", "r2:b/c-d_e.f@g%h+i=j,k"}),
            "a '' 'it'\\''s' 'x y' '$HOME' r2:b/c-d_e.f@g%h+i=j,k");
}

}  // namespace
}  // namespace coltec

namespace coltec {
namespace {

TEST(RcloneTrash, CleanupDeletesOnlyOlderThanTheRetention) {
  RunContext ctx;
  ctx.config_path = "/run/rclone.conf";
  const auto inv = build_trash_cleanup("r2:bkt/ws/.coltec-trash/code", 30, ctx, {});
  ASSERT_GE(inv.argv.size(), 6U);
  EXPECT_EQ(std::vector<std::string>(inv.argv.begin(), inv.argv.begin() + 6),
            (std::vector<std::string>{"rclone", "delete", "r2:bkt/ws/.coltec-trash/code",
                                      "--min-age", "30d", "--rmdirs"}));
  EXPECT_NE(std::find(inv.argv.begin(), inv.argv.end(), "--config"), inv.argv.end());
}

}  // namespace
}  // namespace coltec

namespace coltec {
namespace {

TEST(RcloneArgv, PerFileLinesOnlyWhenVerbose) {
  RunContext ctx;
  ctx.config_path = "/run/rclone.conf";
  Action a;
  a.name = "code";
  a.local_path = "/workspace";
  a.remote_name = "r";
  a.remote_path = "bkt/code";
  a.remote_type = "s3";
  a.direction = Direction::push_only;
  const auto loud = build_invocation(a, ctx, {}).argv;
  EXPECT_NE(std::find(loud.begin(), loud.end(), "-v"), loud.end());
  ctx.verbose = false;
  const auto quiet = build_invocation(a, ctx, {}).argv;
  EXPECT_EQ(std::find(quiet.begin(), quiet.end(), "-v"), quiet.end());
  // Stats and the lines the daemon acts on stay: they come at NOTICE or above.
  EXPECT_NE(std::find(quiet.begin(), quiet.end(), "--stats-log-level"), quiet.end());
}

}  // namespace
}  // namespace coltec

namespace coltec {
namespace {

TEST(RcloneCopyFiles, UploadsOnlyTheListedFilesWithoutListing) {
  RunContext ctx;
  ctx.config_path = "/run/rclone.conf";
  ctx.verbose = false;
  ctx.backup_dir = "r:bkt/.coltec-trash/code/T";
  Action a;
  a.name = "code";
  a.local_path = "/workspace";
  a.remote_name = "r";
  a.remote_path = "bkt/code";
  a.remote_type = "s3";
  a.backend_type = "s3";
  a.exclude = {"node_modules/**"};
  const auto inv = build_copy_files(a, "/run/code.files", ctx, {});
  EXPECT_EQ(inv.argv, (std::vector<std::string>{"rclone",
                                                "copy",
                                                "/workspace",
                                                "r:bkt/code",
                                                "--files-from-raw",
                                                "/run/code.files",
                                                "--no-traverse",
                                                "--config",
                                                "/run/rclone.conf",
                                                "--transfers",
                                                "8",
                                                "--checkers",
                                                "16",
                                                "--checksum",
                                                "--use-json-log",
                                                "--stats",
                                                "1s",
                                                "--stats-log-level",
                                                "NOTICE",
                                                "--contimeout",
                                                "10s",
                                                "--timeout",
                                                "60s",
                                                "--low-level-retries",
                                                "2",
                                                "--retries",
                                                "1",
                                                "--backup-dir",
                                                "r:bkt/.coltec-trash/code/T"}));
}

}  // namespace
}  // namespace coltec
