#include "analyzers/snowball/stem_cache.h"

#include <gtest/gtest.h>

#include <random>

namespace stela::analyzers::snowball {
namespace {

TEST(StemCacheTest, AgreesWithTheStemmerAndHitsOnRepeats) {
  auto cached = std::move(Stemmer::Create("english")).value();
  auto plain = std::move(Stemmer::Create("english")).value();
  StemCache cache(std::move(cached), 4);  // tiny, so slots are overwritten constantly
  const std::vector<std::string> words = {"running", "runs", "houses", "generations",
                                          "connecting", "run", "happily", "studies"};
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const std::string& w = words[rng() % words.size()];
    const std::string expected(plain->Stem(w));
    ASSERT_EQ(cache.Stem(w), expected) << w;
  }
  EXPECT_GT(cache.hits(), 0u);
  EXPECT_GT(cache.misses(), 0u);
  EXPECT_EQ(cache.hits() + cache.misses(), 2000u);
}

TEST(StemCacheTest, LongWordsBypassTheCache) {
  StemCache cache(std::move(Stemmer::Create("english")).value(), 16);
  auto plain = std::move(Stemmer::Create("english")).value();
  std::string longword;
  while (longword.size() <= StemCache::kMaxCachedBytes) longword += "internationalising";
  const std::string expected(plain->Stem(longword));
  EXPECT_NE(expected, longword);
  EXPECT_EQ(cache.Stem(longword), expected);
  EXPECT_EQ(cache.hits() + cache.misses(), 0u);
}

}  // namespace
}  // namespace stela::analyzers::snowball
