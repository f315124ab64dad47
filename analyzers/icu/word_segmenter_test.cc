#include "analyzers/icu/word_segmenter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzers/icu/simple_segmenters.h"

namespace stela::analyzers::icu {
namespace {

std::vector<std::string> Words(std::string_view text, std::vector<WordSpan>* spans = nullptr) {
  auto seg = WordSegmenter::Create();
  EXPECT_TRUE(seg.ok());
  std::vector<WordSpan> local;
  if (spans == nullptr) spans = &local;
  EXPECT_TRUE((*seg)->Segment(text, spans).ok());
  std::vector<std::string> out;
  for (const WordSpan& s : *spans) out.emplace_back(text.substr(s.start, s.end - s.start));
  return out;
}

using V = std::vector<std::string>;

TEST(WordSegmenterTest, SkipsSpacesAndPunctuationKeepsNumbers) {
  std::vector<WordSpan> spans;
  EXPECT_EQ(Words("Hello, world! It costs 3.50 in U.S.A. stores.", &spans),
            (V{"Hello", "world", "It", "costs", "3.50", "in", "U.S.A", "stores"}));
  EXPECT_EQ(spans[4].type, TokenType::kNumber);
  EXPECT_EQ(spans[0].type, TokenType::kWord);
}

TEST(WordSegmenterTest, KeepsApostrophesInsideWords) {
  EXPECT_EQ(Words("l'avion d’Air can't"), (V{"l'avion", "d’Air", "can't"}));
}

TEST(WordSegmenterTest, SegmentsChineseWithTheDictionary) {
  EXPECT_EQ(Words("我们在北京大学学习中文。"), (V{"我们", "在", "北京", "大学", "学习", "中文"}));
}

TEST(WordSegmenterTest, SegmentsJapaneseWithTheDictionaryAndMarksScripts) {
  std::vector<WordSpan> spans;
  EXPECT_EQ(Words("東京はコンピュータの首都です", &spans),
            (V{"東京", "は", "コンピュータ", "の", "首都", "です"}));
  EXPECT_EQ(spans[0].type, TokenType::kIdeographic);
  EXPECT_EQ(spans[1].type, TokenType::kHiragana);
  EXPECT_EQ(spans[2].type, TokenType::kKatakana);
}

TEST(WordSegmenterTest, SegmentsThaiWithTheDictionary) {
  std::vector<WordSpan> spans;
  EXPECT_EQ(Words("ภาษาไทยเป็นภาษาที่สวยงาม", &spans),
            (V{"ภาษา", "ไทย", "เป็น", "ภาษา", "ที่", "สวยงาม"}));
  EXPECT_EQ(spans[0].type, TokenType::kDictionary);
}

TEST(WordSegmenterTest, OffsetsAreBytesOfTheOriginalText) {
  std::vector<WordSpan> spans;
  Words("Ä b 東", &spans);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].start, 0u);
  EXPECT_EQ(spans[0].end, 2u);
  EXPECT_EQ(spans[1].start, 3u);
  EXPECT_EQ(spans[2].start, 5u);
  EXPECT_EQ(spans[2].end, 8u);
}

TEST(WordSegmenterTest, ReusesOneSegmenterForManyTexts) {
  auto seg = WordSegmenter::Create();
  ASSERT_TRUE(seg.ok());
  std::vector<WordSpan> spans;
  ASSERT_TRUE((*seg)->Segment("first text here", &spans).ok());
  EXPECT_EQ(spans.size(), 3u);
  ASSERT_TRUE((*seg)->Segment("", &spans).ok());
  EXPECT_TRUE(spans.empty());
  ASSERT_TRUE((*seg)->Segment("x", &spans).ok());
  EXPECT_EQ(spans.size(), 1u);
}

TEST(SimpleSegmentersTest, WhitespaceLettersAndKeyword) {
  std::vector<WordSpan> spans;
  SegmentWhitespace(" a-b\u3000c\td ", &spans);
  ASSERT_EQ(spans.size(), 3u);  // U+3000 ideographic space is white space
  EXPECT_EQ(spans[0].start, 1u);
  EXPECT_EQ(spans[0].end, 4u);
  SegmentLetters("don't 42x café", &spans);
  ASSERT_EQ(spans.size(), 4u);  // don, t, x, café
  EXPECT_EQ(spans[3].end - spans[3].start, 5u);
  SegmentKeyword("", &spans);
  EXPECT_TRUE(spans.empty());
  SegmentKeyword("New York", &spans);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].end, 8u);
}

}  // namespace
}  // namespace stela::analyzers::icu
