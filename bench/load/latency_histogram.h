// A latency histogram with logarithmic buckets: every recorded value lands in a bucket no more
// than 1% wide, so percentiles are reported within 1% whatever the range (1 microsecond to
// about 3 hours). Fixed memory, mergeable; not thread-safe (one per thread, merged at the end).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace stela::bench {

class LatencyHistogram {
 public:
  static constexpr double kGrowth = 1.01;  // bucket i holds values in [kGrowth^i, kGrowth^(i+1))
  static constexpr std::size_t kBuckets = 2400;

  void Record(double micros) {
    if (!(micros >= 1.0)) micros = 1.0;  // also catches NaN
    auto i = static_cast<std::size_t>(std::log(micros) / kLogGrowth);
    if (i >= kBuckets) i = kBuckets - 1;
    ++buckets_[i];
    ++count_;
    sum_ += micros;
    if (micros > max_) max_ = micros;
  }

  void Merge(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    if (o.max_ > max_) max_ = o.max_;
  }

  // The value at or below which `p` percent of the values lie (0 < p <= 100): the upper edge
  // of its bucket, never more than the largest value recorded. 0 when empty.
  double Percentile(double p) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    if (rank < 1) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (seen >= rank) {
        const double edge = std::exp(static_cast<double>(i + 1) * kLogGrowth);
        return edge < max_ ? edge : max_;
      }
    }
    return max_;
  }

  std::uint64_t count() const { return count_; }
  double mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }
  double max() const { return max_; }

 private:
  static inline const double kLogGrowth = std::log(kGrowth);
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double max_ = 0;
};

}  // namespace stela::bench
