// Which folders a sync may never use: the root, the system's folders, the daemon's state.

#include <gtest/gtest.h>

#include <coltec/sync_roots.hpp>

namespace coltec {
namespace {

bool refused(std::string_view path, std::string_view state = "") {
  return sync_root_refusal(path, state).has_value();
}

TEST(SyncRoots, NormalisesByTextAlone) {
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(normalize_path("//"), "/");
  EXPECT_EQ(normalize_path("/x/../.."), "/");
  EXPECT_EQ(normalize_path("/a/./b//c/"), "/a/b/c");
  EXPECT_EQ(normalize_path("/a/b/../../../etc/./"), "/etc");
  EXPECT_EQ(normalize_path("/a/..b/.c"), "/a/..b/.c");
  EXPECT_EQ(normalize_path("rel/../x"), "rel/../x");  // relative: not ours to judge
}

TEST(SyncRoots, TheRootIsRefusedHoweverItIsSpelled) {
  for (const auto* p : {"/", "//", "/.", "/x/../..", "/workspace/../", "/..", "/./x/.."}) {
    const auto why = system_folder_refusal(p);
    ASSERT_TRUE(why.has_value()) << p;
    EXPECT_EQ(why->rfind("resolves to /, the root of the file system", 0), 0U) << *why;
  }
}

TEST(SyncRoots, SystemSubtreesAreRefusedWithEverythingBelowThem) {
  for (const auto* p : {"/etc", "/etc/ssh", "/usr", "/usr/local/bin", "/proc/self", "/sys",
                        "/dev/shm", "/run/secrets", "/boot", "/bin", "/lib64", "/x/../etc/"}) {
    EXPECT_TRUE(refused(p)) << p;
  }
  EXPECT_EQ(*system_folder_refusal("/etc"),
            "is the system folder /etc, which a sync must never overwrite or empty");
  EXPECT_EQ(system_folder_refusal("/dev/shm")->rfind("lies in the system folder /dev,", 0), 0U);
}

TEST(SyncRoots, FoldersPeopleOwnSubfoldersOfAreRefusedOnlyThemselves) {
  for (const auto* p : {"/home", "/root", "/var", "/var/lib", "/var/log", "/tmp", "/opt", "/srv",
                        "/mnt", "/media", "/home/"}) {
    EXPECT_TRUE(refused(p)) << p;
  }
  for (const auto* p :
       {"/home/vscode", "/root/.config", "/var/log/app", "/var/lib/app", "/tmp/demo", "/opt/tool",
        "/workspace", "/workspace/code", "/etcetera", "/usr2", "/data"}) {
    EXPECT_FALSE(refused(p)) << p;
  }
}

TEST(SyncRoots, TheMessageNamesTheListedFolderNotTheInput) {
  const auto why = system_folder_refusal("/etc/../etc/wJalrXUtnFEMI");
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->find("wJalr"), std::string::npos) << *why;
}

TEST(SyncRoots, TheStateDirectoryIsNeitherSyncedNorHeld) {
  const std::string state = "/home/vscode/.local/share/coltec-daemon/ws";
  EXPECT_TRUE(refused(state, state));
  EXPECT_TRUE(refused(state + "/bisync", state));
  EXPECT_TRUE(refused(state + "/", state));
  EXPECT_TRUE(refused("/home/vscode", state));             // holds it
  EXPECT_TRUE(refused("/home/vscode/.local/../", state));  // holds it, spelled oddly
  EXPECT_FALSE(refused("/home/vscode/code", state));
  EXPECT_FALSE(refused("/home/vscode/.local/share/coltec-daemon/wsx", state));
  EXPECT_FALSE(refused("/home/vscode", ""));  // no state given: only the system rules
  EXPECT_NE(sync_root_refusal("/home/vscode", state)->find("COLTEC_STATE_DIR"), std::string::npos);
  EXPECT_EQ(sync_root_refusal(state, state)->rfind("is the daemon's state directory", 0), 0U);
}

TEST(SyncRoots, TheListIsAbsoluteAndNormalised) {
  for (const auto& f : system_folders()) {
    EXPECT_EQ(normalize_path(f.path), f.path);
    EXPECT_NE(f.path, "/");
  }
}

}  // namespace
}  // namespace coltec
