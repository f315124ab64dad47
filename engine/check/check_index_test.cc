#include "engine/check/check_index.h"

#include <gtest/gtest.h>

#include "engine/index/keys.h"
#include "engine/store/store.h"
#include "engine/testing/temp_dir.h"
#include "stela/engine/index.h"

namespace stela::engine {
namespace {

class CheckIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::move(analyzers::Registry::CreateBuiltin()).value();
    IndexOptions options;
    options.refresh_interval_ms = 0;  // the last write must stay in the log only
    options.background_merges = false;
    auto idx = Index::Open(dir_.Sub("shard"), options, *registry_);
    ASSERT_TRUE(idx.ok());
    auto& index = *idx;
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(index->IndexDocument("d" + std::to_string(i),
                                       R"({"body": "word)" + std::to_string(i % 7) +
                                           R"( common text", "n": )" + std::to_string(i) + "}")
                      .ok());
      if (i % 100 == 99) {
        ASSERT_TRUE(index->Refresh().ok());
      }
    }
    ASSERT_TRUE(index->DeleteDocument("d5").ok());
    ASSERT_TRUE(index->IndexDocument("d6", R"({"body": "replaced"})").ok());
    ASSERT_TRUE(index->Refresh().ok());
    ASSERT_TRUE(index->IndexDocument("late", R"({"body": "only in the log"})").ok());
  }

  stela::testing::TempDir dir_;
  std::unique_ptr<analyzers::Registry> registry_;
};

TEST_F(CheckIndexTest, ASoundIndexPasses) {
  auto report = CheckIndex(dir_.Sub("shard"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->Summary();
  EXPECT_EQ(report->segments, 4u);
  EXPECT_EQ(report->live_docs, 299u);
  EXPECT_EQ(report->pending_ops, 1u);
  EXPECT_GT(report->postings, 300u);
}

TEST_F(CheckIndexTest, FindsCorruptPostingsAndBrokenIdMaps) {
  {
    auto st = store::Store::Open(dir_.Sub("shard"), store::StoreOptions{});
    ASSERT_TRUE(st.ok());
    store::WriteBatch batch(**st);
    // A term of segment 1 whose postings are garbage, and an id pointing nowhere.
    batch.Put(store::Cf::kTerms, index::keys::Term(1, 0, "zzzz"), "\x01\x00\x05garbage");
    batch.Put(store::Cf::kIds, "ghost", std::string("\x01\x00\x00\x00\x01\x00\x00\x7f\x00\x01\x01\x01", 12));
    ASSERT_TRUE((*st)->Write(batch, true).ok());
  }
  auto report = CheckIndex(dir_.Sub("shard"));
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  const std::string summary = report->Summary();
  EXPECT_NE(summary.find("term in segment 1"), std::string::npos) << summary;
  EXPECT_NE(summary.find("id [ghost]"), std::string::npos) << summary;
}

TEST_F(CheckIndexTest, MissingIndexIsAnError) {
  EXPECT_FALSE(CheckIndex(dir_.Sub("nothing-here")).ok());
}

}  // namespace
}  // namespace stela::engine
