#include "analyzers/snowball/stem_cache.h"

#include <bit>

namespace stela::analyzers::snowball {

StemCache::StemCache(std::unique_ptr<Stemmer> stemmer, std::size_t slots)
    : stemmer_(std::move(stemmer)), slots_(std::bit_ceil(std::max<std::size_t>(slots, 1))) {
  mask_ = slots_.size() - 1;
}

std::string_view StemCache::Stem(std::string_view word, std::uint64_t hash) {
  if (word.size() > kMaxCachedBytes) return stemmer_->Stem(word);
  Slot& slot = slots_[hash & mask_];
  if (slot.used && slot.word == word) {
    ++hits_;
    return slot.stem;
  }
  ++misses_;
  const std::string_view stem = stemmer_->Stem(word);
  slot.word.assign(word);
  slot.stem.assign(stem);
  slot.used = true;
  return slot.stem;
}

}  // namespace stela::analyzers::snowball
