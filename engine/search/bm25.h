// BM25 as Lucene 8 computes it (k1 = 1.2, b = 0.75, no (k1 + 1) factor): idf from the field's
// doc count and the term's doc frequency, the field length from its one-byte norm, in float
// arithmetic in the same order as Lucene so scores agree to the last bit.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "engine/codec/norms.h"

namespace stela::engine::search {

inline constexpr float kK1 = 1.2f;
inline constexpr float kB = 0.75f;

// idf = ln(1 + (N - df + 0.5) / (df + 0.5)), N = docs with the field.
inline float Bm25Idf(std::uint64_t doc_freq, std::uint64_t doc_count) {
  return static_cast<float>(std::log(1.0 + (static_cast<double>(doc_count) -
                                            static_cast<double>(doc_freq) + 0.5) /
                                               (static_cast<double>(doc_freq) + 0.5)));
}

// 1 / (k1 * (1 - b + b * length / avgdl)) for each of the 256 norm bytes of one field.
struct Bm25Norms {
  std::array<float, 256> inverse{};

  static Bm25Norms ForField(std::uint64_t doc_count, std::uint64_t sum_length) {
    Bm25Norms n;
    const float avgdl =
        doc_count == 0 ? 1.0f
                       : static_cast<float>(static_cast<double>(sum_length) /
                                            static_cast<double>(doc_count));
    for (int i = 0; i < 256; ++i) {
      const float length = static_cast<float>(codec::DecodeNorm(static_cast<std::uint8_t>(i)));
      n.inverse[static_cast<std::size_t>(i)] = 1.0f / (kK1 * ((1 - kB) + kB * length / avgdl));
    }
    return n;
  }
};

// weight = boost * idf.
inline float Bm25Score(float weight, float freq, float norm_inverse) {
  return weight - weight / (1.0f + freq * norm_inverse);
}

}  // namespace stela::engine::search
