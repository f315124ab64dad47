#include "analyzers/filters/term_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "analyzers/filters/term_hash.h"

namespace stela::analyzers {
namespace {

TEST(TermCacheTest, ReturnsOnlyWhatWasStoredForTheSameKey) {
  TermCache cache(8);  // tiny: slots are shared and overwritten constantly
  std::map<std::string, std::string> truth;
  std::mt19937 rng(11);
  int hits = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "w" + std::to_string(rng() % 40);
    const std::uint64_t h = TermHash(key);
    if (const TermCache::Entry* e = cache.Find(key, h)) {
      ASSERT_EQ(e->value, truth[key]) << key;
      ASSERT_EQ(e->flags, key.size() % 3);
      ++hits;
    } else {
      truth[key] = key + "-stem";
      cache.Put(key, h, truth[key], static_cast<std::uint8_t>(key.size() % 3));
    }
  }
  EXPECT_GT(hits, 0);
}

TEST(TermCacheTest, LongKeysAreNotStored) {
  TermCache cache(16);
  const std::string key(TermCache::kMaxKeyBytes + 1, 'k');
  cache.Put(key, TermHash(key), "v", 1);
  EXPECT_EQ(cache.Find(key, TermHash(key)), nullptr);
}

}  // namespace
}  // namespace stela::analyzers
