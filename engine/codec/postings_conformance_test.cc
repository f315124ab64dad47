// Conformance suite for postings codecs: every implementation must round-trip random lists, the
// edge cases (one doc, block boundaries, huge frequencies, the largest doc id) and must answer
// corrupt bytes with Corruption, never a crash. Typed over the codec so each new codec is one
// line in the type list. Randomised: STELA_TEST_SEED replays a run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "engine/codec/postings.h"

namespace stela::engine::codec {
namespace {

struct Posting {
  std::uint32_t doc;
  std::vector<std::uint32_t> positions;  // size is the frequency
  std::uint32_t length;
};

struct BlockPackedV1 {
  using Writer = PostingsWriter;
  using Iterator = PostingsIterator;
  static constexpr const char* kName = "block-packed-v1";
};

std::uint64_t Seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("STELA_TEST_SEED");
    const std::uint64_t s = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
    std::printf("postings conformance: STELA_TEST_SEED=%llu\n", static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

template <typename Codec>
class PostingsConformanceTest : public ::testing::Test {
 protected:
  std::string Encode(const std::vector<Posting>& list, bool with_positions) {
    typename Codec::Writer w(with_positions);
    for (const Posting& p : list) {
      EXPECT_TRUE(w.Add(p.doc, static_cast<std::uint32_t>(p.positions.size()), p.positions.data(),
                        p.length)
                      .ok());
    }
    std::string out;
    w.Finish(&out);
    return out;
  }

  void ExpectRoundTrip(const std::vector<Posting>& list, bool with_positions) {
    const std::string bytes = Encode(list, with_positions);
    typename Codec::Iterator it;
    ASSERT_TRUE(it.Init(bytes).ok());
    ASSERT_EQ(it.doc_freq(), list.size());
    std::uint64_t ttf = 0;
    std::vector<std::uint32_t> positions;
    for (const Posting& p : list) {
      ttf += p.positions.size();
      ASSERT_EQ(it.doc(), p.doc);
      ASSERT_EQ(it.freq(), p.positions.size());
      if (with_positions) {
        ASSERT_TRUE(it.Positions(&positions).ok());
        ASSERT_EQ(positions, p.positions);
      }
      it.Next();
    }
    EXPECT_EQ(it.doc(), kNoMoreDocs);
    EXPECT_FALSE(it.Next());
    EXPECT_TRUE(it.status().ok());
    EXPECT_EQ(it.total_term_freq(), ttf);
  }

  static std::vector<Posting> RandomList(std::mt19937_64& rng, std::size_t n, bool dense) {
    std::vector<Posting> list;
    std::uint32_t doc = static_cast<std::uint32_t>(rng() % 100);
    for (std::size_t i = 0; i < n; ++i) {
      Posting p;
      p.doc = doc;
      const std::uint32_t freq = 1 + (rng() % 8 == 0 ? rng() % 50 : rng() % 3);
      std::uint32_t pos = static_cast<std::uint32_t>(rng() % 10);
      for (std::uint32_t k = 0; k < freq; ++k) {
        p.positions.push_back(pos);
        pos += static_cast<std::uint32_t>(rng() % 20);  // equal positions allowed (synonyms)
      }
      p.length = freq + static_cast<std::uint32_t>(rng() % 500);
      list.push_back(std::move(p));
      doc += 1 + static_cast<std::uint32_t>(dense ? rng() % 3 : rng() % 5000);
    }
    return list;
  }
};

using Codecs = ::testing::Types<BlockPackedV1>;
TYPED_TEST_SUITE(PostingsConformanceTest, Codecs);

TYPED_TEST(PostingsConformanceTest, RandomListsRoundTrip) {
  std::mt19937_64 rng(Seed());
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = 1 + rng() % (round % 10 == 0 ? 5000 : 400);
    const bool dense = rng() % 2 == 0;
    const bool positions = rng() % 3 != 0;
    SCOPED_TRACE(::testing::Message() << "round " << round << " n " << n);
    this->ExpectRoundTrip(this->RandomList(rng, n, dense), positions);
  }
}

TYPED_TEST(PostingsConformanceTest, EmptyAndSingleDoc) {
  this->ExpectRoundTrip({}, true);
  this->ExpectRoundTrip({{0, {0}, 1}}, true);
  this->ExpectRoundTrip({{12345, {3, 3, 9}, 40}}, false);
}

TYPED_TEST(PostingsConformanceTest, BlockBoundaries) {
  for (std::size_t n : {127u, 128u, 129u, 255u, 256u, 257u, 1024u}) {
    std::vector<Posting> list;
    for (std::uint32_t i = 0; i < n; ++i) list.push_back({i * 3, {i % 7}, 10});
    this->ExpectRoundTrip(list, true);
  }
}

TYPED_TEST(PostingsConformanceTest, HugeFrequenciesAndPositions) {
  std::vector<std::uint32_t> many(100000);
  for (std::uint32_t i = 0; i < many.size(); ++i) many[i] = i * 40000u;  // up to ~4e9
  this->ExpectRoundTrip({{7, many, 100000}, {8, {0xFFFFFFFFu}, 1}}, true);
}

TYPED_TEST(PostingsConformanceTest, LargestDocIds) {
  this->ExpectRoundTrip({{0, {1}, 1}, {kNoMoreDocs - 1, {1}, 1}}, true);
  std::vector<Posting> top;
  for (std::uint32_t i = 300; i > 0; --i) top.push_back({kNoMoreDocs - i, {0}, 1});
  this->ExpectRoundTrip(top, false);
}

TYPED_TEST(PostingsConformanceTest, AdvanceFindsTheFirstDocAtOrAfterTarget) {
  std::mt19937_64 rng(Seed() + 1);
  const std::vector<Posting> list = this->RandomList(rng, 3000, false);
  const std::string bytes = this->Encode(list, true);
  for (int probe = 0; probe < 300; ++probe) {
    typename TypeParam::Iterator it;
    ASSERT_TRUE(it.Init(bytes).ok());
    std::uint32_t target = 0;
    std::vector<std::uint32_t> positions;
    for (int hop = 0; hop < 5; ++hop) {
      target += static_cast<std::uint32_t>(rng() % 2000000);
      auto expected = std::lower_bound(list.begin(), list.end(), target,
                                       [](const Posting& p, std::uint32_t t) { return p.doc < t; });
      const bool found = it.Advance(target);
      if (expected == list.end()) {
        ASSERT_FALSE(found);
        ASSERT_EQ(it.doc(), kNoMoreDocs);
        break;
      }
      ASSERT_TRUE(found);
      ASSERT_EQ(it.doc(), expected->doc);
      ASSERT_TRUE(it.Positions(&positions).ok());
      ASSERT_EQ(positions, expected->positions);
    }
  }
}

TYPED_TEST(PostingsConformanceTest, BlockMaximaBoundEveryDoc) {
  std::mt19937_64 rng(Seed() + 2);
  const std::vector<Posting> list = this->RandomList(rng, 1000, true);
  const std::string bytes = this->Encode(list, false);
  typename TypeParam::Iterator it;
  ASSERT_TRUE(it.Init(bytes).ok());
  for (const Posting& p : list) {
    const BlockInfo& b = it.blocks()[it.block_index()];
    ASSERT_LE(p.positions.size(), b.max_freq);
    ASSERT_GE(p.length, b.min_length);
    ASSERT_LE(p.doc, b.last_doc);
    it.Next();
  }
}

TYPED_TEST(PostingsConformanceTest, SizesAddUpToTheEncodedBytes) {
  std::mt19937_64 rng(Seed() + 4);
  for (int round = 0; round < 20; ++round) {
    const std::string bytes = this->Encode(this->RandomList(rng, 1 + rng() % 1000, round % 2), true);
    typename TypeParam::Iterator it;
    ASSERT_TRUE(it.Init(bytes).ok());
    PostingsSizes sizes;
    ASSERT_TRUE(it.AddSizes(&sizes).ok());
    EXPECT_EQ(sizes.postings, it.doc_freq());
    EXPECT_EQ(sizes.doc_bytes + sizes.freq_bytes + sizes.position_bytes + sizes.header_bytes,
              bytes.size());
    EXPECT_GT(sizes.position_bytes, 0u);
  }
  // A dense list with frequency 1 everywhere costs only the width bytes: 0 bits per value.
  std::vector<Posting> dense;
  for (std::uint32_t d = 0; d < 1280; ++d) dense.push_back({d, {0}, 1});
  const std::string bytes = this->Encode(dense, false);
  typename TypeParam::Iterator it;
  ASSERT_TRUE(it.Init(bytes).ok());
  PostingsSizes sizes;
  ASSERT_TRUE(it.AddSizes(&sizes).ok());
  EXPECT_EQ(sizes.doc_bytes, 10u);
  EXPECT_EQ(sizes.freq_bytes, 10u);
}

TYPED_TEST(PostingsConformanceTest, WriterRejectsBadInput) {
  typename TypeParam::Writer w(true);
  const std::uint32_t pos[] = {5, 3};
  EXPECT_TRUE(w.Add(4, 0, pos, 1).IsInvalidArgument());
  EXPECT_TRUE(w.Add(4, 2, pos, 1).IsInvalidArgument());  // decreasing positions
  EXPECT_TRUE(w.Add(4, 1, pos, 1).ok());
  EXPECT_TRUE(w.Add(4, 1, pos, 1).IsInvalidArgument());  // same doc twice
  EXPECT_TRUE(w.Add(kNoMoreDocs, 1, pos, 1).IsInvalidArgument());
}

// Every truncation and many random byte flips of valid lists: Corruption or a consistent
// decode, never a crash or an out-of-bounds read (run under ASan to see the latter).
TYPED_TEST(PostingsConformanceTest, CorruptBytesAreReportedNotCrashed) {
  std::mt19937_64 rng(Seed() + 3);
  for (int round = 0; round < 40; ++round) {
    const std::string good = this->Encode(this->RandomList(rng, 1 + rng() % 600, round % 2), true);
    auto drain = [](std::string_view bytes) {
      typename TypeParam::Iterator it;
      Status s = it.Init(bytes);
      if (!s.ok()) {
        EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
        return;
      }
      std::vector<std::uint32_t> positions;
      std::uint32_t last = 0;
      bool first = true;
      while (it.doc() != kNoMoreDocs) {
        EXPECT_TRUE(first || it.doc() > last);
        first = false;
        last = it.doc();
        Status ps = it.Positions(&positions);
        if (!ps.ok()) {
          EXPECT_EQ(ps.code(), Status::Code::kCorruption);
        }
        it.Next();
      }
      if (!it.status().ok()) {
        EXPECT_EQ(it.status().code(), Status::Code::kCorruption);
      }
    };
    for (std::size_t cut = 0; cut < good.size(); cut += 1 + good.size() / 50) {
      drain(std::string_view(good).substr(0, cut));
    }
    for (int flip = 0; flip < 50; ++flip) {
      std::string bad = good;
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      drain(bad);
    }
  }
  typename TypeParam::Iterator it;
  EXPECT_EQ(it.Init("\x09garbage").code(), Status::Code::kCorruption);  // unknown version
}

}  // namespace
}  // namespace stela::engine::codec
