#include "engine/index/reorder.h"

#include <algorithm>
#include <cmath>

namespace stela::engine::index {

namespace {

class Bisector {
 public:
  Bisector(const DocTerms& docs, const BisectionOptions& options)
      : docs_(docs),
        min_partition_(std::max<std::uint32_t>(1, options.min_partition)),
        max_iterations_(options.max_iterations),
        abort_(options.abort),
        left_(docs.num_terms, 0),
        right_(docs.num_terms, 0),
        gain_lr_(docs.num_terms, 0),
        gain_rl_(docs.num_terms, 0),
        lg_(std::size_t{docs.num_docs()} + 3, 0) {
    for (std::size_t x = 1; x < lg_.size(); ++x) lg_[x] = static_cast<float>(std::log2(x));
    order_.resize(docs.num_docs());
    for (std::uint32_t d = 0; d < order_.size(); ++d) order_[d] = d;
  }

  std::vector<std::uint32_t> Run() {
    Split(0, static_cast<std::uint32_t>(order_.size()));
    return std::move(order_);
  }

 private:
  struct Item {
    float gain;
    std::uint32_t doc;
  };

  // A term's share of the estimated cost of one half of `lg_size` = log2(size) docs holding it
  // in `degree` of them: degree * log2(size / (degree + 1)).
  float Cost(std::int32_t degree, float lg_size) const {
    return static_cast<float>(degree) * (lg_size - lg_[static_cast<std::size_t>(degree) + 1]);
  }

  // What moving one doc holding the term from a half where `from` docs hold it to the other,
  // where `to` do, saves (negative: costs).
  float MoveGain(std::int32_t from, float lg_from, std::int32_t to, float lg_to) const {
    if (from == 0) return 0;
    return Cost(from, lg_from) - Cost(from - 1, lg_from) + Cost(to, lg_to) - Cost(to + 1, lg_to);
  }

  void Count(std::uint32_t doc, std::vector<std::int32_t>& degrees, std::int32_t delta) {
    for (std::uint64_t i = docs_.offsets[doc]; i < docs_.offsets[doc + 1]; ++i) {
      degrees[docs_.terms[i]] += delta;
    }
  }

  float Gain(std::uint32_t doc, const std::vector<float>& gains) const {
    float sum = 0;
    for (std::uint64_t i = docs_.offsets[doc]; i < docs_.offsets[doc + 1]; ++i) {
      sum += gains[docs_.terms[i]];
    }
    return sum;
  }

  void Split(std::uint32_t begin, std::uint32_t end) {
    const std::uint32_t size = end - begin;
    if (size < 2 * min_partition_ || size < 2) return;
    if (abort_ != nullptr && abort_->load(std::memory_order_relaxed)) return;
    const std::uint32_t mid = begin + size / 2;
    touched_.clear();
    for (std::uint32_t p = begin; p < end; ++p) {
      const std::uint32_t doc = order_[p];
      for (std::uint64_t i = docs_.offsets[doc]; i < docs_.offsets[doc + 1]; ++i) {
        const std::uint32_t t = docs_.terms[i];
        if (left_[t] == 0 && right_[t] == 0) touched_.push_back(t);
        ++(p < mid ? left_ : right_)[t];
      }
    }
    const float lg_left = lg_[mid - begin], lg_right = lg_[end - mid];
    std::vector<Item> lefts(mid - begin), rights(end - mid);
    for (std::uint32_t iteration = 0; iteration < max_iterations_; ++iteration) {
      for (std::uint32_t t : touched_) {
        gain_lr_[t] = MoveGain(left_[t], lg_left, right_[t], lg_right);
        gain_rl_[t] = MoveGain(right_[t], lg_right, left_[t], lg_left);
      }
      for (std::uint32_t p = begin; p < mid; ++p) {
        lefts[p - begin] = {Gain(order_[p], gain_lr_), order_[p]};
      }
      for (std::uint32_t p = mid; p < end; ++p) {
        rights[p - mid] = {Gain(order_[p], gain_rl_), order_[p]};
      }
      const auto by_gain = [](const Item& a, const Item& b) {
        return a.gain != b.gain ? a.gain > b.gain : a.doc < b.doc;
      };
      std::sort(lefts.begin(), lefts.end(), by_gain);
      std::sort(rights.begin(), rights.end(), by_gain);
      std::size_t swaps = 0;
      for (; swaps < std::min(lefts.size(), rights.size()); ++swaps) {
        Item& l = lefts[swaps];
        Item& r = rights[swaps];
        if (l.gain + r.gain <= 0) break;
        Count(l.doc, left_, -1);
        Count(l.doc, right_, 1);
        Count(r.doc, right_, -1);
        Count(r.doc, left_, 1);
        std::swap(l.doc, r.doc);
      }
      for (std::uint32_t p = begin; p < mid; ++p) order_[p] = lefts[p - begin].doc;
      for (std::uint32_t p = mid; p < end; ++p) order_[p] = rights[p - mid].doc;
      // Stop once few docs move: the last few tend to swap back and forth for ever.
      if (swaps * 500 <= size) break;
    }
    for (std::uint32_t t : touched_) left_[t] = right_[t] = 0;
    // Each half in doc order before it is split: the swaps leave them sorted by gain, which
    // would make the result depend on float rounding more than it has to.
    std::sort(order_.begin() + begin, order_.begin() + mid);
    std::sort(order_.begin() + mid, order_.begin() + end);
    Split(begin, mid);
    Split(mid, end);
  }

  const DocTerms& docs_;
  const std::uint32_t min_partition_, max_iterations_;
  const std::atomic<bool>* abort_;
  std::vector<std::uint32_t> order_;
  std::vector<std::int32_t> left_, right_;  // per term: docs holding it in each half
  std::vector<float> gain_lr_, gain_rl_;    // per term: MoveGain left to right, right to left
  std::vector<float> lg_;                   // lg_[x] = log2(x)
  std::vector<std::uint32_t> touched_;      // terms of the docs being split
};

}  // namespace

std::vector<std::uint32_t> BisectionOrder(const DocTerms& docs, const BisectionOptions& options) {
  return Bisector(docs, options).Run();
}

double LogGapBits(const DocTerms& docs, const std::vector<std::uint32_t>& order) {
  std::vector<std::int64_t> last(docs.num_terms, -1);
  double bits = 0;
  for (std::size_t p = 0; p < order.size(); ++p) {
    const std::uint32_t doc = order[p];
    for (std::uint64_t i = docs.offsets[doc]; i < docs.offsets[doc + 1]; ++i) {
      const std::uint32_t t = docs.terms[i];
      bits += std::log2(static_cast<double>(static_cast<std::int64_t>(p) - last[t]));
      last[t] = static_cast<std::int64_t>(p);
    }
  }
  return bits;
}

}  // namespace stela::engine::index
