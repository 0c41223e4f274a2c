// The sync-root rules as the disk resolves paths: symlinks are followed before judging.

#include <filesystem>

#include <gtest/gtest.h>

#include <coltec/local_tree.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

class SyncRootCheck : public ::testing::Test {
 protected:
  test::TempDir m_tmp{"coltec-roots"};
  std::string m_state = m_tmp.path("state/ws");
  Action action(const std::string& local) const {
    Action a;
    a.name = "a";
    a.local_path = local;
    a.remote_name = "r";
    a.remote_type = "s3";
    a.remote_path = "bucket/a";
    return a;
  }
  void SetUp() override { fs::create_directories(m_state); }
};

TEST_F(SyncRootCheck, AnOrdinaryFolderMayRunExistingOrNot) {
  fs::create_directories(m_tmp.path("work"));
  EXPECT_EQ(sync_root_problem(action(m_tmp.path("work")), m_state), std::nullopt);
  EXPECT_EQ(sync_root_problem(action(m_tmp.path("not/yet")), m_state), std::nullopt);
}

TEST_F(SyncRootCheck, ASymlinkToTheRootIsRefused) {
  fs::create_symlink("/", m_tmp.path("everything"));
  const auto why = sync_root_problem(action(m_tmp.path("everything")), m_state);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("(/ once symlinks are followed) resolves to /, the root of the file system"),
            std::string::npos)
      << *why;
}

TEST_F(SyncRootCheck, SymlinksIntoSystemFoldersAndAboveThemAreFollowed) {
  fs::create_symlink("/etc", m_tmp.path("conf"));
  EXPECT_TRUE(sync_root_problem(action(m_tmp.path("conf")), m_state).has_value());
  // A missing folder below a link: the existing part is resolved, the rest is text.
  EXPECT_TRUE(sync_root_problem(action(m_tmp.path("conf/new")), m_state).has_value());
  fs::create_symlink("/usr/share", m_tmp.path("share"));
  EXPECT_TRUE(sync_root_problem(action(m_tmp.path("share/../..")), m_state).has_value());
}

TEST_F(SyncRootCheck, TheStateDirectoryIsProtectedThroughLinksToo) {
  fs::create_symlink(m_state, m_tmp.path("state-link"));
  EXPECT_TRUE(sync_root_problem(action(m_tmp.path("state-link")), m_state).has_value());
  const auto holds = sync_root_problem(action(m_tmp.str()), m_state);
  ASSERT_TRUE(holds.has_value());
  EXPECT_NE(holds->find("holds the daemon's state directory"), std::string::npos) << *holds;
}

TEST_F(SyncRootCheck, ALocalRemotesFolderIsJudgedToo) {
  fs::create_symlink("/", m_tmp.path("remote-root"));
  auto a = action(m_tmp.path("work"));
  a.remote_type = "local";
  a.remote_path = m_tmp.path("remote-root");
  const auto why = sync_root_problem(a, m_state);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->rfind("refusing to sync: the remote folder ", 0), 0U) << *why;
  a.remote_type = "crypt";  // a crypt remote's path is not a local folder
  EXPECT_EQ(sync_root_problem(a, m_state), std::nullopt);
}

}  // namespace
}  // namespace coltec
