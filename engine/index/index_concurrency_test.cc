// Writers, searchers and refreshes at once. Run under ThreadSanitizer with the tsan preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <thread>

#include "engine/check/check_index.h"
#include "engine/testing/temp_dir.h"
#include "stela/engine/index.h"

namespace stela::engine {
namespace {

TEST(IndexConcurrencyTest, WritersSearchersAndRefreshesAgree) {
  auto registry = std::move(analyzers::Registry::CreateBuiltin()).value();
  stela::testing::TempDir dir;
  constexpr int kWriters = 3, kDocsPerWriter = 400;
  {
    IndexOptions options;
    options.max_buffer_bytes = 64 << 10;  // size-triggered refreshes from writer threads too
    options.reorder_min_docs = 20;        // merges reorder docs while writers replace them
    auto opened = Index::Open(dir.Sub("shard"), options, *registry);
    ASSERT_TRUE(opened.ok());
    Index& index = **opened;
    std::atomic<bool> done{false};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        for (int k = 0; k < kDocsPerWriter; ++k) {
          const std::string id = std::to_string(w) + "-" + std::to_string(k);
          const std::string doc = R"({"body": "shared words writer)" + std::to_string(w) +
                                  R"(", "k": )" + std::to_string(k) + "}";
          if (!index.IndexDocument(id, doc).ok()) ++errors;
          if (k % 10 == 5) {  // replace an earlier doc
            const std::string old = std::to_string(w) + "-" + std::to_string(k - 5);
            if (!index.UpdateDocument(old, R"({"updated": true})", false).ok()) ++errors;
          }
        }
      });
    }
    threads.emplace_back([&] {
      while (!done) {
        if (!index.Refresh().ok()) ++errors;
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
      }
    });
    for (int s = 0; s < 2; ++s) {
      threads.emplace_back([&] {
        std::uint64_t last = 0;
        while (!done) {
          auto snap = index.AcquireSnapshot();
          const std::uint64_t n = snap->doc_count();
          if (n < last) ++errors;  // only inserts and replacements: never shrinks
          last = n;
          auto ids = snap->MatchingIds("body", "share");
          if (!ids.ok() || ids->size() != n) {
            std::fprintf(stderr, "snapshot of %llu live docs in %zu segments: %s\n",
                         static_cast<unsigned long long>(n), snap->segment_count(),
                         ids.ok() ? (std::to_string(ids->size()) + " match [share]").c_str()
                                  : ids.status().ToString().c_str());
            ++errors;
            continue;
          }
          // A searchable document is always gettable (realtime get never goes backwards).
          if (std::find(ids->begin(), ids->end(), "0-0") != ids->end()) {
            auto got = index.Get("0-0");
            if (!got.ok()) {
              std::fprintf(stderr, "get 0-0 after it was searchable: %s\n",
                           got.status().ToString().c_str());
              ++errors;
            }
          }
        }
      });
    }
    for (int w = 0; w < kWriters; ++w) threads[w].join();
    done = true;
    for (std::size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
    EXPECT_EQ(errors.load(), 0);
    ASSERT_TRUE(index.Refresh().ok());
    EXPECT_EQ(index.AcquireSnapshot()->doc_count(), std::uint64_t{kWriters * kDocsPerWriter});
    auto updated = index.Get("1-0");
    ASSERT_TRUE(updated.ok());
    EXPECT_NE(updated->source.find("\"updated\":true"), std::string::npos) << updated->source;
  }
  auto report = CheckIndex(dir.Sub("shard"));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->Summary();
  EXPECT_EQ(report->live_docs, std::uint64_t{kWriters * kDocsPerWriter});
}

}  // namespace
}  // namespace stela::engine
