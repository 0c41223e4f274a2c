// Live progress: the number formatting and the TTY / plain views, driven by a fake clock.

#include <limits>
#include <sstream>

#include <gtest/gtest.h>

#include <coltec/metrics.hpp>

namespace coltec {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RcloneStats stats(std::uint64_t transfers, std::uint64_t total_transfers, std::uint64_t bytes,
                  std::uint64_t total_bytes) {
  RcloneStats s;
  s.transfers = transfers;
  s.total_transfers = total_transfers;
  s.bytes = bytes;
  s.total_bytes = total_bytes;
  return s;
}

TEST(HumanDurationTest, ShowsAtMostTwoUnits) {
  EXPECT_EQ(human_duration(0), "0s");
  EXPECT_EQ(human_duration(4.4), "4s");
  EXPECT_EQ(human_duration(59.4), "59s");
  EXPECT_EQ(human_duration(59.6), "1m00s");
  EXPECT_EQ(human_duration(125), "2m05s");
  EXPECT_EQ(human_duration(3720), "1h02m");
  EXPECT_EQ(human_duration(86400 * 3 + 3600 * 4 + 59), "3d04h");
}

TEST(HumanDurationTest, RejectsNonsenseAndClampsHugeValues) {
  EXPECT_EQ(human_duration(-1), "?");
  EXPECT_EQ(human_duration(std::numeric_limits<double>::quiet_NaN()), "?");
  EXPECT_EQ(human_duration(std::numeric_limits<double>::infinity()), "?");
  EXPECT_EQ(human_duration(1e300), human_duration(1e12));
}

TEST(FormatProgressLineTest, ShowsFilesBytesSpeedAndEta) {
  RcloneStats s = stats(12, 40, 3'250'586, 8ull << 20);
  s.speed = 1.2 * 1024 * 1024;
  s.eta_seconds = 4;
  EXPECT_EQ(format_progress_line("code", s),
            "code  12/40 files  3.1 MiB/8.0 MiB  1.2 MiB/s  ETA 4s");
}

TEST(FormatProgressLineTest, LeavesOutUnknownEtaAndSurvivesBadSpeed) {
  RcloneStats s = stats(0, 0, 0, 0);
  s.speed = std::numeric_limits<double>::quiet_NaN();
  s.eta_seconds = std::numeric_limits<double>::infinity();
  EXPECT_EQ(format_progress_line("x", s), "x  0/0 files  0 B/0 B  0 B/s");
  s.speed = -5;
  s.eta_seconds = 0;
  EXPECT_EQ(format_progress_line("x", s), "x  0/0 files  0 B/0 B  0 B/s");
  s.speed = 1e300;
  EXPECT_NE(format_progress_line("x", s).find("/s"), std::string::npos);
}

TEST(FormatProgressLineTest, NeutralisesTerminalControlsInActionName) {
  const RcloneStats s = stats(1, 1, 1, 1);
  const std::string line = format_progress_line(
      "a\x1b]0;pwned\x07\r\n\x7f"
      "b\xC2\x9B"
      "c",
      s);
  EXPECT_EQ(line.rfind("a?]0;pwned????b?c  1/1 files", 0), 0u) << line;
  EXPECT_EQ(format_progress_line("caf\xC3\xA9", s).rfind("caf\xC3\xA9  ", 0), 0u);
  EXPECT_EQ(format_progress_line("bad\xFF", s).rfind("bad?  ", 0), 0u);
}

class ProgressViewTest : public ::testing::Test {
 protected:
  std::string take() {
    std::string text = m_out.str();
    m_out.str("");
    return text;
  }
  std::ostringstream m_out;
  TimePoint m_t0{};
};

TEST_F(ProgressViewTest, PlainModeThrottlesPerActionAndPrintsNoEscapes) {
  ProgressView view(m_out, ProgressOptions{false, seconds(10), 0});
  view.update("code", stats(1, 4, 0, 0), m_t0);
  view.update("code", stats(2, 4, 0, 0), m_t0 + seconds(3));  // too soon
  view.update("docs", stats(1, 1, 0, 0), m_t0 + seconds(4));  // another action: own throttle
  view.update("code", stats(3, 4, 0, 0), m_t0 + seconds(10));
  EXPECT_EQ(take(),
            "code  1/4 files  0 B/0 B  0 B/s\n"
            "docs  1/1 files  0 B/0 B  0 B/s\n"
            "code  3/4 files  0 B/0 B  0 B/s\n");
  view.finish("code");
  view.clear();
  EXPECT_EQ(take(), "");
  view.update("code", stats(4, 4, 0, 0), m_t0 + seconds(11));  // finished: throttle forgotten
  EXPECT_EQ(take(), "code  4/4 files  0 B/0 B  0 B/s\n");
}

TEST_F(ProgressViewTest, TtyRedrawsOneLinePerActionInPlace) {
  ProgressView view(m_out, ProgressOptions{true, seconds(10), 0});
  view.update("code", stats(1, 4, 0, 0), m_t0);
  EXPECT_EQ(take(), "\r\x1b[Jcode  1/4 files  0 B/0 B  0 B/s");
  view.update("code", stats(2, 4, 0, 0), m_t0 + milliseconds(1));
  EXPECT_EQ(take(), "\r\x1b[Jcode  2/4 files  0 B/0 B  0 B/s");
  view.update("agent", stats(1, 2, 0, 0), m_t0 + milliseconds(2));
  EXPECT_EQ(take(),
            "\r\x1b[J"
            "agent  1/2 files  0 B/0 B  0 B/s\n"
            "code  2/4 files  0 B/0 B  0 B/s");
  view.update("code", stats(3, 4, 0, 0), m_t0 + milliseconds(3));
  EXPECT_EQ(take(),
            "\r\x1b[1A\x1b[J"
            "agent  1/2 files  0 B/0 B  0 B/s\n"
            "code  3/4 files  0 B/0 B  0 B/s");
}

TEST_F(ProgressViewTest, TtyFinishRemovesTheLine) {
  ProgressView view(m_out, ProgressOptions{true, seconds(10), 0});
  view.update("a", stats(1, 1, 0, 0), m_t0);
  view.update("b", stats(1, 1, 0, 0), m_t0);
  take();
  view.finish("a");
  EXPECT_EQ(take(), "\r\x1b[1A\x1b[Jb  1/1 files  0 B/0 B  0 B/s");
  view.finish("unknown");
  EXPECT_EQ(take(), "");
  view.finish("b");
  EXPECT_EQ(take(), "\r\x1b[J");
  view.clear();  // nothing on screen any more
  EXPECT_EQ(take(), "");
}

TEST_F(ProgressViewTest, TtyClearErasesTheBlockAndNextUpdateRedraws) {
  ProgressView view(m_out, ProgressOptions{true, seconds(10), 0});
  view.update("a", stats(1, 1, 0, 0), m_t0);
  view.update("b", stats(1, 1, 0, 0), m_t0);
  view.update("c", stats(1, 1, 0, 0), m_t0);
  take();
  view.clear();
  EXPECT_EQ(take(), "\r\x1b[2A\x1b[J");
  view.clear();
  EXPECT_EQ(take(), "");
  view.update("a", stats(1, 1, 0, 0), m_t0);
  EXPECT_EQ(take(),
            "\r\x1b[J"
            "a  1/1 files  0 B/0 B  0 B/s\n"
            "b  1/1 files  0 B/0 B  0 B/s\n"
            "c  1/1 files  0 B/0 B  0 B/s");
}

TEST_F(ProgressViewTest, TtyCutsLinesBelowTheWidthWithoutSplittingUtf8) {
  ProgressView view(m_out, ProgressOptions{true, seconds(10), 8});
  view.update("abc\xC3\xA9xyz", stats(1, 1, 0, 0), m_t0);
  // Width 8 leaves 7 bytes: "abc", the 2-byte é, "xy".
  EXPECT_EQ(take(), "\r\x1b[Jabc\xC3\xA9xy");
  ProgressView narrow(m_out, ProgressOptions{true, seconds(10), 5});
  narrow.update("abc\xC3\xA9xyz", stats(1, 1, 0, 0), m_t0);
  // 4 bytes would split é; the cut backs off to "abc".
  EXPECT_EQ(take(), "\r\x1b[Jabc");
}

}  // namespace
}  // namespace coltec
