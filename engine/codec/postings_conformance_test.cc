// Conformance suite for postings codecs: every implementation must round-trip random lists, the
// edge cases (one doc, block boundaries, huge frequencies, the largest doc id) and must answer
// corrupt bytes with Corruption, never a crash. Typed over the codec so each new codec is one
// line in the type list. Randomised: STELA_TEST_SEED replays a run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "engine/codec/postings.h"
#include "engine/common/bitpack.h"
#include "engine/common/interpolative.h"
#include "engine/testing/seed.h"

namespace stela::engine::codec {
namespace {

struct Posting {
  std::uint32_t doc;
  std::vector<std::uint32_t> positions;  // size is the frequency
  std::uint32_t length;
};

struct BlockPackedV4 {
  using Writer = PostingsWriter;
  using Iterator = PostingsIterator;
  static constexpr const char* kName = "block-packed-v4";
};

std::uint64_t Seed() {
  static const std::uint64_t seed = stela::testing::TestSeed("postings conformance");
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
    const StatusOr<std::uint32_t> peeked = DocFreq(bytes);
    ASSERT_TRUE(peeked.ok());
    EXPECT_EQ(*peeked, list.size());
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

using Codecs = ::testing::Types<BlockPackedV4>;
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
  // A dense list with frequency 1 everywhere costs only the frequencies' width bytes: 0 bits per
  // value, and no doc id bytes at all (consecutive docs are implied by the block bounds).
  std::vector<Posting> dense;
  for (std::uint32_t d = 0; d < 1280; ++d) dense.push_back({d, {0}, 1});
  const std::string bytes = this->Encode(dense, false);
  typename TypeParam::Iterator it;
  ASSERT_TRUE(it.Init(bytes).ok());
  PostingsSizes sizes;
  ASSERT_TRUE(it.AddSizes(&sizes).ok());
  EXPECT_EQ(sizes.doc_bytes, 0u);
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
  EXPECT_EQ(DocFreq("\x09garbage").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(DocFreq("").status().code(), Status::Code::kCorruption);
}

// Format versions 1 to 3, written by hand from FORMAT.md's description (not with the writer,
// which writes version 4): indexes written before version 4 must stay readable.
std::string EncodeOld(const std::vector<Posting>& list, bool with_positions, int version) {
  const bool v1 = version == 1;
  std::string out, headers, bodies;
  std::uint64_t ttf = 0;
  for (const Posting& p : list) ttf += p.positions.size();
  const std::size_t blocks = (list.size() + kBlockSize - 1) / kBlockSize;
  if (v1) {
    out.push_back(1);
    out.push_back(with_positions ? 1 : 0);
    PutVarint32(&out, static_cast<std::uint32_t>(list.size()));
    PutVarint64(&out, ttf);
    PutVarint32(&out, static_cast<std::uint32_t>(blocks));
  } else if (version == 2) {
    out.push_back(with_positions ? 3 : 2);
    PutVarint32(&out, static_cast<std::uint32_t>(list.size()));
    PutVarint64(&out, ttf - list.size());
  } else {
    out.push_back(with_positions ? 5 : 4);
    PutVarint32(&out, static_cast<std::uint32_t>(list.size()));
    PutVarint64(&out, ttf - list.size());
  }
  std::int64_t prev_last = -1;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kBlockSize, count = std::min<std::size_t>(kBlockSize, list.size() - begin);
    std::string body;
    std::uint32_t gaps[kBlockSize], freqs[kBlockSize], max_freq = 0, min_length = ~0u;
    std::int64_t prev = prev_last;
    for (std::size_t i = 0; i < count; ++i) {
      const Posting& p = list[begin + i];
      gaps[i] = static_cast<std::uint32_t>(p.doc - prev - 1);
      prev = p.doc;
      freqs[i] = static_cast<std::uint32_t>(p.positions.size()) - 1;
      max_freq = std::max<std::uint32_t>(max_freq, freqs[i] + 1);
      min_length = std::min(min_length, p.length);
    }
    if (count > 1) {
      for (std::uint32_t* values : {gaps, freqs}) {
        if (version == 3) {
          PackPatched(values, count, &body);
          continue;
        }
        const int bits = MaxBits(values, count);
        body.push_back(static_cast<char>(bits));
        PackBits(values, count, bits, &body);
      }
    }
    std::vector<std::uint32_t> deltas;  // version 3: all the block's positions, patched
    for (std::size_t i = 0; i < count && version == 3; ++i) {
      std::uint32_t last = 0;
      for (std::uint32_t pos : list[begin + i].positions) {
        deltas.push_back(pos - last);
        last = pos;
      }
    }
    if (with_positions && deltas.size() >= kPatchedPositionsMin) {
      for (std::size_t at = 0; at < deltas.size(); at += kPositionChunk) {
        PackPatched(deltas.data() + at, std::min<std::size_t>(kPositionChunk, deltas.size() - at),
                    &body);
      }
    } else if (with_positions) {
      for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t last = 0;
        for (std::uint32_t pos : list[begin + i].positions) {
          PutVarint32(&body, pos - last);
          last = pos;
        }
      }
    }
    const std::uint32_t last_doc = list[begin + count - 1].doc;
    PutVarint32(&headers, static_cast<std::uint32_t>(last_doc - (prev_last + 1)));
    if (v1 || b + 1 < blocks) PutVarint32(&headers, static_cast<std::uint32_t>(body.size()));
    if (v1 || list.size() > 1) PutVarint32(&headers, max_freq);
    PutVarint32(&headers, min_length);
    bodies += body;
    prev_last = last_doc;
  }
  return out + headers + bodies;
}

TEST(PostingsFormatTest, ReadsVersion1To3Lists) {
  std::mt19937_64 rng(Seed() + 5);
  for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{128}, std::size_t{129},
                              std::size_t{700}}) {
    for (const int version : {1, 2, 3}) {
      for (const bool with_positions : {true, false}) {
        std::vector<Posting> list;
        std::uint32_t doc = static_cast<std::uint32_t>(rng() % 50);
        for (std::size_t i = 0; i < n; ++i) {
          Posting p{doc, {}, 3 + static_cast<std::uint32_t>(rng() % 90)};
          const std::uint32_t freq = 1 + static_cast<std::uint32_t>(rng() % 4);
          for (std::uint32_t k = 0; k < freq; ++k) p.positions.push_back(k * 3 + 1);
          list.push_back(std::move(p));
          doc += 1 + static_cast<std::uint32_t>(rng() % 300);
        }
        const std::string old = EncodeOld(list, with_positions, version);
        PostingsWriter writer(with_positions);
        for (const Posting& p : list) {
          ASSERT_TRUE(writer.Add(p.doc, static_cast<std::uint32_t>(p.positions.size()),
                                 p.positions.data(), p.length).ok());
        }
        std::string current;
        writer.Finish(&current);
        PostingsIterator a, b;
        ASSERT_TRUE(a.Init(old).ok()) << n << " v" << version;
        ASSERT_TRUE(b.Init(current).ok()) << n;
        PostingsSizes old_sizes, current_sizes;
        ASSERT_TRUE(a.AddSizes(&old_sizes).ok()) << n << " v" << version;
        ASSERT_TRUE(b.AddSizes(&current_sizes).ok()) << n;
        EXPECT_EQ(old_sizes.postings, current_sizes.postings);
        if (version == 1) {  // version 2 dropped the header fields that can be derived
          EXPECT_LT(current_sizes.header_bytes, old_sizes.header_bytes) << n;
        }
        if (version == 3 && n > 1) {  // same positions and frequencies, other doc ids
          EXPECT_EQ(current_sizes.freq_bytes, old_sizes.freq_bytes) << n;
          EXPECT_EQ(current_sizes.position_bytes, old_sizes.position_bytes) << n;
        }
        EXPECT_EQ(a.doc_freq(), b.doc_freq());
        EXPECT_EQ(a.total_term_freq(), b.total_term_freq());
        EXPECT_EQ(a.has_positions(), with_positions);
        ASSERT_EQ(a.blocks().size(), b.blocks().size());
        for (std::size_t k = 0; k < a.blocks().size(); ++k) {
          EXPECT_EQ(a.blocks()[k].last_doc, b.blocks()[k].last_doc);
          EXPECT_EQ(a.blocks()[k].max_freq, b.blocks()[k].max_freq);
          EXPECT_EQ(a.blocks()[k].min_length, b.blocks()[k].min_length);
        }
        std::vector<std::uint32_t> pa, pb;
        for (const Posting& p : list) {
          ASSERT_EQ(a.doc(), p.doc);
          ASSERT_EQ(b.doc(), p.doc);
          ASSERT_EQ(a.freq(), p.positions.size());
          ASSERT_EQ(b.freq(), p.positions.size());
          if (with_positions) {
            ASSERT_TRUE(a.Positions(&pa).ok());
            ASSERT_TRUE(b.Positions(&pb).ok());
            EXPECT_EQ(pa, p.positions);
            EXPECT_EQ(pb, p.positions);
          }
          a.Next();
          b.Next();
        }
        EXPECT_EQ(a.doc(), kNoMoreDocs);
        EXPECT_EQ(b.doc(), kNoMoreDocs);
        EXPECT_TRUE(a.status().ok());
      }
    }
  }
}

