// The metrics file: written atomically, mode 0644 whatever the umask, no leftovers.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <coltec/metrics_file.hpp>

#include "fakes/test_files.hpp"

namespace coltec {
namespace {

namespace fs = std::filesystem;

class MetricsFileTest : public ::testing::Test {
 protected:
  test::TempDir m_tmp{"coltec-metrics"};
  std::string m_dir = m_tmp.str();
};

TEST_F(MetricsFileTest, WritesAtomicallyWithMode0644AndNoLeftovers) {
  const std::string path = m_dir + "/coltec.prom";
  ASSERT_TRUE(write_metrics_file(path, "old\n").ok());
  const mode_t old_mask = ::umask(077);  // the mode must not depend on the umask
  const Status written = write_metrics_file(path, "coltec_watches 1\n");
  ::umask(old_mask);
  ASSERT_TRUE(written.ok()) << written.error().message;
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "coltec_watches 1\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(m_dir)) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"coltec.prom"});
}

TEST_F(MetricsFileTest, MissingDirectoryAndEmptyPathFail) {
  const Status missing = write_metrics_file(m_dir + "/no/such/dir/coltec.prom", "x\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no/such/dir"), std::string::npos);
  EXPECT_FALSE(write_metrics_file("", "x\n").ok());
}

}  // namespace
}  // namespace coltec
