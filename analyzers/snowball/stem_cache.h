// StemCache: a direct-mapped cache of word -> stem in front of a Stemmer. Words follow Zipf's
// law, so a few thousand entries answer most lookups without running the Snowball program, which
// costs several times a hash lookup.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/filters/term_hash.h"
#include "analyzers/snowball/stemmer.h"

namespace stela::analyzers::snowball {

// Not thread-safe: one per thread, like the Stemmer it owns.
class StemCache {
 public:
  // `slots` is rounded up to a power of two. Memory: about slots * 80 bytes plus the words.
  StemCache(std::unique_ptr<Stemmer> stemmer, std::size_t slots);

  // The stem of `word`, as Stemmer::Stem would return it. The view stays valid until the next
  // call. Words longer than kMaxCachedBytes bypass the cache.
  std::string_view Stem(std::string_view word) { return Stem(word, TermHash(word)); }
  // The same, with the word's TermHash already computed.
  std::string_view Stem(std::string_view word, std::uint64_t hash);

  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }

  static constexpr std::size_t kMaxCachedBytes = 48;

 private:
  struct Slot {
    std::string word;
    std::string stem;
    bool used = false;
  };
  std::unique_ptr<Stemmer> stemmer_;
  std::vector<Slot> slots_;
  std::size_t mask_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace stela::analyzers::snowball
