#include "analyzers/filters/term_cache.h"

#include <algorithm>
#include <bit>

namespace stela::analyzers {

TermCache::TermCache(std::size_t slots)
    : slots_(std::bit_ceil(std::max<std::size_t>(slots, 1))), mask_(slots_.size() - 1) {}

void TermCache::Put(std::string_view key, std::uint64_t hash, std::string_view value,
                    std::uint8_t flags, std::uint8_t split) {
  if (key.size() > kMaxKeyBytes) return;
  Entry& e = slots_[hash & mask_];
  e.key.assign(key);
  e.value.assign(value);
  e.flags = flags;
  e.split = split;
  e.used = true;
}

}  // namespace stela::analyzers
