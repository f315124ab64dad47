// Binary interpolative coding (Moffat and Stuiver, 2000) of a strictly increasing run of integers
// whose bounds the reader already knows: the middle value is written in the fewest bits its
// neighbours' bounds leave room for, then each half in turn, with the tighter bounds. Clustered
// values cost little (a run of consecutive values costs nothing), and every value a reader
// decodes lies within the bounds whatever the bytes, so corrupt input cannot make ids go
// backwards or out of range. Used for the postings' doc ids (FORMAT.md, version 4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stela {

// Appends `n` strictly increasing values, each in [lo, hi] (so n <= hi - lo + 1), to `*out`,
// padded to a whole byte. n == 0 appends nothing.
void PackInterpolative(const std::uint32_t* values, std::size_t n, std::uint32_t lo,
                       std::uint32_t hi, std::string* out);

// Reads `n` values that PackInterpolative wrote with the same bounds from the first `avail`
// bytes at `in` into `values`. Returns the bytes read (0 for n == 0 or when every value is
// implied by the bounds), or kInterpolativeError when the bytes are short or the bounds cannot
// hold n values. Never reads past `avail`.
inline constexpr std::size_t kInterpolativeError = ~std::size_t{0};
std::size_t UnpackInterpolative(const char* in, std::size_t avail, std::size_t n, std::uint32_t lo,
                                std::uint32_t hi, std::uint32_t* values);

}  // namespace stela
