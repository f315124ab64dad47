// Conformance suite run on every registered analyzer: whatever the text, tokens are non-empty
// valid UTF-8, offsets lie on code point boundaries inside the text and never go backwards,
// positions never go backwards. Inputs: every golden sentence, plus random texts mixing scripts,
// separators, combining marks and NUL (seeded: STELA_TEST_SEED replays a run).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "analyzers/icu/utf8.h"
#include "stela/analyzers/registry.h"

namespace stela::analyzers {
namespace {

namespace fs = std::filesystem;

std::uint64_t Seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("STELA_TEST_SEED");
    const std::uint64_t s = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
    std::printf("analyzer conformance: STELA_TEST_SEED=%llu\n",
                static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

std::vector<std::string> GoldenSentences() {
  std::vector<std::string> out;
  for (const auto& dir : fs::directory_iterator(fs::path(STELA_SOURCE_DIR) / "tests" / "golden")) {
    std::ifstream in(dir.path() / "sentences.txt");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
  }
  return out;
}

void AppendUtf8(std::uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Random valid UTF-8 drawn from ranges that exercise every path of the chains.
std::string RandomText(std::mt19937_64& rng) {
  static constexpr std::pair<std::uint32_t, std::uint32_t> kRanges[] = {
      {0x00, 0x7F},       // ASCII, controls and NUL included
      {'a', 'z'},         {'A', 'Z'},        {0xC0, 0x24F},     // Latin with diacritics
      {0x300, 0x36F},     // combining marks
      {0x370, 0x3FF},     {0x400, 0x4FF},    {0x590, 0x5FF},    {0x600, 0x6FF},
      {0x900, 0x97F},     {0xB80, 0xBFF},    {0xE00, 0xE7F},    {0xE80, 0xEFF},
      {0x1000, 0x109F},   {0x1780, 0x17FF},  {0x200B, 0x200F},  // zero-width and bidi marks
      {0x2018, 0x201F},   {0x3000, 0x30FF},  {0x4E00, 0x4FFF},  {0xAC00, 0xAD00},
      {0xFB00, 0xFB06},   {0xFF00, 0xFFEF},  {0x1F600, 0x1F64F}, {0x1D400, 0x1D4FF},
  };
  std::uniform_int_distribution<std::size_t> range_pick(0, std::size(kRanges) - 1);
  std::uniform_int_distribution<int> len_pick(0, 80);
  std::string text;
  const int len = len_pick(rng);
  for (int i = 0; i < len; ++i) {
    const auto [lo, hi] = kRanges[range_pick(rng)];
    std::uint32_t c = std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
    if (c >= 0xD800 && c <= 0xDFFF) c = ' ';
    if (rng() % 5 == 0) c = ' ';
    AppendUtf8(c, &text);
  }
  return text;
}

bool IsBoundary(std::string_view text, std::uint32_t offset) {
  return offset == text.size() ||
         (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) != 0x80);
}

class AnalyzerConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    auto r = Registry::CreateBuiltin();
    ASSERT_TRUE(r.ok());
    registry_ = std::move(r).value().release();
  }
  static Registry* registry_;
};
Registry* AnalyzerConformanceTest::registry_ = nullptr;

void CheckTokens(std::string_view text, const std::vector<Token>& tokens, std::string_view name) {
  std::uint32_t last_start = 0, last_position = 0;
  for (const Token& t : tokens) {
    SCOPED_TRACE(::testing::Message() << name << " on [" << text << "] token [" << t.term << "]");
    ASSERT_FALSE(t.term.empty());
    ASSERT_TRUE(icu::ValidateUtf8(t.term).ok());
    ASSERT_LT(t.start_offset, t.end_offset);
    ASSERT_LE(t.end_offset, text.size());
    ASSERT_TRUE(IsBoundary(text, t.start_offset));
    ASSERT_TRUE(IsBoundary(text, t.end_offset));
    ASSERT_GE(t.start_offset, last_start);
    ASSERT_GE(t.position, last_position);
    last_start = t.start_offset;
    last_position = t.position;
  }
}

TEST_P(AnalyzerConformanceTest, TokensAreWellFormedOnRealAndRandomText) {
  auto analyzer = registry_->Find(GetParam());
  ASSERT_TRUE(analyzer.ok());
  auto stream = (*analyzer)->NewStream();
  ASSERT_TRUE(stream.ok());
  std::vector<Token> tokens;
  for (const std::string& sentence : GoldenSentences()) {
    tokens.clear();
    ASSERT_TRUE((*stream)->Analyze(sentence, &tokens).ok()) << sentence;
    CheckTokens(sentence, tokens, GetParam());
    if (GetParam() != "keyword" && GetParam() != "whitespace") {
      ASSERT_FALSE(tokens.empty() && sentence.size() > 20) << "no tokens from " << sentence;
    }
  }
  std::mt19937_64 rng(Seed() ^ std::hash<std::string>{}(GetParam()));
  for (int i = 0; i < 300; ++i) {
    const std::string text = RandomText(rng);
    tokens.clear();
    ASSERT_TRUE((*stream)->Analyze(text, &tokens).ok());
    CheckTokens(text, tokens, GetParam());
  }
}

// Without stemming or stop words, every term is the case-folded text its offsets slice out.
TEST(AnalyzerOffsetsTest, IcuTextTermsAreTheFoldedSlices) {
  auto registry = Registry::CreateBuiltin();
  ASSERT_TRUE(registry.ok());
  auto chain = (*registry)->Find("icu_text");
  ChainOptions keyword_fold;
  keyword_fold.tokenizer = Tokenizer::kKeyword;
  keyword_fold.max_token_length = 1u << 30;
  auto fold = NewChainAnalyzer("fold", keyword_fold);
  ASSERT_TRUE(chain.ok() && fold.ok());
  auto stream = (*chain)->NewStream();
  auto fold_stream = (*fold)->NewStream();
  ASSERT_TRUE(stream.ok() && fold_stream.ok());
  std::size_t checked = 0;
  for (const std::string& sentence : GoldenSentences()) {
    std::vector<Token> tokens;
    ASSERT_TRUE((*stream)->Analyze(sentence, &tokens).ok());
    for (const Token& t : tokens) {
      std::vector<Token> folded;
      const std::string_view slice =
          std::string_view(sentence).substr(t.start_offset, t.end_offset - t.start_offset);
      ASSERT_TRUE((*fold_stream)->Analyze(slice, &folded).ok());
      ASSERT_EQ(folded.size(), 1u) << slice;
      EXPECT_EQ(folded[0].term, t.term) << "offsets [" << t.start_offset << "," << t.end_offset
                                        << ") of " << sentence;
      ++checked;
    }
  }
  EXPECT_GT(checked, 500u);
}

std::vector<std::string> AllNames() {
  auto r = Registry::CreateBuiltin();
  return r.ok() ? (*r)->names() : std::vector<std::string>{};
}

INSTANTIATE_TEST_SUITE_P(EveryAnalyzer, AnalyzerConformanceTest, ::testing::ValuesIn(AllNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace stela::analyzers
