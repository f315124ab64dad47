// Norms: a field's length in one doc quantised to one byte, as Lucene 8 stores it
// (SmallFloat.intToByte4: exact below 24, then 4 significant bits), so BM25 scores match Lucene's.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace stela::engine::codec {

namespace internal {
// A value as 3 mantissa bits (plus the implicit one) and a shift; values below 8 are exact.
constexpr std::uint32_t LongToInt4(std::uint64_t v) {
  const int bits = 64 - std::countl_zero(v);
  if (bits < 4) return static_cast<std::uint32_t>(v);
  const int shift = bits - 4;
  std::uint32_t encoded = static_cast<std::uint32_t>(v >> shift) & 0x07;
  return encoded | static_cast<std::uint32_t>(shift + 1) << 3;
}
constexpr std::uint64_t Int4ToLong(std::uint32_t v) {
  const std::uint64_t bits = v & 0x07;
  const int shift = static_cast<int>(v >> 3) - 1;
  return shift == -1 ? bits : (bits | 0x08) << shift;
}
inline constexpr std::uint32_t kFreeValues = 255 - LongToInt4(0x7fffffff);  // 24
}  // namespace internal

// Length -> byte. Monotonic: a longer field never gets a smaller byte.
constexpr std::uint8_t EncodeNorm(std::uint32_t length) {
  if (length < internal::kFreeValues) return static_cast<std::uint8_t>(length);
  return static_cast<std::uint8_t>(internal::kFreeValues +
                                   internal::LongToInt4(length - internal::kFreeValues));
}
// Byte -> the length it stands for (the smallest length that encodes to it).
constexpr std::uint32_t DecodeNorm(std::uint8_t b) {
  if (b < internal::kFreeValues) return b;
  return static_cast<std::uint32_t>(internal::kFreeValues + internal::Int4ToLong(b - internal::kFreeValues));
}

}  // namespace stela::engine::codec