TEST(PostingsFormatTest, PatchedPackingPaysForOutliersOnly) {
  // 127 small gaps and one huge one: plain bit packing would spend 24 bits on every value.
  std::uint32_t values[128];
  for (std::uint32_t i = 0; i < 128; ++i) values[i] = i % 7;
  values[77] = 5'000'000;
  std::string packed;
  PackPatched(values, 128, &packed);
  EXPECT_LT(packed.size(), PackedBytes(128, 3) + 10);
  std::uint32_t back[128];
  ASSERT_EQ(UnpackPatched(packed.data(), packed.size(), 128, back), packed.size());
  EXPECT_TRUE(std::equal(values, values + 128, back));
  EXPECT_EQ(PatchedBytes(packed.data(), packed.size(), 128), packed.size());
  // Without outliers it is plain packing behind one width byte.
  for (std::uint32_t& v : values) v = 3;
  packed.clear();
  PackPatched(values, 128, &packed);
  EXPECT_EQ(packed.size(), 1 + PackedBytes(128, 2));
}

TEST(PostingsFormatTest, PatchedPackingRoundTripsAndRejectsBadBytes) {
  std::mt19937_64 rng(Seed() + 7);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = rng() % 256;
    std::uint32_t values[255], back[255];
    const int scale = static_cast<int>(rng() % 33);
    for (std::size_t i = 0; i < n; ++i) {
      values[i] = static_cast<std::uint32_t>(rng() & (scale == 32 ? 0xFFFFFFFFu : (1u << scale) - 1));
      if (rng() % 20 == 0) values[i] = static_cast<std::uint32_t>(rng());  // outliers
    }
    std::string packed;
    PackPatched(values, n, &packed);
    ASSERT_EQ(UnpackPatched(packed.data(), packed.size(), n, back), packed.size()) << round;
    ASSERT_TRUE(std::equal(values, values + n, back)) << round;
    for (std::size_t cut = 0; cut < packed.size(); ++cut) {
      ASSERT_EQ(UnpackPatched(packed.data(), cut, n, back), 0u) << round << " cut " << cut;
    }
    if (!packed.empty()) {
      std::string bad = packed;
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      const std::size_t used = UnpackPatched(bad.data(), bad.size(), n, back);  // no crash
      EXPECT_LE(used, bad.size());
    }
  }
}

