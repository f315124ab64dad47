#include "stela/analyzers/registry.h"

#include <gtest/gtest.h>

#include "analyzers/chain/test_util.h"

namespace stela::analyzers {
namespace {

using testing::Analyze;
using testing::Terms;
using V = std::vector<std::string>;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Registry::CreateBuiltin();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(r).value();
  }
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, HasElasticsearchNamesForEveryStemmedLanguage) {
  for (std::string_view name :
       {"standard", "simple", "whitespace", "keyword", "stop", "cjk", "thai", "icu_analyzer",
        "arabic", "armenian", "basque", "brazilian", "bulgarian", "catalan", "czech", "danish",
        "dutch", "english", "finnish", "french", "german", "greek", "hindi", "hungarian",
        "indonesian", "irish", "italian", "lithuanian", "norwegian", "persian", "portuguese",
        "romanian", "russian", "serbian", "spanish", "swedish", "turkish", "nepali", "tamil",
        "yiddish", "auto"}) {
    EXPECT_TRUE(registry_->Find(name).ok()) << name;
  }
}

TEST_F(RegistryTest, UnknownAnalyzerUsesElasticsearchWording) {
  auto a = registry_->Find("klingon");
  EXPECT_TRUE(a.status().IsNotFound());
  EXPECT_EQ(a.status().message(), "failed to find analyzer [klingon]");
}

TEST_F(RegistryTest, ForLanguageFoldsAliasesAndFallsBackToTheIcuChain) {
  auto no = registry_->ForLanguage("nb");
  ASSERT_TRUE(no.ok());
  EXPECT_EQ((*no)->name(), "norwegian");
  auto pt = registry_->ForLanguage("pt-BR");
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ((*pt)->name(), "portuguese");
  auto hr = registry_->ForLanguage("hr");  // shares the Serbian stemmer
  ASSERT_TRUE(hr.ok());
  EXPECT_EQ((*hr)->name(), "serbian");
  auto ko = registry_->ForLanguage("ko");
  ASSERT_TRUE(ko.ok());
  EXPECT_EQ((*ko)->name(), "icu_text");
  auto a = registry_->ForLanguage("auto");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->language(), "auto");
}

TEST_F(RegistryTest, MalformedLanguageCodeIsInvalidArgument) {
  for (std::string_view bad : {"", "d3", "../etc", "a very long language code indeed"}) {
    EXPECT_TRUE(registry_->ForLanguage(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST_F(RegistryTest, AddRefusesADuplicateName) {
  auto a = NewChainAnalyzer("english", ChainOptions{});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(registry_->Add(std::move(a).value()).IsInvalidArgument());
}

TEST_F(RegistryTest, AutoDetectsTheLanguageOfEachValue) {
  const Analyzer& a = **registry_->ForLanguage("auto");
  auto stream = a.NewStream();
  ASSERT_TRUE(stream.ok());
  std::vector<Token> tokens;
  ASSERT_TRUE((*stream)->Analyze("Die Kinder spielten in den großen Gärten.", &tokens).ok());
  EXPECT_EQ((*stream)->last_language(), "de");
  // Each word beside its stem (keep_unstemmed), German stop words dropped.
  EXPECT_EQ(Terms(tokens),
            (V{"kinder", "kind", "spielten", "spielt", "grossen", "gross", "gärten", "gart"}));
  tokens.clear();
  ASSERT_TRUE((*stream)->Analyze("Los niños jugaban en los jardines.", &tokens).ok());
  EXPECT_EQ((*stream)->last_language(), "es");
  EXPECT_EQ(Terms(tokens), (V{"niños", "niñ", "jugaban", "jug", "jardines", "jardin"}));
  tokens.clear();
  ASSERT_TRUE((*stream)->Analyze("子供たちは庭で遊んでいました", &tokens).ok());
  EXPECT_EQ((*stream)->last_language(), "ja");
}

TEST_F(RegistryTest, CachedWordsGiveWhatFreshOnesGave) {
  // The second run of the same text takes every word from the stream's term cache, including
  // the word-and-stem pairs, which the cache holds as one value split in two.
  const Analyzer& a = **registry_->ForLanguage("auto");
  auto stream = a.NewStream();
  ASSERT_TRUE(stream.ok());
  const std::string text = "Running dogs were running past the running DOGS; Häuser, Häusern.";
  std::vector<Token> first, second;
  ASSERT_TRUE((*stream)->Analyze(text, "en", &first).ok());
  ASSERT_TRUE((*stream)->Analyze(text, "en", &second).ok());
  EXPECT_EQ(Terms(first), (V{"running", "run", "dogs", "dog", "were", "running", "run", "past",
                             "running", "run", "dogs", "dog", "häuser", "häusern"}));
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].term, second[i].term) << i;
    EXPECT_EQ(first[i].position, second[i].position) << i;
    EXPECT_EQ(first[i].start_offset, second[i].start_offset) << i;
    EXPECT_EQ(first[i].end_offset, second[i].end_offset) << i;
  }
}

TEST_F(RegistryTest, AutoUsesTheLanguageTheDocumentNames) {
  const Analyzer& a = **registry_->ForLanguage("auto");
  // "running" stemmed as English (the word kept beside its stem, at the same position), then as
  // nothing (a language without a chain).
  const std::vector<Token> en = Analyze(a, "running dogs", "en");
  EXPECT_EQ(Terms(en), (V{"running", "run", "dogs", "dog"}));
  ASSERT_EQ(en.size(), 4u);
  EXPECT_EQ(en[0].position, en[1].position);
  EXPECT_EQ(en[0].start_offset, en[1].start_offset);
  EXPECT_EQ(en[2].position, en[0].position + 1);
  EXPECT_EQ(Terms(Analyze(a, "running dogs", "ko")), (V{"running", "dogs"}));
  EXPECT_EQ(Terms(Analyze(a, "Häuser", "de-AT")), (V{"häuser", "haus"}));
  // A word its stemmer leaves alone is emitted once.
  EXPECT_EQ(Terms(Analyze(a, "dog", "en")), (V{"dog"}));
}

}  // namespace
}  // namespace stela::analyzers
