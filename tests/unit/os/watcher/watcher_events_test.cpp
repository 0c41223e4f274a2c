// parse_events: the pure decoder of raw inotify buffers.

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/inotify.h>

#include <coltec/watcher.hpp>

namespace coltec {
namespace {

// Builds what the kernel writes: a header, then the name NUL-padded to `padded` bytes.
void append_event(std::vector<std::byte>& out, int wd, std::uint32_t mask, const std::string& name,
                  std::uint32_t padded) {
  inotify_event header{};
  header.wd = wd;
  header.mask = mask;
  header.cookie = 7;
  header.len = padded;
  const std::size_t start = out.size();
  out.resize(start + sizeof header + padded);
  std::memcpy(out.data() + start, &header, sizeof header);
  std::memcpy(out.data() + start + sizeof header, name.data(), name.size());
}

TEST(ParseEvents, DecodesEventsAndStripsNamePadding) {
  std::vector<std::byte> bytes;
  append_event(bytes, 3, IN_CLOSE_WRITE, "notes.md", 16);
  append_event(bytes, 4, IN_CREATE | IN_ISDIR, "sub", 4);
  append_event(bytes, 5, IN_DELETE_SELF, "", 0);
  auto events = parse_events(bytes);
  ASSERT_TRUE(events.ok()) << events.error().message;
  const std::vector<InotifyEvent> expected{{3, IN_CLOSE_WRITE, 7, "notes.md"},
                                           {4, IN_CREATE | IN_ISDIR, 7, "sub"},
                                           {5, IN_DELETE_SELF, 7, ""}};
  EXPECT_EQ(events.value(), expected);
}

TEST(ParseEvents, DecodesAnOverflowEvent) {
  std::vector<std::byte> bytes;
  append_event(bytes, -1, IN_Q_OVERFLOW, "", 0);
  auto events = parse_events(bytes);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().wd, -1);
  EXPECT_EQ(events->front().mask, static_cast<std::uint32_t>(IN_Q_OVERFLOW));
}

TEST(ParseEvents, EmptyBufferHasNoEvents) {
  auto events = parse_events({});
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST(ParseEvents, RejectsATruncatedHeader) {
  std::vector<std::byte> bytes;
  append_event(bytes, 1, IN_MODIFY, "a", 4);
  bytes.resize(bytes.size() + 5);
  auto events = parse_events(bytes);
  ASSERT_FALSE(events.ok());
  EXPECT_NE(events.error().message.find("truncated"), std::string::npos);
}

TEST(ParseEvents, RejectsANameRunningPastTheBuffer) {
  std::vector<std::byte> bytes;
  append_event(bytes, 1, IN_MODIFY, "abc", 16);
  bytes.resize(bytes.size() - 8);
  auto events = parse_events(bytes);
  ASSERT_FALSE(events.ok());
  EXPECT_NE(events.error().message.find("past the buffer"), std::string::npos);
}

TEST(ParseEvents, HostileLengthDoesNotOverflow) {
  std::vector<std::byte> bytes;
  append_event(bytes, 1, IN_MODIFY, "", 0);
  inotify_event header{};
  header.len = 0xFFFFFFFFu;
  std::memcpy(bytes.data(), &header, sizeof header);
  EXPECT_FALSE(parse_events(bytes).ok());
}

}  // namespace
}  // namespace coltec