TEST(PostingsFormatTest, InterpolativeCodingRoundTripsAndStaysInBounds) {
  std::mt19937_64 rng(Seed() + 8);
  for (int round = 0; round < 3000; ++round) {
    // Bounds anywhere in 32 bits, from exactly n wide (every value implied) to the full range
    // (every 16th round: a random width reaches it almost never).
    const std::size_t n = rng() % 200;
    std::uint64_t width = n + (rng() % 4 == 0 ? 0 : rng() % (rng() % 3 == 0 ? 1000 : 1ull << 32));
    if (round % 16 == 15) width = 1ull << 32;
    width = std::min<std::uint64_t>(std::max<std::uint64_t>(width, 1), 1ull << 32);
    const std::uint32_t lo = static_cast<std::uint32_t>(rng() % ((1ull << 32) - width + 1));
    const std::uint32_t hi = static_cast<std::uint32_t>(lo + width - 1);
    std::vector<std::uint32_t> values;
    // Clustered: runs of consecutive values with random jumps between them.
    std::uint64_t v = lo;
    while (values.size() < n) {
      const std::uint64_t room = (std::uint64_t{hi} + 1 - v) - (n - values.size());
      v += room == 0 ? 0
                     : (rng() % 3 == 0 ? rng() % (room + 1)
                                       : rng() % std::min<std::uint64_t>(room + 1, 3));
      values.push_back(static_cast<std::uint32_t>(v++));
    }
    std::string packed;
    PackInterpolative(values.data(), n, lo, hi, &packed);
    constexpr std::uint32_t kMarker = 0xDEADBEEF;  // must survive: nothing is written past n
    std::vector<std::uint32_t> back(n + 1, kMarker);
    ASSERT_EQ(UnpackInterpolative(packed.data(), packed.size(), n, lo, hi, back.data()),
              packed.size())
        << round;
    ASSERT_EQ(back.back(), kMarker) << round;
    back.pop_back();
    ASSERT_EQ(back, values) << round;
    if (width == n) {
      EXPECT_TRUE(packed.empty()) << round;
    }
    for (std::size_t cut = 0; cut < packed.size(); ++cut) {
      // Each cut in a buffer of exactly its size, so that a sanitizer sees any read past it.
      const std::unique_ptr<char[]> exact(new char[cut + 1]);
      std::memcpy(exact.get(), packed.data(), cut);
      ASSERT_EQ(UnpackInterpolative(exact.get(), cut, n, lo, hi, back.data()), kInterpolativeError)
          << round << " cut " << cut;
    }
    // Any bytes decode to values strictly increasing within the bounds.
    std::string bad = packed;
    for (char& c : bad) c = static_cast<char>(rng());
    bad += "\xff\xff\xff\xff\xff\xff\xff\xff";
    back.assign(n, 0);
    if (UnpackInterpolative(bad.data(), bad.size(), n, lo, hi, back.data()) !=
        kInterpolativeError) {
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_GE(back[i], lo);
        ASSERT_LE(back[i], hi);
        if (i > 0) {
          ASSERT_GT(back[i], back[i - 1]);
        }
      }
    }
  }
  // The full 32-bit range, where a code is 32 bits wide.
  for (const std::vector<std::uint32_t>& full :
       {std::vector<std::uint32_t>{0}, std::vector<std::uint32_t>{1u << 31},
        std::vector<std::uint32_t>{0xFFFFFFFFu}, std::vector<std::uint32_t>{0, 0xFFFFFFFFu},
        std::vector<std::uint32_t>{7, 1u << 31, 0xFFFFFFFEu}}) {
    std::string packed;
    PackInterpolative(full.data(), full.size(), 0, 0xFFFFFFFFu, &packed);
    std::vector<std::uint32_t> back(full.size());
    ASSERT_EQ(
        UnpackInterpolative(packed.data(), packed.size(), full.size(), 0, 0xFFFFFFFFu, back.data()),
        packed.size());
    EXPECT_EQ(back, full);
  }
  // Bounds too narrow for the count are refused.
  std::uint32_t out[4];
  EXPECT_EQ(UnpackInterpolative("", 0, 4, 10, 12, out), kInterpolativeError);
  EXPECT_EQ(UnpackInterpolative("", 0, 1, 10, 9, out), kInterpolativeError);
  EXPECT_EQ(UnpackInterpolative("", 0, 0, 10, 9, out), 0u);
}

