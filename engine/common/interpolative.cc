#include "engine/common/interpolative.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace stela {

namespace {

// Bits are packed least significant first, as PackBits does.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Put(std::uint64_t v, int bits) {  // bits <= 33
    acc_ |= v << filled_;
    filled_ += bits;
    while (filled_ >= 8) {
      out_->push_back(static_cast<char>(acc_));
      acc_ >>= 8;
      filled_ -= 8;
    }
  }
  void Finish() {
    if (filled_ > 0) out_->push_back(static_cast<char>(acc_));
  }

 private:
  std::string* out_;
  std::uint64_t acc_ = 0;
  int filled_ = 0;
};

// Reads past the end as zero bits; the caller checks afterwards that it did not (UsedBytes()).
class BitReader {
 public:
  BitReader(const char* in, std::size_t avail)
      : in_(reinterpret_cast<const unsigned char*>(in)), avail_(avail) {}
  // The next `bits` (<= 33) bits, not consumed.
  std::uint64_t Peek(int bits) {
    if (have_ < bits) Refill();
    return acc_ & ((std::uint64_t{1} << bits) - 1);
  }
  void Skip(int bits) {  // bits <= what Peek made available
    acc_ >>= bits;
    have_ -= bits;
  }
  // Whole bytes taken from the input (the last one possibly in part).
  std::size_t UsedBytes() const { return (loaded_ * 8 - have_ + 7) / 8; }

 private:
  void Refill() {
    if (loaded_ + 8 <= avail_) {
      std::uint64_t w;
      std::memcpy(&w, in_ + loaded_, 8);
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      // Bits beyond the bytes counted as loaded are the next bytes' own bits: loading them
      // again later ORs in the same values.
      acc_ |= w << have_;
      const int bytes = (63 - have_) >> 3;
      loaded_ += bytes;
      have_ += bytes * 8;
      return;
    }
    while (have_ <= 56) {
      acc_ |= std::uint64_t{loaded_ < avail_ ? in_[loaded_] : 0u} << have_;
      ++loaded_;
      have_ += 8;
    }
  }

  const unsigned char* in_;
  std::size_t avail_;
  std::size_t loaded_ = 0;
  std::uint64_t acc_ = 0;
  int have_ = 0;
};

// Truncated binary code of v in [0, range), range in [1, 2^32], with the short codes at both
// ends: with k = floor(log2(range)), u = 2^(k+1) - range values take k bits and the others
// k + 1. The code is the plain truncated binary code of v rotated by h = u / 2: w = (v + h) mod
// range, whose first u values (the short ones) are v's last h and first u - h. Doc ids cluster,
// so the middle doc of a range tends to sit near one of its ends (1.7% fewer bits on real text
// than short codes for the small values only). The first k bits of a long code are
// u + (w - u) / 2, at least u; the extra bit is (w - u) % 2.
void PutTruncated(BitWriter* w, std::uint64_t v, std::uint64_t range) {
  const int k = 63 - std::countl_zero(range);
  const std::uint64_t u = (std::uint64_t{2} << k) - range;
  std::uint64_t x = v + u / 2;
  if (x >= range) x -= range;
  if (x < u) {
    w->Put(x, k);
  } else {
    w->Put(u + ((x - u) >> 1), k);
    w->Put((x - u) & 1, 1);
  }
}

// Without a branch on the value (short and long codes mix unpredictably): reads k + 1 bits
// and keeps the last only for a long code.
std::uint64_t GetTruncated(BitReader* r, std::uint64_t range) {
  const int k = 63 - std::countl_zero(range);
  const std::uint64_t u = (std::uint64_t{2} << k) - range;
  const std::uint64_t bits = r->Peek(k + 1);
  const std::uint64_t x = bits & ((std::uint64_t{1} << k) - 1);
  const bool is_long = x >= u;
  const std::uint64_t long_value = u + (((x - u) << 1) | (bits >> k));
  r->Skip(k + is_long);
  const std::uint64_t w = is_long ? long_value : x;  // < range
  const std::uint64_t h = u / 2;
  return w >= h ? w - h : w + range - h;
}

// The middle value, then the left half, then the right half (each with the bounds the middle
// leaves it). hi - lo + 1 >= n always.
void Encode(BitWriter* w, const std::uint32_t* values, std::size_t n, std::uint64_t lo,
            std::uint64_t hi) {
  while (n > 0) {
    const std::uint64_t range = hi - lo + 1;
    if (range == n) return;  // consecutive: implied
    const std::size_t m = n / 2;
    // values[m] lies in [lo + m, hi - (n - m - 1)]: range - n + 1 choices.
    PutTruncated(w, values[m] - (lo + m), range - n + 1);
    Encode(w, values, m, lo, values[m] - std::uint64_t{1});
    lo = values[m] + std::uint64_t{1};
    values += m + 1;
    n -= m + 1;
  }
}

void Decode(BitReader* r, std::uint32_t* values, std::size_t n, std::uint64_t lo,
            std::uint64_t hi) {
  while (n > 0) {
    const std::uint64_t range = hi - lo + 1;
    if (range == n) {
      for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<std::uint32_t>(lo + i);
      return;
    }
    if (n == 1) {
      values[0] = static_cast<std::uint32_t>(lo + GetTruncated(r, range));
      return;
    }
    const std::size_t m = n / 2;
    const std::uint64_t v = lo + m + GetTruncated(r, range - n + 1);
    values[m] = static_cast<std::uint32_t>(v);
    if (m == 1) {  // a lone left value, without a call: half the tree's nodes are leaves
      values[0] = static_cast<std::uint32_t>(v - lo == 1 ? lo : lo + GetTruncated(r, v - lo));
    } else {
      Decode(r, values, m, lo, v - 1);
    }
    lo = v + 1;
    values += m + 1;
    n -= m + 1;
  }
}

}  // namespace

void PackInterpolative(const std::uint32_t* values, std::size_t n, std::uint32_t lo,
                       std::uint32_t hi, std::string* out) {
  // The caller's contract (the postings writer checks its docs as they are added): a value out
  // of order or out of bounds would wrap a range and corrupt its neighbours' bits.
  for (std::size_t i = 0; i < n; ++i) {
    assert(values[i] >= lo && values[i] <= hi && (i == 0 || values[i] > values[i - 1]));
  }
  BitWriter w(out);
  Encode(&w, values, n, lo, hi);
  w.Finish();
}

std::size_t UnpackInterpolative(const char* in, std::size_t avail, std::size_t n, std::uint32_t lo,
                                std::uint32_t hi, std::uint32_t* values) {
  if (n == 0) return 0;
  if (hi < lo || std::uint64_t{hi} - lo + 1 < n) return kInterpolativeError;
  BitReader r(in, avail);
  Decode(&r, values, n, lo, hi);
  const std::size_t used = r.UsedBytes();
  return used > avail ? kInterpolativeError : used;
}

}  // namespace stela
