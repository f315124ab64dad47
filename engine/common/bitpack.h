// Bit packing of small unsigned integers: `n` values of `bits` bits each, little-endian within
// 64-bit words. The building block of the postings codec's 128-doc blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stela {

// Bits needed for the largest of `values` (0 when all are 0).
int MaxBits(const std::uint32_t* values, std::size_t n);

// Bytes that PackBits writes for n values of `bits` bits.
inline std::size_t PackedBytes(std::size_t n, int bits) { return (n * bits + 7) / 8; }

// Appends `n` values of `bits` bits (0..32) to `*out`. Values must fit in `bits`.
void PackBits(const std::uint32_t* values, std::size_t n, int bits, std::string* out);

// Reads `n` values of `bits` bits from `in`, which must hold at least PackedBytes(n, bits).
void UnpackBits(const char* in, std::size_t n, int bits, std::uint32_t* values);

}  // namespace stela
