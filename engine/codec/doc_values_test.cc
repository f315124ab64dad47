#include "engine/codec/doc_values.h"

#include <gtest/gtest.h>

#include <random>

namespace stela::engine::codec {
namespace {

TEST(DocValuesTest, NumericColumnsRoundTripWithGapsAndMultipleValues) {
  DocValuesWriter w(DocValuesKind::kNumeric);
  ASSERT_TRUE(w.AddNumber(0, 42).ok());
  ASSERT_TRUE(w.AddNumber(2, INT64_MIN).ok());
  ASSERT_TRUE(w.AddNumber(2, INT64_MAX).ok());
  ASSERT_TRUE(w.AddNumber(2, -7).ok());
  ASSERT_TRUE(w.AddNumber(5, 0).ok());
  std::string bytes;
  ASSERT_TRUE(w.Finish(7, &bytes).ok());
  DocValuesColumn c;
  ASSERT_TRUE(DocValuesColumn::Decode(bytes, &c).ok());
  EXPECT_EQ(c.max_doc(), 7u);
  EXPECT_EQ(c.count(1), 0u);
  ASSERT_EQ(c.count(2), 3u);
  EXPECT_EQ(c.numbers(2)[0], INT64_MIN);  // sorted within the doc
  EXPECT_EQ(c.numbers(2)[1], -7);
  EXPECT_EQ(c.numbers(2)[2], INT64_MAX);
  EXPECT_EQ(c.numbers(0)[0], 42);
  EXPECT_EQ(c.numbers(5)[0], 0);
  EXPECT_EQ(c.count(6), 0u);
}

TEST(DocValuesTest, KeywordColumnsUseSortedOrdinals) {
  DocValuesWriter w(DocValuesKind::kKeyword);
  ASSERT_TRUE(w.AddTerm(0, "pear").ok());
  ASSERT_TRUE(w.AddTerm(1, "apple").ok());
  ASSERT_TRUE(w.AddTerm(1, "pear").ok());
  ASSERT_TRUE(w.AddTerm(3, "").ok());
  std::string bytes;
  ASSERT_TRUE(w.Finish(4, &bytes).ok());
  DocValuesColumn c;
  ASSERT_TRUE(DocValuesColumn::Decode(bytes, &c).ok());
  EXPECT_EQ(c.terms(), (std::vector<std::string>{"", "apple", "pear"}));
  ASSERT_EQ(c.count(1), 2u);
  EXPECT_EQ(c.ordinals(1)[0], 1u);
  EXPECT_EQ(c.ordinals(1)[1], 2u);
  EXPECT_EQ(c.ordinals(3)[0], 0u);
  EXPECT_EQ(c.count(2), 0u);
}

TEST(DocValuesTest, DoublesKeepTheirOrderAsSortableBits) {
  const double values[] = {-1e300, -2.5, -0.0, 0.0, 1e-300, 3.25, 1e300};
  for (std::size_t i = 0; i + 1 < std::size(values); ++i) {
    EXPECT_LE(SortableDoubleBits(values[i]), SortableDoubleBits(values[i + 1]));
    EXPECT_EQ(DoubleFromSortableBits(SortableDoubleBits(values[i])), values[i] == 0 ? 0.0 : values[i]);
  }
}

TEST(DocValuesTest, RejectsOutOfOrderAndCorruptInput) {
  DocValuesWriter w(DocValuesKind::kNumeric);
  ASSERT_TRUE(w.AddNumber(3, 1).ok());
  EXPECT_TRUE(w.AddNumber(2, 1).IsInvalidArgument());
  EXPECT_TRUE(w.AddTerm(4, "x").IsInvalidArgument());
  std::string bytes;
  EXPECT_TRUE(w.Finish(3, &bytes).IsInvalidArgument());  // doc 3 >= max_doc 3
  std::mt19937 rng(3);
  DocValuesWriter good(DocValuesKind::kKeyword);
  for (std::uint32_t d = 0; d < 300; ++d) ASSERT_TRUE(good.AddTerm(d, "t" + std::to_string(d % 17)).ok());
  bytes.clear();
  ASSERT_TRUE(good.Finish(300, &bytes).ok());
  for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
    DocValuesColumn c;
    EXPECT_FALSE(DocValuesColumn::Decode(std::string_view(bytes).substr(0, cut), &c).ok());
  }
  for (int flip = 0; flip < 200; ++flip) {
    std::string bad = bytes;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    DocValuesColumn c;
    Status s = DocValuesColumn::Decode(bad, &c);  // either way, no crash
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Status::Code::kCorruption);
    }
  }
}

}  // namespace
}  // namespace stela::engine::codec
