#include "analyzers/snowball/stemmer.h"

#include <gtest/gtest.h>

namespace stela::analyzers::snowball {
namespace {

TEST(StemmerTest, LibstemmerHasAllTwentyEightLanguagesAndPorter) {
  const std::vector<std::string> expected = {
      "arabic",    "armenian",   "basque",     "catalan",  "danish",    "dutch",
      "english",   "finnish",    "french",     "german",   "greek",     "hindi",
      "hungarian", "indonesian", "irish",      "italian",  "lithuanian", "nepali",
      "norwegian", "porter",     "portuguese", "romanian", "russian",   "serbian",
      "spanish",   "swedish",    "tamil",      "turkish",  "yiddish"};
  EXPECT_EQ(Algorithms(), expected);
}

TEST(StemmerTest, StemsUtf8Words) {
  auto de = Stemmer::Create("german");
  ASSERT_TRUE(de.ok());
  EXPECT_EQ((*de)->Stem("häuser"), "haus");
  auto ru = Stemmer::Create("russian");
  ASSERT_TRUE(ru.ok());
  EXPECT_EQ((*ru)->Stem("программисты"), "программист");
  auto en = Stemmer::Create("english");
  ASSERT_TRUE(en.ok());
  EXPECT_EQ((*en)->Stem("running"), "run");
  EXPECT_EQ((*en)->Stem(""), "");
}

TEST(StemmerTest, UnknownAlgorithmIsInvalidArgument) {
  auto s = Stemmer::Create("klingon");
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_EQ(s.status().message(), "unknown Snowball stemmer [klingon]");
  EXPECT_FALSE(HasAlgorithm("German"));  // names are case-sensitive, as in libstemmer
}

}  // namespace
}  // namespace stela::analyzers::snowball
