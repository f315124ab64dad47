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

// Patched frame of reference ("PFOR"): `n` values (at most 255) as their low `b` bits, bit-packed,
// plus the high bits of the few that do not fit ("exceptions"), with `b` chosen to minimise the
// bytes. One large value among small ones then costs its own bits, not `n` times as many.
// Layout (FORMAT.md): u8 b | 0x40 if there are exceptions; the low bits (PackBits); then, with
// exceptions: u8 count, u8 high-bit width, the exceptions' indices (u8, increasing), their high
// bits (PackBits). Without exceptions this is exactly u8 b + PackBits(b).
void PackPatched(const std::uint32_t* values, std::size_t n, std::string* out);

// Reads `n` patched values from the first `avail` bytes at `in`. Returns the bytes read, or 0
// when the bytes are malformed or short (never reads past `avail`).
std::size_t UnpackPatched(const char* in, std::size_t avail, std::size_t n, std::uint32_t* values);

// The bytes UnpackPatched would read, from the headers alone (0 when malformed or short).
std::size_t PatchedBytes(const char* in, std::size_t avail, std::size_t n);

}  // namespace stela
