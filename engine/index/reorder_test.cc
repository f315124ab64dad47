#include "engine/index/reorder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "engine/testing/seed.h"

namespace stela::engine::index {
namespace {

std::uint64_t Seed() {
  static const std::uint64_t seed = stela::testing::TestSeed("reorder");
  return seed;
}

std::vector<std::uint32_t> Identity(std::uint32_t n) {
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  return order;
}

void ExpectPermutation(const std::vector<std::uint32_t>& order, std::uint32_t n) {
  ASSERT_EQ(order.size(), n);
  std::vector<std::uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, Identity(n));
}

// Docs drawn from `topics` topics, each with its own vocabulary, interleaved at random; every doc
// also holds a few words all topics share. topic_of[d] says which topic doc d came from.
DocTerms TopicDocs(std::uint32_t n, std::uint32_t topics, std::mt19937_64& rng,
                   std::vector<std::uint32_t>* topic_of) {
  constexpr std::uint32_t kVocabulary = 200, kShared = 50, kWords = 20, kSharedWords = 5;
  DocTerms docs;
  docs.num_terms = topics * kVocabulary + kShared;
  for (std::uint32_t d = 0; d < n; ++d) {
    const std::uint32_t topic = static_cast<std::uint32_t>(rng() % topics);
    topic_of->push_back(topic);
    std::set<std::uint32_t> terms;
    while (terms.size() < kWords) terms.insert(topic * kVocabulary + rng() % kVocabulary);
    while (terms.size() < kWords + kSharedWords) terms.insert(topics * kVocabulary + rng() % kShared);
    docs.terms.insert(docs.terms.end(), terms.begin(), terms.end());
    docs.offsets.push_back(docs.terms.size());
  }
  return docs;
}

TEST(ReorderTest, GroupsDocsThatShareTerms) {
  std::mt19937_64 rng(Seed());
  std::vector<std::uint32_t> topic_of;
  const DocTerms docs = TopicDocs(4000, 4, rng, &topic_of);
  const std::vector<std::uint32_t> order = BisectionOrder(docs, {});
  ExpectPermutation(order, docs.num_docs());
  // Interleaved at random, neighbours differ in topic 3 times in 4 (about 3000 times); grouped,
  // only where a topic's edge falls inside a smallest partition, which keeps its input order.
  std::uint32_t changes = 0;
  for (std::size_t p = 1; p < order.size(); ++p) {
    changes += topic_of[order[p]] != topic_of[order[p - 1]];
  }
  EXPECT_LT(changes, 200u);
  const double before = LogGapBits(docs, Identity(docs.num_docs()));
  const double after = LogGapBits(docs, order);
  EXPECT_LT(after, 0.8 * before) << before << " -> " << after;
}

TEST(ReorderTest, SameInputSameOrder) {
  std::mt19937_64 rng(Seed() + 1);
  std::vector<std::uint32_t> topic_of;
  const DocTerms docs = TopicDocs(1000, 3, rng, &topic_of);
  EXPECT_EQ(BisectionOrder(docs, {}), BisectionOrder(docs, {}));
}

TEST(ReorderTest, EdgeCases) {
  DocTerms empty;
  EXPECT_TRUE(BisectionOrder(empty, {}).empty());
  // Docs without terms, one doc, fewer docs than a partition: every order is a permutation.
  for (std::uint32_t n : {1u, 2u, 3u, 63u, 64u, 65u, 500u}) {
    DocTerms docs;
    docs.num_terms = 3;
    for (std::uint32_t d = 0; d < n; ++d) {
      if (d % 3 == 0) docs.terms.push_back(d % 2);
      if (d % 5 == 0) docs.terms.push_back(2);
      docs.offsets.push_back(docs.terms.size());
    }
    ExpectPermutation(BisectionOrder(docs, {}), n);
    ExpectPermutation(BisectionOrder(docs, {.max_iterations = 3, .min_partition = 1}), n);
  }
}

TEST(ReorderTest, AbortLeavesAPermutation) {
  std::mt19937_64 rng(Seed() + 2);
  std::vector<std::uint32_t> topic_of;
  const DocTerms docs = TopicDocs(2000, 4, rng, &topic_of);
  const std::atomic<bool> abort{true};
  const std::vector<std::uint32_t> order = BisectionOrder(docs, {.abort = &abort});
  ExpectPermutation(order, docs.num_docs());
  EXPECT_EQ(order, Identity(docs.num_docs()));  // stopped before the first split
}

TEST(ReorderTest, LogGapBitsCountsGaps) {
  DocTerms docs;
  docs.num_terms = 1;
  // The term in docs 0 and 3: positions 0 and 3 under identity (gaps 1 and 3), 0 and 1 when
  // doc 3 moves next to doc 0 (gaps 1 and 1).
  for (std::uint32_t d = 0; d < 4; ++d) {
    if (d == 0 || d == 3) docs.terms.push_back(0);
    docs.offsets.push_back(docs.terms.size());
  }
  EXPECT_DOUBLE_EQ(LogGapBits(docs, {0, 1, 2, 3}), std::log2(3.0));
  EXPECT_DOUBLE_EQ(LogGapBits(docs, {0, 3, 1, 2}), 0.0);
}

}  // namespace
}  // namespace stela::engine::index
