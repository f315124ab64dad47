#include <gtest/gtest.h>

#include <thread>

#include "analyzers/chain/test_util.h"
#include "stela/analyzers/analyzer.h"
#include "stela/analyzers/registry.h"

namespace stela::analyzers {
namespace {

using testing::Analyze;
using testing::Describe;
using testing::Terms;
using V = std::vector<std::string>;

class ChainAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Registry::CreateBuiltin();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(r).value();
  }
  const Analyzer& Named(std::string_view name) {
    auto a = registry_->Find(name);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return **a;
  }
  std::unique_ptr<Analyzer> Chain(ChainOptions options) {
    auto a = NewChainAnalyzer("test", std::move(options));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return std::move(a).value();
  }

  std::unique_ptr<Registry> registry_;
};

TEST_F(ChainAnalyzerTest, StandardLowercasesAndKeepsByteOffsets) {
  EXPECT_EQ(Describe(Analyze(Named("standard"), "Die Häuser, 42!")),
            "die@0[0,3) häuser@1[4,11) 42@2[13,15)");
}

TEST_F(ChainAnalyzerTest, GermanStemsAndRemovesStopWordsLeavingGaps) {
  EXPECT_EQ(Describe(Analyze(Named("german"), "Die Häuser und die Straßen")),
            "haus@1[4,11) strass@4[20,28)");
}

TEST_F(ChainAnalyzerTest, EnglishRemovesPossessivesThenStems) {
  EXPECT_EQ(Terms(Analyze(Named("english"), "John's runners’s shoes were running")),
            (V{"john", "runner", "shoe", "were", "run"}));
}

TEST_F(ChainAnalyzerTest, FrenchElidesArticlesWithEitherApostrophe) {
  EXPECT_EQ(Terms(Analyze(Named("french"), "L'avion d’Air qu'il aujourd'hui")),
            (V{"avion", "air", "aujourd'hui"}));  // qu'il -> il, a stop word
}

TEST_F(ChainAnalyzerTest, ItalianAndCatalanElision) {
  EXPECT_EQ(Terms(Analyze(Named("italian"), "dell'università l'amico")), (V{"univers", "amic"}));
  EXPECT_EQ(Terms(Analyze(Named("catalan"), "l'aplicació d'avui")), (V{"aplic", "avu"}));
}

TEST_F(ChainAnalyzerTest, TurkishLowercasesDotlessI) {
  // Snowball Turkish removes the suffixes only when the i is right: ISTANBUL'DA is "ıstanbul".
  EXPECT_EQ(Terms(Analyze(Named("turkish"), "ISTANBUL İstanbul")), (V{"ıstanbul", "istanbul"}));
  // Suffixes after an apostrophe go: the proper noun is what is searched.
  EXPECT_EQ(Terms(Analyze(Named("turkish"), "İstanbul'daki Ankara’ya")),
            (V{"istanbul", "ankar"}));  // Snowball stems "ankara" itself to "ankar"
}

TEST_F(ChainAnalyzerTest, AsciiFoldingAfterCaseFolding) {
  EXPECT_EQ(Terms(Analyze(Named("icu_analyzer"), "Ærøskøbing CAFÉ Łódź")),
            (V{"aeroskobing", "cafe", "lodz"}));
}

TEST_F(ChainAnalyzerTest, SimpleWhitespaceAndKeyword) {
  EXPECT_EQ(Terms(Analyze(Named("simple"), "Don't STOP-me 42")), (V{"don", "t", "stop", "me"}));
  EXPECT_EQ(Terms(Analyze(Named("whitespace"), "Don't STOP-me 42")),
            (V{"Don't", "STOP-me", "42"}));
  EXPECT_EQ(Describe(Analyze(Named("keyword"), "New York")), "New York@0[0,8)");
  EXPECT_EQ(Terms(Analyze(Named("stop"), "The Quick fox")), (V{"quick", "fox"}));
}