TEST(PostingsFormatTest, InterpolativeCodingIsTheBitsFormatMdDescribes) {
  // Worked by hand from FORMAT.md. {3} in [0, 9]: r = 10, t = 3, u = 6, w = (3 + 3) mod 10 = 6,
  // a long code: 6 in 3 bits, then 0.
  std::string packed;
  const std::uint32_t one[] = {3};
  PackInterpolative(one, 1, 0, 9, &packed);
  EXPECT_EQ(packed, std::string("\x06", 1));
  // {0, 5, 9} in [0, 9]: 5 first, below r = 8 (t = 3, u = 8): w = (4 + 4) mod 8 = 0, "000";
  // then 0 in [0, 4] (r = 5, u = 3): w = 1, "1" in 2 bits; then 9 in [6, 9] (r = 4, u = 4):
  // w = (3 + 2) mod 4 = 1, in 2 bits. Least significant bit first: 0b0101000.
  packed.clear();
  const std::uint32_t three[] = {0, 5, 9};
  PackInterpolative(three, 3, 0, 9, &packed);
  EXPECT_EQ(packed, std::string("\x28", 1));
  std::uint32_t back[3];
  ASSERT_EQ(UnpackInterpolative(packed.data(), packed.size(), 3, 0, 9, back), 1u);
  EXPECT_EQ(std::vector<std::uint32_t>(back, back + 3), std::vector<std::uint32_t>({0, 5, 9}));
}

