#include "engine/common/sync_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace stela {
namespace {

namespace fs = std::filesystem;

TEST(SyncDirectoryTest, SyncsDirectoriesAndReportsWhatItCannotSync) {
  const fs::path dir = fs::temp_directory_path() / ("stela-sync-" + std::to_string(::getpid()));
  fs::create_directories(dir / "inner");
  std::ofstream(dir / "inner" / "file") << "x";
  EXPECT_TRUE(SyncDirectory(dir.string()).ok());
  EXPECT_TRUE(SyncParentDirectory((dir / "inner").string()).ok());
  EXPECT_TRUE(SyncParentDirectory((dir / "inner" / "").string()).ok());  // trailing slash
  EXPECT_TRUE(SyncParentDirectory("relative-name").ok());                // the working directory
  const Status missing = SyncDirectory((dir / "missing").string());
  EXPECT_TRUE(missing.code() == Status::Code::kIOError) << missing.ToString();
  EXPECT_NE(missing.ToString().find("missing"), std::string::npos);
  const Status file = SyncDirectory((dir / "inner" / "file").string());  // not a directory
  EXPECT_TRUE(file.code() == Status::Code::kIOError) << file.ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace stela