TEST_F(ChainAnalyzerTest, CjkMakesOverlappingBigramsAndUnigramsForLoneCharacters) {
  EXPECT_EQ(Describe(Analyze(Named("cjk"), "北京大学")),
            "北京@0[0,6) 京大@1[3,9) 大学@2[6,12)");
  // A lone ideograph between Latin words stays a unigram; Latin words are analysed as usual.
  EXPECT_EQ(Terms(Analyze(Named("cjk"), "The 猫 sat")), (V{"猫", "sat"}));
  // Hangul bigrams, and runs broken by a space are not joined.
  EXPECT_EQ(Terms(Analyze(Named("cjk"), "한국어 사전")), (V{"한국", "국어", "사전"}));
}

TEST_F(ChainAnalyzerTest, InvalidUtf8IsAnErrorAndLeavesTheOutputUntouched) {
  auto stream = Named("english").NewStream();
  ASSERT_TRUE(stream.ok());
  std::vector<Token> tokens = {Token{"keep", 0, 0, 4, TokenType::kWord}};
  Status s = (*stream)->Analyze("good words then \xC3\x28 bad", &tokens);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid UTF-8 at byte offset 16");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].term, "keep");
  // The stream is still usable afterwards.
  ASSERT_TRUE((*stream)->Analyze("fine", &tokens).ok());
  EXPECT_EQ(tokens.size(), 2u);
}

TEST_F(ChainAnalyzerTest, EmptyAndSeparatorOnlyTextsGiveNoTokens) {
  for (std::string_view name : {"standard", "english", "cjk", "simple", "whitespace", "keyword"}) {
    EXPECT_TRUE(Analyze(Named(name), "").empty()) << name;
    EXPECT_TRUE(Analyze(Named(name), " \t\n").empty() || name == "keyword") << name;
  }
}

TEST_F(ChainAnalyzerTest, NulBytesSeparateWords) {
  const std::string text("alpha\0beta", 10);
  EXPECT_EQ(Describe(Analyze(Named("standard"), text)), "alpha@0[0,5) beta@1[6,10)");
}

TEST_F(ChainAnalyzerTest, HugeSingleWordIsSplitIntoMaxLengthPieces) {
  const std::string word(10 * 1024 * 1024, 'a');
  const std::vector<Token> tokens = Analyze(Named("standard"), word);
  const std::size_t pieces = (word.size() + 254) / 255;
  ASSERT_EQ(tokens.size(), pieces);
  std::uint32_t expected_start = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    ASSERT_EQ(tokens[i].start_offset, expected_start);
    ASSERT_EQ(tokens[i].position, i);
    ASSERT_LE(tokens[i].term.size(), 255u);
    expected_start = tokens[i].end_offset;
  }
  EXPECT_EQ(expected_start, word.size());
}

TEST_F(ChainAnalyzerTest, MaxTokenLengthCountsCodePointsNotBytes) {
  ChainOptions o;
  o.max_token_length = 3;
  auto a = Chain(o);
  EXPECT_EQ(Describe(Analyze(*a, "häuser")), "häu@0[0,4) ser@1[4,7)");
  o.max_token_length = 0;
  EXPECT_TRUE(NewChainAnalyzer("bad", o).status().IsInvalidArgument());
}

TEST_F(ChainAnalyzerTest, RejectsUnknownStemmerAndStopList) {
  ChainOptions o;
  o.stemmer = "klingon";
  EXPECT_TRUE(NewChainAnalyzer("x", o).status().IsInvalidArgument());
  o.stemmer.clear();
  o.stop_words = "tlh";
  EXPECT_TRUE(NewChainAnalyzer("x", o).status().IsInvalidArgument());
}

TEST_F(ChainAnalyzerTest, StreamsInManyThreadsAgreeWithOneThread) {
  const Analyzer& german = Named("german");
  const std::string text = "Die Kinder spielten in den großen Gärten hinter den Häusern.";
  const std::vector<Token> expected = Analyze(german, text);
  ASSERT_FALSE(expected.empty());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto stream = german.NewStream();
      if (!stream.ok()) {
        ++mismatches[t];
        return;
      }
      for (int i = 0; i < 500; ++i) {
        std::vector<Token> tokens;
        if (!(*stream)->Analyze(text, &tokens).ok() || tokens != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace stela::analyzers
