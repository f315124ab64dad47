// TermHash: a fast non-cryptographic hash for short terms (stop-word sets, stem caches), computed
// once per token and shared by every lookup of that token.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace stela::analyzers {

// 64-bit multiply-mix over 8-byte words. Not stable across versions: never persist it.
inline std::uint64_t TermHash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = s.size() * kMul;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  h *= kMul;
  return h ^ (h >> 32);
}

}  // namespace stela::analyzers
