#include "engine/common/bitpack.h"

#include <algorithm>
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

namespace {

constexpr unsigned kHasExceptions = 0x40;

int Width(std::uint32_t v) { return v == 0 ? 0 : 32 - std::countl_zero(v); }

}  // namespace

void PackPatched(const std::uint32_t* values, std::size_t n, std::string* out) {
  // widths[w]: how many values need exactly w bits.
  std::size_t widths[33] = {};
  int max_width = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int w = Width(values[i]);
    ++widths[w];
    max_width = std::max(max_width, w);
  }
  // The cheapest low width: exceptions cost an index byte each plus their packed high bits.
  int best = max_width;
  std::size_t best_bytes = PackedBytes(n, max_width), over = 0;
  for (int b = max_width - 1; b >= 0; --b) {
    over += widths[b + 1];  // values wider than b
    if (over > 255) break;
    const std::size_t bytes = PackedBytes(n, b) + 2 + over + PackedBytes(over, max_width - b);
    if (bytes < best_bytes) {
      best = b;
      best_bytes = bytes;
    }
  }
  std::uint32_t low[256], high[256];
  unsigned char index[256];
  std::size_t exceptions = 0;
  const std::uint32_t mask = best == 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << best) - 1;
  for (std::size_t i = 0; i < n; ++i) {
    low[i] = values[i] & mask;
    if (best < 32 && (values[i] >> best) != 0) {
      index[exceptions] = static_cast<unsigned char>(i);
      high[exceptions++] = values[i] >> best;
    }
  }
  out->push_back(static_cast<char>(best | (exceptions > 0 ? kHasExceptions : 0)));
  PackBits(low, n, best, out);
  if (exceptions == 0) return;
  out->push_back(static_cast<char>(exceptions));
  out->push_back(static_cast<char>(max_width - best));
  out->append(reinterpret_cast<const char*>(index), exceptions);
  PackBits(high, exceptions, max_width - best, out);
}

std::size_t PatchedBytes(const char* in, std::size_t avail, std::size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  if (avail < 1 || n > 255) return 0;
  const unsigned b = p[0] & ~kHasExceptions;
  if (b > 32) return 0;
  std::size_t used = 1 + PackedBytes(n, static_cast<int>(b));
  if ((p[0] & kHasExceptions) == 0) return used <= avail ? used : 0;
  if (used + 2 > avail) return 0;
  const unsigned exceptions = p[used], high_bits = p[used + 1];
  if (exceptions == 0 || exceptions > n || high_bits == 0 || b + high_bits > 32) return 0;
  used += 2 + exceptions + PackedBytes(exceptions, static_cast<int>(high_bits));
  return used <= avail ? used : 0;
}

std::size_t UnpackPatched(const char* in, std::size_t avail, std::size_t n, std::uint32_t* values) {
  const std::size_t used = PatchedBytes(in, avail, n);
  if (used == 0) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  const int b = p[0] & ~kHasExceptions;
  UnpackBits(in + 1, n, b, values);
  if ((p[0] & kHasExceptions) == 0) return used;
  const std::size_t at = 1 + PackedBytes(n, b);
  const unsigned exceptions = p[at], high_bits = p[at + 1];
  const unsigned char* index = p + at + 2;
  std::uint32_t high[256];
  UnpackBits(in + at + 2 + exceptions, exceptions, static_cast<int>(high_bits), high);
  for (unsigned e = 0; e < exceptions; ++e) {
    if (index[e] >= n || (e > 0 && index[e] <= index[e - 1]) || high[e] == 0) return 0;
    values[index[e]] |= high[e] << b;
  }
  return used;
}

}  // namespace stela
