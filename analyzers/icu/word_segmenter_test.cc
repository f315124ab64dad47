#include "analyzers/icu/word_segmenter.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "analyzers/icu/simple_segmenters.h"
#include "engine/testing/seed.h"

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

// The direct UAX #29 path must give exactly ICU's spans. Random strings over an alphabet with
// every Word_Break class the direct path handles (ASCII whole, letters and digits of several
// scripts, every kind of mid-word punctuation, spaces, line breaks) and some it hands to ICU
// (combining marks, ZWJ, emoji, CJK, Thai, Hebrew, supplementary planes).
TEST(WordSegmenterTest, DirectPathMatchesIcuOnRandomText) {
  std::mt19937_64 rng(stela::testing::TestSeed("word segmenter"));
  std::vector<std::string> alphabet;
  for (char c = 0x20; c < 0x7F; ++c) alphabet.emplace_back(1, c);
  for (const char* c : {"\t", "\n", "\r", "\v", "\f"}) alphabet.emplace_back(c);
  for (const char* c :
       {"é", "ß", "Ж", "λ", "Ω", "ª", "İ", "ı", "ǅ", "ا", "ع", "ա", "ა", "ē", "\u2019", "\u2018",
        "\u00B7", "\u02BC", "\u060C", "\u066B", "\u066C", "\u00AB", "\u00BB", "\u2013", "\u2014",
        "\u2026", "\u00A0", "\u2028", "\u0085", "\u3000", "\u2000", "\u203F", "\uFF3F", "\uFF10",
        "\u0663", "\u00B9", "\u00BD", "\u2024", "\uFE52", "\uFF0E", "\uFF07", "\uFE55", "\u037E",
        "\u0589", "\u05F4", "\u2044", "\uFE13", "\u00B2", "\u0660", "\uFE6B", "\uFF20", "\uFF1A",
        "\u0387", "\u055F"}) {
    alphabet.emplace_back(c);
  }
  const std::size_t direct_only = alphabet.size();
  // Handed to ICU: combining mark, ZWJ, soft hyphen, Hangul, kana, Han, Thai, Hebrew, emoji,
  // (C), a supplementary letter, zero width space, and the digits of the dictionary scripts
  // (Thai, Lao, Khmer, Myanmar), whose words the ICU path types kDictionary.
  for (const char* c : {"\u0301", "\u200D", "\u00AD", "한", "か", "カ", "中", "ก", "א",
                        "\U0001F600", "\u00A9", "\U0001D400", "\u200B", "\u0E50", "\u0ED1",
                        "\u17E2", "\u1041"}) {
    alphabet.emplace_back(c);
  }
  auto seg = WordSegmenter::Create();
  ASSERT_TRUE(seg.ok());
  std::vector<WordSpan> direct, icu;
  std::size_t compared = 0;
  for (int round = 0; round < 60000; ++round) {
    // Mostly letters and digits with some separators, so words, numbers and every mid-word
    // rule get exercised; the rare characters that need ICU appear in a few strings only.
    std::string text;
    const int length = static_cast<int>(rng() % 14);
    const bool rare = rng() % 8 == 0;
    for (int i = 0; i < length; ++i) {
      const std::uint64_t r = rng() % 10;
      if (r < 3) {
        text += static_cast<char>("aZk"[rng() % 3]);
      } else if (r < 4) {
        text += static_cast<char>('0' + rng() % 10);
      } else {
        std::size_t pick = rng() % alphabet.size();
        if (!rare) pick = rng() % direct_only;
        text += alphabet[pick];
      }
    }
    ASSERT_TRUE((*seg)->SegmentWithIcu(text, &icu).ok()) << text;
    if (!(*seg)->SegmentDirect(text, &direct)) {
      ASSERT_TRUE(rare) << "[" << text << "] should have taken the direct path";
      continue;
    }
    ASSERT_EQ(direct.size(), icu.size()) << "[" << text << "]";
    for (std::size_t i = 0; i < icu.size(); ++i) {
      ASSERT_EQ(direct[i].start, icu[i].start) << "[" << text << "] span " << i;
      ASSERT_EQ(direct[i].end, icu[i].end) << "[" << text << "] span " << i;
      ASSERT_EQ(direct[i].type, icu[i].type) << "[" << text << "] span " << i;
    }
    ++compared;
  }
  // Every string without the rare characters, and some with them, took the direct path.
  EXPECT_GT(compared, 60000u * 7 / 8);
}

}  // namespace
}  // namespace stela::analyzers::icu
