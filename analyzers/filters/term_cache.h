// TermCache: a direct-mapped cache from a raw token to what the chain made of it (the final term
// and whether it was kept). Words follow Zipf's law, so a few thousand slots answer most tokens
// with one hash and one compare instead of case folding, stop lookup and a Snowball run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stela::analyzers {

// Not thread-safe: one per TokenStream.
class TermCache {
 public:
  struct Entry {
    std::uint8_t flags = 0;
    bool used = false;  // first, with the key: one cache line answers a miss
    std::uint8_t split = 0;  // the caller's: where `value` splits in two, if it holds two terms
    std::string key;
    std::string value;
  };

  // `slots` is rounded up to a power of two. Memory: about slots * 72 bytes plus long strings.
  explicit TermCache(std::size_t slots);

  // The entry for `key` (whose TermHash is `hash`), or nullptr. Valid until the next Put.
  const Entry* Find(std::string_view key, std::uint64_t hash) const {
    const Entry& e = slots_[hash & mask_];
    return e.used && e.key == key ? &e : nullptr;
  }

  // Asks the CPU to start loading the slot of `hash`: a lookup a few tokens ahead then finds it
  // in cache (the slots of all streams far exceed L2, and a slot miss was most of a lookup).
  void Prefetch(std::uint64_t hash) const {
    const char* p = reinterpret_cast<const char*>(&slots_[hash & mask_]);
    __builtin_prefetch(p);
    __builtin_prefetch(p + sizeof(Entry) - 1);
  }

  // Stores `key` -> (`value`, `flags`, `split`), replacing whatever shared its slot. Keys longer
  // than kMaxKeyBytes are not stored (they are rare and would only churn the cache).
  void Put(std::string_view key, std::uint64_t hash, std::string_view value, std::uint8_t flags,
           std::uint8_t split = 0);

  static constexpr std::size_t kMaxKeyBytes = 48;

 private:
  std::vector<Entry> slots_;
  std::size_t mask_;
};

}  // namespace stela::analyzers
