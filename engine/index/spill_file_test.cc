#include "engine/index/spill_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <vector>

#include "engine/testing/seed.h"
#include "engine/testing/temp_dir.h"

namespace stela::engine::index {
namespace {

TEST(SpillFileTest, ReadsBackWhatWasAppendedInAnyOrder) {
  const std::uint64_t seed = stela::testing::TestSeed("spill file");
  std::mt19937_64 rng(seed);
  stela::testing::TempDir dir;
  auto file = SpillFile::Create(dir.path());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  // Records small and large (some past the 1 MiB write buffer), empty ones too.
  std::vector<std::string> records;
  std::vector<std::uint64_t> offsets;
  for (int i = 0; i < 300; ++i) {
    const std::size_t size = i % 50 == 7 ? (1 << 20) + rng() % 5000 : rng() % 3000;
    std::string r(size, '\0');
    for (char& c : r) c = static_cast<char>(rng());
    auto at = (*file)->Append(r);
    ASSERT_TRUE(at.ok());
    offsets.push_back(*at);
    records.push_back(std::move(r));
  }
  std::vector<std::size_t> order(records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::string got;
  for (std::size_t i : order) {
    ASSERT_TRUE((*file)->Read(offsets[i], records[i].size(), &got).ok()) << i;
    EXPECT_EQ(got, records[i]) << i;
  }
  // Appending after reading, and reading what is still buffered.
  auto at = (*file)->Append("tail");
  ASSERT_TRUE(at.ok());
  ASSERT_TRUE((*file)->Read(*at, 4, &got).ok());
  EXPECT_EQ(got, "tail");
  EXPECT_EQ((*file)->Read(*at, 5, &got).code(), Status::Code::kInvalidArgument);
  // The file has no name: the directory shows nothing.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(SpillFileTest, MissingDirectoryIsAnIOError) {
  auto file = SpillFile::Create("/nonexistent/stela-spill-test");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace stela::engine::index
