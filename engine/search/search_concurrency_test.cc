// Searches (scoring, pruning, sorting, aggregations, highlighting) on snapshots while writers
// add and replace documents and background merges rewrite segments. Also run under
// ThreadSanitizer (scripts/test.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/testing/temp_dir.h"
#include "stela/engine/index.h"
#include "stela/engine/search.h"

namespace stela::engine {
namespace {

TEST(SearchConcurrencyTest, SearchesAgreeWithTheirSnapshotDuringWritesAndMerges) {
  auto registry = std::move(analyzers::Registry::CreateBuiltin()).value();
  stela::testing::TempDir dir;
  IndexOptions options;
  options.durability = Durability::kAsync;
  options.refresh_interval_ms = 5;
  options.merge_factor = 3;
  options.mappings_json =
      R"({"properties": {"body": {"type": "text"}, "tag": {"type": "keyword"}, "n": {"type": "long"}}})";
  auto opened = Index::Open(dir.Sub("shard"), options, *registry);
  ASSERT_TRUE(opened.ok());
  Index& index = **opened;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0}, searches{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int k = 0; k < 600; ++k) {
        const std::string id = std::to_string(w) + "-" + std::to_string(k % 400);
        const std::string doc = R"({"body": "alpha beta gamma word)" + std::to_string(k % 7) +
                                R"(", "tag": "t)" + std::to_string(k % 5) + R"(", "n": )" +
                                std::to_string(k) + "}";
        if (!index.IndexDocument(id, doc).ok()) ++errors;
      }
    });
  }
  auto request = [](const char* body) { return std::move(ParseSearchRequest(body)).value(); };
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      const SearchRequest all = request(R"({"track_total_hits": true, "size": 3})");
      const SearchRequest top = request(
          R"({"query": {"match": {"body": "alpha word3"}}, "size": 5, "track_total_hits": false,
              "highlight": {"fields": {"body": {}}}})");
      const SearchRequest sorted = request(
          R"({"sort": [{"n": "desc"}], "size": 4, "aggs": {"t": {"terms": {"field": "tag"}}}})");
      while (!done) {
        auto snap = index.AcquireSnapshot();
        const std::uint64_t n = snap->doc_count();
        auto r = Search(*snap, all);
        if (!r.ok() || r->total != n) ++errors;
        auto t = Search(*snap, top);
        if (!t.ok()) ++errors;
        auto so = Search(*snap, s == 0 ? sorted : top);
        if (!so.ok()) ++errors;
        auto c = Count(*snap, nullptr);
        if (!c.ok() || *c != n) ++errors;
        ++searches;
      }
    });
  }
  for (int w = 0; w < 2; ++w) threads[static_cast<std::size_t>(w)].join();
  ASSERT_TRUE(index.Refresh().ok());
  done = true;
  for (std::size_t i = 2; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(searches.load(), 0);
  auto snap = index.AcquireSnapshot();
  EXPECT_EQ(snap->doc_count(), 800u);
  auto r = Search(*snap, request(R"({"query": {"term": {"tag": "t0"}}, "track_total_hits": true})"));
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->total, 0u);
}

}  // namespace
}  // namespace stela::engine
