// The power-cut model itself: power_cut_probe runs a known sequence of file operations under the
// shim, and ApplyPowerCut must leave exactly what the model says survives it.
#include "tests/crash/power_cut.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/testing/temp_dir.h"

namespace stela::crashtest {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(PowerCutTest, KeepsWhatWasSyncedAndNothingElse) {
  stela::testing::TempDir tmp;
  fs::create_directories(tmp.Sub("root"));
  const fs::path root = fs::canonical(tmp.Sub("root"));
  const std::string journal = tmp.Sub("journal");
  WriteFile(root / "u", "old u");
  WriteFile(root / "v", "old v");
  WriteFile(root / "w", "untouched");
  FileTree before = SnapshotTree(root.string());
  ASSERT_EQ(before.size(), 3u);

  std::vector<std::string> env = ChildEnvironment(STELA_POWERCUT_SHIM, journal, root.string());
  std::vector<char*> envp = Pointers(env);
  const char* argv[] = {STELA_POWERCUT_PROBE, root.c_str(), nullptr};
  const pid_t pid = fork();
  if (pid == 0) {
    execve(STELA_POWERCUT_PROBE, const_cast<char**>(argv), envp.data());
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "probe status " << status;
  // Before the cut every write is there, as after a SIGKILL.
  EXPECT_EQ(Read(root / "a"), "durable-lost");
  EXPECT_EQ(Read(root / "b"), "never synced");

  const PowerCutReport report = ApplyPowerCut(root.string(), std::move(before), journal);
  ASSERT_EQ(report.error, "");
  EXPECT_GE(report.events, 16u);
  EXPECT_EQ(Read(root / "a"), "durable");
  EXPECT_FALSE(fs::exists(root / "b"));
  EXPECT_FALSE(fs::exists(root / "c"));
  EXPECT_EQ(Read(root / "t"), "renamed");
  EXPECT_FALSE(fs::exists(root / "t.tmp"));
  EXPECT_FALSE(fs::exists(root / "t2"));
  EXPECT_FALSE(fs::exists(root / "u"));
  EXPECT_EQ(Read(root / "v"), "");
  EXPECT_EQ(Read(root / "w"), "untouched");
  EXPECT_EQ(Read(root / "d2" / "g"), "in d2");
  EXPECT_FALSE(fs::exists(root / "d1"));
  EXPECT_EQ(report.truncated, 2u);  // a, v
  EXPECT_EQ(report.removed, 4u);    // b, c, t2, d1/f
}

// A directory fsync covers only names made before it began; a rename over a durable name
// leaves the name (written as the shim would, without running anything).
TEST(PowerCutTest, DirectorySyncsCoverEarlierNamesAndRenamesKeepDurableNames) {
  stela::testing::TempDir tmp;
  fs::create_directories(tmp.Sub("root"));
  const fs::path root = fs::canonical(tmp.Sub("root"));
  WriteFile(root / "CURRENT", "old");
  FileTree before = SnapshotTree(root.string());
  WriteFile(root / "CURRENT", "new");  // what the rename below left there
  WriteFile(root / "early", "e");
  WriteFile(root / "late", "l");
  const std::string r = root.string();
  WriteFile(tmp.Sub("journal"), "C\t" + r + "/early\nS\t" + r + "/early\t1\nB\t1\nC\t" + r +
                                    "/late\nS\t" + r + "/late\t1\nD\t" + r + "\t1\nC\t" + r +
                                    "/CURRENT.tmp\nS\t" + r + "/CURRENT.tmp\t3\nR\t" + r +
                                    "/CURRENT.tmp\t" + r + "/CURRENT\n");
  const PowerCutReport report = ApplyPowerCut(r, std::move(before), tmp.Sub("journal"));
  ASSERT_EQ(report.error, "");
  EXPECT_EQ(Read(root / "early"), "e");
  EXPECT_FALSE(fs::exists(root / "late"));  // made while the directory's fsync ran
  EXPECT_EQ(Read(root / "CURRENT"), "new");
}

TEST(PowerCutTest, RejectsAJournalItCannotRead) {
  stela::testing::TempDir tmp;
  fs::create_directories(tmp.Sub("root"));
  const std::string root = fs::canonical(tmp.Sub("root")).string();
  WriteFile(tmp.Sub("journal"), "S\t" + root + "/x\n");  // no size
  const PowerCutReport report = ApplyPowerCut(root, {}, tmp.Sub("journal"));
  EXPECT_NE(report.error, "");
}

}  // namespace
}  // namespace stela::crashtest
