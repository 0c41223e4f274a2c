#include <gtest/gtest.h>

#include <coltec/rclone_output.hpp>

namespace coltec {
namespace {

RcloneRunFacts run(int rc, const std::vector<std::string>& lines) {
  RcloneRunFacts f;
  f.exit_code = rc;
  for (const auto& l : lines) observe_rclone_line(f, parse_rclone_line(l));
  return f;
}

TEST(RcloneOutputTest, ParsesJsonLinesAndToleratesPlainAndBrokenOnes) {
  const auto j = parse_rclone_line(
      R"j({"level":"info","msg":"Copied (new)","object":"big20.bin","source":"operations/operations.go:566"})j");
  EXPECT_TRUE(j.json);
  EXPECT_EQ(j.level, "info");
  EXPECT_EQ(j.msg, "Copied (new)");
  EXPECT_EQ(j.object, "big20.bin");
  const auto plain = parse_rclone_line("\tstatus code: 403, request id: ");
  EXPECT_FALSE(plain.json);
  EXPECT_EQ(plain.msg, "\tstatus code: 403, request id: ");
  EXPECT_FALSE(parse_rclone_line("{\"level\": [unterminated").json);
  EXPECT_FALSE(parse_rclone_line("[1,2]").json);
  EXPECT_FALSE(parse_rclone_line("").json);
}

TEST(RcloneOutputTest, ReadsStats) {
  const auto st = parse_rclone_stats(
      R"j({"level":"warning","msg":"x","stats":{"bytes":16838656,"checks":3,"deletes":1,"elapsedTime":2.05,"errors":0,"eta":2,"speed":8447415.8,"totalBytes":20000000,"totalTransfers":1,"transfers":0}})j");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->bytes, 16838656U);
  EXPECT_EQ(st->total_bytes, 20000000U);
  EXPECT_EQ(st->checks, 3U);
  EXPECT_EQ(st->deletes, 1U);
  EXPECT_EQ(st->total_transfers, 1U);
  EXPECT_DOUBLE_EQ(st->eta_seconds, 2.0);
  EXPECT_FALSE(parse_rclone_stats(R"j({"level":"info","msg":"no stats"})j").has_value());
  EXPECT_FALSE(parse_rclone_stats(R"j({"stats":"hostile"})j").has_value());
  const auto negative = parse_rclone_stats(R"j({"stats":{"bytes":-5,"transfers":"x"}})j");
  ASSERT_TRUE(negative.has_value());
  EXPECT_EQ(negative->bytes, 0U);
  EXPECT_EQ(negative->transfers, 0U);
}

// The table of notes/rclone-1.60.md §4.
TEST(RcloneOutputTest, ClassifiesObservedExitCodes) {
  EXPECT_EQ(classify_rclone_run(run(0, {})), RcloneFailure::none);
  EXPECT_EQ(classify_rclone_run(run(9, {})), RcloneFailure::none);
  EXPECT_EQ(classify_rclone_run(run(1, {"Error: unknown flag: --bogus"})), RcloneFailure::fatal);
  EXPECT_EQ(
      classify_rclone_run(run(
          1,
          {R"j({"level":"error","msg":"Failed to sync: RequestError: send request failed caused by: dial tcp 127.0.0.1:1: connect: connection refused"})j"})),
      RcloneFailure::temporary);
  EXPECT_EQ(
      classify_rclone_run(run(1, {"Failed to sync: InvalidAccessKeyId: The AWS Access Key Id"})),
      RcloneFailure::fatal);
  EXPECT_EQ(
      classify_rclone_run(
          run(2, {R"j({"level":"error","msg":"Bisync aborted. Must run --resync to recover."})j"})),
      RcloneFailure::needs_resync);
  EXPECT_EQ(
      classify_rclone_run(run(
          1, {R"j({"level":"error","msg":"Safety abort: too many deletes (>50%, 6 of 10)"})j"})),
      RcloneFailure::refused);
  EXPECT_EQ(classify_rclone_run(
                run(7, {"ERROR : Got fatal error on delete: --max-delete threshold reached"})),
            RcloneFailure::refused);
  EXPECT_EQ(classify_rclone_run(run(1, {"Failed to bisync: prior lock file found: /x/wd/a.lck"})),
            RcloneFailure::temporary);
  EXPECT_EQ(classify_rclone_run(
                run(3, {R"j({"level":"notice","msg":"Bisync aborted. Please try again."})j"})),
            RcloneFailure::temporary);
  EXPECT_EQ(classify_rclone_run(run(3, {"Failed to sync: directory not found"})),
            RcloneFailure::fatal);
  EXPECT_EQ(classify_rclone_run(run(5, {})), RcloneFailure::temporary);
  EXPECT_EQ(classify_rclone_run(run(8, {})), RcloneFailure::temporary);
  RcloneRunFacts killed;
  killed.term_signal = 9;
  EXPECT_EQ(classify_rclone_run(killed), RcloneFailure::killed);
}

TEST(RcloneOutputTest, KeepsTheLastErrorBounded) {
  const auto f = run(
      1, {R"j({"level":"error","msg":"first"})j", std::string("ERROR ") + std::string(5000, 'x')});
  EXPECT_EQ(f.last_error.size(), 500U);
}

}  // namespace
}  // namespace coltec