TEST(PostingsFormatTest, Version4BlockWhoseLastDocLeavesNoRoomIsCorrupt) {
  // Three docs, the last of them doc 1: the two before it cannot fit in [0, 0].
  std::string list;
  list.push_back(static_cast<char>(kKindV4));
  PutVarint32(&list, 3);  // doc_freq
  PutVarint64(&list, 0);  // total_term_freq - doc_freq
  PutVarint32(&list, 1);  // the only block's last_doc
  PutVarint32(&list, 1);  // max_freq
  PutVarint32(&list, 5);  // min_length
  list.push_back('\0');   // frequencies: width 0
  PostingsIterator it;
  EXPECT_EQ(it.Init(list).code(), Status::Code::kCorruption);  // Init loads the first block
  EXPECT_EQ(it.doc(), kNoMoreDocs);
  // The same list with room for its docs (last_doc 2) reads 0, 1, 2.
  list[3] = 2;
  ASSERT_TRUE(it.Init(list).ok());
  std::vector<std::uint32_t> docs;
  for (; it.doc() != kNoMoreDocs; it.Next()) docs.push_back(it.doc());
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(docs, std::vector<std::uint32_t>({0, 1, 2}));
}

TEST(PostingsFormatTest, InterpolativeCodingSpendsFewBitsOnClusters) {
  // 64 values in two runs of 32 inside a million. Packed gaps would spend 20 bits on every
  // value (160 bytes); here only the values whose bounds leave room cost bits: the splits
  // between and around the runs, not the runs' insides.
  std::uint32_t values[64];
  for (std::uint32_t i = 0; i < 32; ++i) values[i] = 1000 + i;
  for (std::uint32_t i = 0; i < 32; ++i) values[32 + i] = 700000 + i;
  std::string packed;
  PackInterpolative(values, 64, 0, 1u << 20, &packed);
  EXPECT_LE(packed.size(), 40u);
}

TEST(PostingsFormatTest, OneDocListIsSmall) {
  // A rare term's whole list: kind, doc_freq, extra frequency, the doc, its field length and
  // its positions; nothing else.
  PostingsWriter writer(true);
  const std::uint32_t positions[] = {4, 9};
  ASSERT_TRUE(writer.Add(100, 2, positions, 20).ok());
  std::string bytes;
  writer.Finish(&bytes);
  EXPECT_EQ(bytes.size(), 1u + 1 + 1 + 1 + 1 + 2);
  PostingsIterator it;
  ASSERT_TRUE(it.Init(bytes).ok());
  EXPECT_EQ(it.doc(), 100u);
  EXPECT_EQ(it.freq(), 2u);
  EXPECT_EQ(it.total_term_freq(), 2u);
  EXPECT_EQ(it.blocks()[0].max_freq, 2u);
  EXPECT_EQ(it.blocks()[0].min_length, 20u);
}

}  // namespace
}  // namespace stela::engine::codec
