#include "engine/common/bitpack.h"

#include <bit>
#include <cstring>

namespace stela {

int MaxBits(const std::uint32_t* values, std::size_t n) {
  std::uint32_t all = 0;
  for (std::size_t i = 0; i < n; ++i) all |= values[i];
  return all == 0 ? 0 : 32 - std::countl_zero(all);
}

void PackBits(const std::uint32_t* values, std::size_t n, int bits, std::string* out) {
  if (bits == 0 || n == 0) return;
  const std::size_t start = out->size();
  out->resize(start + PackedBytes(n, bits));
  auto* dst = reinterpret_cast<unsigned char*>(out->data() + start);
  std::uint64_t acc = 0;
  int filled = 0;
  std::size_t o = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc |= std::uint64_t{values[i]} << filled;
    filled += bits;
    while (filled >= 8) {
      dst[o++] = static_cast<unsigned char>(acc);
      acc >>= 8;
      filled -= 8;
    }
  }
  if (filled > 0) dst[o++] = static_cast<unsigned char>(acc);
}

void UnpackBits(const char* in, std::size_t n, int bits, std::uint32_t* values) {
  if (bits == 0) {
    std::memset(values, 0, n * sizeof(std::uint32_t));
    return;
  }
  const auto* src = reinterpret_cast<const unsigned char*>(in);
  const std::uint64_t mask = bits == 32 ? 0xFFFFFFFFull : ((std::uint64_t{1} << bits) - 1);
  const std::size_t total = PackedBytes(n, bits);
  std::uint64_t acc = 0;
  int have = 0;
  std::size_t p = 0;
  for (std::size_t i = 0; i < n; ++i) {
    while (have < bits) {
      acc |= std::uint64_t{p < total ? src[p] : 0u} << have;
      ++p;
      have += 8;
    }
    values[i] = static_cast<std::uint32_t>(acc & mask);
    acc >>= bits;
    have -= bits;
  }
}

}  // namespace stela
