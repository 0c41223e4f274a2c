// MemoryFile: private data handed to children without a file on any file system.

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <coltec/memory_file.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

TEST(MemoryFile, ReadsBackThroughItsProcPath) {
  auto file = MemoryFile::create("t", "[r]\ntype = local\n");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_GE(file->fd(), 3);
  EXPECT_EQ(file->path(), "/proc/self/fd/" + std::to_string(file->fd()));
  EXPECT_EQ(test::read_file(file->path()), "[r]\ntype = local\n");
  // Each open is a new open file of its own, so readers never share an offset.
  EXPECT_EQ(test::read_file(file->path()), "[r]\ntype = local\n");
}

TEST(MemoryFile, IsCloseOnExecAndNamedNowhere) {
  auto file = MemoryFile::create("t", "x");
  ASSERT_TRUE(file.ok());
  EXPECT_NE(::fcntl(file->fd(), F_GETFD) & FD_CLOEXEC, 0);
  char target[256] = {};
  ASSERT_GT(::readlink(file->path().c_str(), target, sizeof target - 1), 0);
  EXPECT_EQ(std::string(target).rfind("/memfd:", 0), 0U) << target;
}

TEST(MemoryFile, IsSealedAgainstWrites) {
  auto file = MemoryFile::create("t", "secret");
  ASSERT_TRUE(file.ok());
  EXPECT_LT(::write(file->fd(), "x", 1), 0);
  EXPECT_EQ(errno, EPERM);
  const int rw = ::open(file->path().c_str(), O_WRONLY | O_TRUNC);
  EXPECT_LT(rw, 0);
  if (rw >= 0) ::close(rw);
  EXPECT_EQ(test::read_file(file->path()), "secret");
}

TEST(MemoryFile, ReplaceKeepsTheNumberAndChangesTheContents) {
  auto file = MemoryFile::create("t", "old");
  ASSERT_TRUE(file.ok());
  const int fd = file->fd();
  const int reader = ::open(file->path().c_str(), O_RDONLY);  // a child that already read it
  ASSERT_GE(reader, 0);
  ASSERT_TRUE(file.value().replace("new contents").ok());
  EXPECT_EQ(file->fd(), fd);
  EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(test::read_file(file->path()), "new contents");
  char buf[8] = {};
  EXPECT_EQ(::read(reader, buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "old");
  ::close(reader);
}

TEST(MemoryFile, TakesADescriptorAboveTheStandardOnes) {
  // With stdin closed the kernel would hand out 0; the file must never sit there.
  const int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  ::close(0);
  auto file = MemoryFile::create("t", "x");
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_TRUE(file.ok());
  EXPECT_GE(file->fd(), 3);
}

TEST(MemoryFile, MovingHandsOverTheDescriptor) {
  auto file = MemoryFile::create("t", "x");
  ASSERT_TRUE(file.ok());
  const int fd = file->fd();
  MemoryFile moved(std::move(file).value());
  EXPECT_EQ(moved.fd(), fd);
  EXPECT_EQ(test::read_file(moved.path()), "x");
  MemoryFile other = std::move(moved);
  EXPECT_EQ(other.fd(), fd);
  EXPECT_EQ(moved.fd(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state
}

TEST(MemoryFile, IsGoneOnceClosed) {
  std::string path;
  {
    auto file = MemoryFile::create("t", "x");
    ASSERT_TRUE(file.ok());
    path = file->path();
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace coltec
