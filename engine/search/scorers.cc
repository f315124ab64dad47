#include "engine/search/scorers.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <utility>

#include "engine/search/bm25.h"

namespace stela::engine::search {

namespace {

// Upper bounds are summed in double and widened by this much, so float rounding in the real
// (differently ordered) sums can never make a bound fall below a score it should cover.
constexpr double kBoundSlack = 1e-5;
bool BelowMin(double bound, float min_competitive) {
  return bound * (1 + kBoundSlack) + 1e-9 < static_cast<double>(min_competitive);
}

// One term's postings. Block maxima come from the skip data: the block's highest frequency and
// shortest field give a score no doc of the block can exceed.
class TermScorer final : public Scorer {
 public:
  explicit TermScorer(TermInput in) : in_(std::move(in)) {}

  Status Init() {
    STELA_RETURN_IF_ERROR(it_.Init(in_.postings[0]));
    doc_ = it_.doc();
    const auto& blocks = it_.blocks();
    block_max_.resize(blocks.size());
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      block_max_[b] = ScoreOf(static_cast<float>(blocks[b].max_freq),
                              codec::EncodeNorm(blocks[b].min_length));
      max_score_ = std::max(max_score_, block_max_[b]);
    }
    return Status::OK();
  }

  std::uint32_t Next() override {
    it_.Next();
    return doc_ = it_.doc();
  }
  std::uint32_t Advance(std::uint32_t target) override {
    if (doc_ >= target) return doc_;
    it_.Advance(target);
    return doc_ = it_.doc();
  }
  float Score() override {
    if (!in_.scoring) return 0;
    const std::uint8_t norm = in_.norms != nullptr ? in_.norms[doc_] : 1;
    return ScoreOf(static_cast<float>(it_.freq()), norm);
  }
  float MaxScore() const override { return max_score_; }
  std::uint32_t ShallowAdvance(std::uint32_t target) override {
    const auto& blocks = it_.blocks();
    const auto found = std::partition_point(
        blocks.begin(), blocks.end(),
        [target](const codec::BlockInfo& b) { return b.last_doc < target; });
    shallow_block_ = static_cast<std::size_t>(found - blocks.begin());
    return found == blocks.end() ? kLastDoc : found->last_doc;
  }
  float MaxScoreUpTo(std::uint32_t upto) override {
    const auto& blocks = it_.blocks();
    float m = 0;
    for (std::size_t b = shallow_block_; b < blocks.size(); ++b) {
      m = std::max(m, block_max_[b]);
      if (blocks[b].last_doc >= upto) break;
    }
    return m;
  }
  std::uint64_t Cost() const override { return it_.doc_freq(); }
  Status status() const override { return it_.status(); }

 private:
  float ScoreOf(float freq, std::uint8_t norm) const {
    if (!in_.scoring) return 0;
    return Bm25Score(in_.weight, freq, in_.norm_inverse[norm]);
  }

  TermInput in_;
  codec::PostingsIterator it_;
  std::vector<float> block_max_;
  float max_score_ = 0;
  std::size_t shallow_block_ = 0;
};

// Several terms scored as one: a doc's frequency is the sum over the terms it holds.
class BlendedScorer final : public Scorer {
 public:
  explicit BlendedScorer(TermInput in) : in_(std::move(in)), its_(in_.postings.size()) {}

  Status Init() {
    if (in_.weights.size() != in_.postings.size()) in_.weights.assign(in_.postings.size(), 1.0f);
    double max_freq = 0;
    std::uint32_t min_length = UINT32_MAX;
    for (std::size_t i = 0; i < its_.size(); ++i) {
      STELA_RETURN_IF_ERROR(its_[i].Init(in_.postings[i]));
      cost_ += its_[i].doc_freq();
      std::uint32_t term_max = 0;
      for (const codec::BlockInfo& b : its_[i].blocks()) {
        term_max = std::max(term_max, b.max_freq);
        min_length = std::min(min_length, b.min_length);
      }
      max_freq += term_max * static_cast<double>(in_.weights[i]);
    }
    max_score_ = in_.scoring ? Bm25Score(in_.weight, static_cast<float>(max_freq * (1 + 1e-6)),
                                         in_.norm_inverse[codec::EncodeNorm(
                                             min_length == UINT32_MAX ? 0 : min_length)])
                             : 0;
    Settle();
    return Status::OK();
  }

  std::uint32_t Next() override { return Advance(doc_ + 1); }
  std::uint32_t Advance(std::uint32_t target) override {
    if (doc_ >= target) return doc_;
    while (true) {
      for (codec::PostingsIterator& it : its_) it.Advance(target);
      Settle();
      if (min_competitive_ <= 0 || doc_ == kNoMoreDocs) return doc_;
      // Block-max: skip a window whose best possible score cannot compete.
      if (static_cast<std::int64_t>(doc_) > window_end_) {
        const std::uint32_t end = ShallowAdvance(doc_);
        window_end_ = end;
        if (BelowMin(MaxScoreUpTo(end), min_competitive_)) {
          if (end >= kLastDoc) return doc_ = kNoMoreDocs;
          target = end + 1;
          continue;
        }
      }
      return doc_;
    }
  }
  void SetMinCompetitiveScore(float score) override { min_competitive_ = score; }
  std::uint32_t ShallowAdvance(std::uint32_t target) override {
    std::uint32_t end = kLastDoc;
    shallow_.resize(its_.size());
    for (std::size_t i = 0; i < its_.size(); ++i) {
      const auto& blocks = its_[i].blocks();
      const auto found = std::partition_point(
          blocks.begin(), blocks.end(),
          [target](const codec::BlockInfo& b) { return b.last_doc < target; });
      shallow_[i] = static_cast<std::size_t>(found - blocks.begin());
      if (found != blocks.end()) end = std::min(end, found->last_doc);
    }
    return end;
  }
  float MaxScoreUpTo(std::uint32_t upto) override {
    if (!in_.scoring) return 0;
    double freq = 0;
    std::uint32_t min_length = UINT32_MAX;
    for (std::size_t i = 0; i < its_.size() && i < shallow_.size(); ++i) {
      const auto& blocks = its_[i].blocks();
      std::uint32_t f = 0;
      for (std::size_t b = shallow_[i]; b < blocks.size(); ++b) {
        f = std::max(f, blocks[b].max_freq);
        min_length = std::min(min_length, blocks[b].min_length);
        if (blocks[b].last_doc >= upto) break;
      }
      freq += f * static_cast<double>(in_.weights[i]);
    }
    if (freq == 0) return 0;
    return Bm25Score(in_.weight, static_cast<float>(freq * (1 + 1e-6)),
                     in_.norm_inverse[codec::EncodeNorm(min_length == UINT32_MAX ? 0 : min_length)]);
  }
  float Score() override {
    if (!in_.scoring) return 0;
    float freq = 0;
    for (std::size_t i = 0; i < its_.size(); ++i) {
      if (its_[i].doc() == doc_) freq += in_.weights[i] * static_cast<float>(its_[i].freq());
    }
    const std::uint8_t norm = in_.norms != nullptr ? in_.norms[doc_] : 1;
    return Bm25Score(in_.weight, freq, in_.norm_inverse[norm]);
  }
  float MaxScore() const override { return max_score_; }
  std::uint64_t Cost() const override { return cost_; }
  Status status() const override {
    for (const codec::PostingsIterator& it : its_) STELA_RETURN_IF_ERROR(it.status());
    return Status::OK();
  }

 private:
  void Settle() {
    doc_ = kNoMoreDocs;
    for (const codec::PostingsIterator& it : its_) doc_ = std::min(doc_, it.doc());
  }

  TermInput in_;
  std::vector<codec::PostingsIterator> its_;
  float max_score_ = 0;
  std::uint64_t cost_ = 0;
  float min_competitive_ = 0;
  std::int64_t window_end_ = -1;
  std::vector<std::size_t> shallow_;  // per term: the block ShallowAdvance found
};

// A phrase: a conjunction of its positions (each a union of variants), confirmed by positions.
class PhraseScorer final : public Scorer {
 public:
  explicit PhraseScorer(PhraseInput in) : in_(std::move(in)) {}

  Status Init() {
    for (const PhrasePosition& p : in_.positions) {
      std::vector<codec::PostingsIterator> alts(p.postings.size());
      for (std::size_t i = 0; i < alts.size(); ++i) {
        STELA_RETURN_IF_ERROR(alts[i].Init(p.postings[i]));
        if (!alts[i].has_positions()) {
          return Status::NotSupported(
              "illegal_state_exception: field was indexed without position data; cannot run "
              "a phrase query");
        }
        cost_ = std::max<std::uint64_t>(cost_, alts[i].doc_freq());
      }
      slots_.push_back(std::move(alts));
      offsets_.push_back(p.offset);
    }
    positions_.resize(slots_.size());
    Find(0);
    return Status::OK();
  }

  std::uint32_t Next() override { return Find(doc_ + 1); }
  std::uint32_t Advance(std::uint32_t target) override {
    if (doc_ >= target) return doc_;
    return Find(target);
  }
  float Score() override {
    if (!in_.scoring) return 0;
    const std::uint8_t norm = in_.norms != nullptr ? in_.norms[doc_] : 1;
    return Bm25Score(in_.weight, freq_, in_.norm_inverse[norm]);
  }
  // freq / (freq + norm) < 1 for any frequency.
  float MaxScore() const override { return in_.scoring ? in_.weight : 0; }
  std::uint64_t Cost() const override { return cost_; }
  Status status() const override {
    if (!status_.ok()) return status_;
    for (const auto& alts : slots_) {
      for (const codec::PostingsIterator& it : alts) STELA_RETURN_IF_ERROR(it.status());
    }
    return Status::OK();
  }

 private:
  std::uint32_t SlotDoc(std::size_t s) const {
    std::uint32_t d = kNoMoreDocs;
    for (const codec::PostingsIterator& it : slots_[s]) d = std::min(d, it.doc());
    return d;
  }
  std::uint32_t AdvanceSlot(std::size_t s, std::uint32_t target) {
    for (codec::PostingsIterator& it : slots_[s]) it.Advance(target);
    return SlotDoc(s);
  }

  std::uint32_t Find(std::uint32_t target) {
    while (true) {
      std::uint32_t d = target;
      bool aligned = false;
      while (!aligned) {
        aligned = true;
        for (std::size_t s = 0; s < slots_.size(); ++s) {
          const std::uint32_t at = AdvanceSlot(s, d);
          if (at == kNoMoreDocs) return doc_ = kNoMoreDocs;
          if (at != d) {
            d = at;
            aligned = false;
          }
        }
      }
      // Every slot is on d: gather positions.
      for (std::size_t s = 0; s < slots_.size(); ++s) {
        std::vector<std::uint32_t>& out = positions_[s];
        out.clear();
        for (codec::PostingsIterator& it : slots_[s]) {
          if (it.doc() != d) continue;
          Status st = it.Positions(&scratch_);
          if (!st.ok()) {
            status_ = st;
            return doc_ = kNoMoreDocs;
          }
          out.insert(out.end(), scratch_.begin(), scratch_.end());
        }
        if (slots_[s].size() > 1) std::sort(out.begin(), out.end());
      }
      freq_ = PhraseFreq(positions_, offsets_, in_.slop);
      if (freq_ > 0) return doc_ = d;
      target = d + 1;
    }
  }

  PhraseInput in_;
  std::vector<std::vector<codec::PostingsIterator>> slots_;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::vector<std::uint32_t>> positions_;
  std::vector<std::uint32_t> scratch_;
  float freq_ = 0;
  std::uint64_t cost_ = 0;
  Status status_;
};

class DocSetScorer final : public Scorer {
 public:
  DocSetScorer(std::vector<std::uint64_t> bits, std::uint32_t max_doc, float score)
      : bits_(std::move(bits)), max_doc_(max_doc), score_(score) {
    for (std::uint64_t w : bits_) cost_ += static_cast<std::uint64_t>(std::popcount(w));
    Find(0);
  }
  std::uint32_t Next() override { return Find(doc_ + 1); }
  std::uint32_t Advance(std::uint32_t target) override {
    return doc_ >= target ? doc_ : Find(target);
  }
  float Score() override { return score_; }
  float MaxScore() const override { return score_; }
  std::uint64_t Cost() const override { return cost_; }

 private:
  std::uint32_t Find(std::uint32_t target) {
    if (target >= max_doc_) return doc_ = kNoMoreDocs;
    std::size_t w = target / 64;
    std::uint64_t word = bits_[w] & (~std::uint64_t{0} << (target % 64));
    while (word == 0) {
      if (++w >= bits_.size()) return doc_ = kNoMoreDocs;
      word = bits_[w];
    }
    const auto d = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(word)));
    return doc_ = d < max_doc_ ? d : kNoMoreDocs;
  }

  std::vector<std::uint64_t> bits_;
  std::uint32_t max_doc_;
  float score_;
  std::uint64_t cost_ = 0;
};

class AllScorer final : public Scorer {
 public:
  AllScorer(std::uint32_t max_doc, float score) : max_doc_(max_doc), score_(score) {
    doc_ = max_doc_ == 0 ? kNoMoreDocs : 0;
  }
  std::uint32_t Next() override { return Advance(doc_ + 1); }
  std::uint32_t Advance(std::uint32_t target) override {
    if (doc_ >= target) return doc_;
    return doc_ = target < max_doc_ ? target : kNoMoreDocs;
  }
  float Score() override { return score_; }
  float MaxScore() const override { return score_; }
  std::uint64_t Cost() const override { return max_doc_; }

 private:
  std::uint32_t max_doc_;
  float score_;
};

class ConjunctionScorer final : public Scorer {
 public:
  ConjunctionScorer(std::vector<std::unique_ptr<Scorer>> children, std::vector<bool> scoring)
      : children_(std::move(children)), scoring_(std::move(scoring)) {
    order_.resize(children_.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::sort(order_.begin(), order_.end(), [this](std::size_t a, std::size_t b) {
      return children_[a]->Cost() < children_[b]->Cost();
    });
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (scoring_[i]) max_score_ += children_[i]->MaxScore();
    }
    std::uint32_t start = 0;
    for (const auto& c : children_) start = std::max(start, c->doc());
    Find(start);
  }

  std::uint32_t Next() override { return Find(doc_ + 1); }
  std::uint32_t Advance(std::uint32_t target) override {
    return doc_ >= target ? doc_ : Find(target);
  }
  float Score() override {
    float sum = 0;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (scoring_[i]) sum += children_[i]->Score();
    }
    return sum;
  }
  float MaxScore() const override { return static_cast<float>(max_score_ * (1 + kBoundSlack)); }
  std::uint32_t ShallowAdvance(std::uint32_t target) override {
    std::uint32_t upto = kLastDoc;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (scoring_[i]) upto = std::min(upto, children_[i]->ShallowAdvance(target));
    }
    return upto;
  }
  float MaxScoreUpTo(std::uint32_t upto) override {
    double sum = 0;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (scoring_[i]) sum += children_[i]->MaxScoreUpTo(upto);
    }
    return static_cast<float>(sum * (1 + kBoundSlack));
  }
  void SetMinCompetitiveScore(float score) override { min_competitive_ = score; }
  std::uint64_t Cost() const override { return children_[order_[0]]->Cost(); }
  Status status() const override {
    for (const auto& c : children_) STELA_RETURN_IF_ERROR(c->status());
    return Status::OK();
  }

 private:
  std::uint32_t Find(std::uint32_t target) {
    while (true) {
      std::uint32_t d = children_[order_[0]]->Advance(target);
      if (d == kNoMoreDocs) return doc_ = kNoMoreDocs;
      if (min_competitive_ > 0 && static_cast<std::int64_t>(d) > window_end_) {
        // Block-max: skip the whole window when its best possible score cannot compete.
        const std::uint32_t end = ShallowAdvance(d);
        window_end_ = end;
        if (BelowMin(MaxScoreUpTo(end), min_competitive_)) {
          if (end >= kLastDoc) return doc_ = kNoMoreDocs;
          target = end + 1;
          continue;
        }
      }
      bool all = true;
      for (std::size_t k = 1; k < order_.size(); ++k) {
        const std::uint32_t at = children_[order_[k]]->Advance(d);
        if (at != d) {
          if (at == kNoMoreDocs) return doc_ = kNoMoreDocs;
          target = at;
          all = false;
          break;
        }
      }
      if (all) return doc_ = d;
    }
  }

  std::vector<std::unique_ptr<Scorer>> children_;
  std::vector<bool> scoring_;
  std::vector<std::size_t> order_;  // by cost: the cheapest leads
  double max_score_ = 0;
  float min_competitive_ = 0;
  std::int64_t window_end_ = -1;
};

// A disjunction. Exhaustive, it stands on the smallest child doc; with a minimum competitive
// score (and min_should_match 1, sum scoring) it runs MaxScore over block-max windows: children
// whose window maxima together cannot reach the minimum are "non-essential" and only checked on
// the candidates the essential ones produce.
class DisjunctionScorer final : public Scorer {
 public:
  DisjunctionScorer(std::vector<std::unique_ptr<Scorer>> children, std::uint32_t msm,
                    bool dis_max, float tie_breaker)
      : children_(std::move(children)), msm_(std::max<std::uint32_t>(msm, 1)), dis_max_(dis_max),
        tie_breaker_(tie_breaker) {
    for (const auto& c : children_) {
      cost_ += c->Cost();
      sum_max_ += c->MaxScore();
      max_max_ = std::max<double>(max_max_, c->MaxScore());
    }
    window_max_.resize(children_.size());
    by_max_.resize(children_.size());
    std::iota(by_max_.begin(), by_max_.end(), 0);
    Find(0);
  }

  std::uint32_t Next() override { return Find(doc_ + 1); }
  std::uint32_t Advance(std::uint32_t target) override {
    return doc_ >= target ? doc_ : Find(target);
  }
  float Score() override {
    float sum = 0, best = 0;
    for (const auto& c : children_) {
      if (c->doc() != doc_) continue;
      const float s = c->Score();
      sum += s;
      best = std::max(best, s);
    }
    return dis_max_ ? best + (sum - best) * tie_breaker_ : sum;
  }
  float MaxScore() const override {
    const double m = dis_max_ ? max_max_ + (sum_max_ - max_max_) * tie_breaker_ : sum_max_;
    return static_cast<float>(m * (1 + kBoundSlack));
  }
  void SetMinCompetitiveScore(float score) override {
    if (msm_ != 1) return;
    min_competitive_ = score;
    // dis_max without tie breaker scores a doc as its best child: a child below the minimum
    // cannot lift a doc over it, so each child may skip such docs on its own.
    if (dis_max_ && tie_breaker_ == 0) {
      for (auto& c : children_) c->SetMinCompetitiveScore(score);
    }
  }
  std::uint64_t Cost() const override { return cost_; }
  Status status() const override {
    for (const auto& c : children_) STELA_RETURN_IF_ERROR(c->status());
    return Status::OK();
  }

 private:
  std::uint32_t Find(std::uint32_t target) {
    return min_competitive_ > 0 ? FindPruned(target) : FindAll(target);
  }

  std::uint32_t FindAll(std::uint32_t target) {
    while (true) {
      std::uint32_t d = kNoMoreDocs;
      for (const auto& c : children_) d = std::min(d, c->Advance(target));
      if (d == kNoMoreDocs || msm_ <= 1) return doc_ = d;
      std::uint32_t n = 0;
      for (const auto& c : children_) n += c->doc() == d ? 1 : 0;
      if (n >= msm_) return doc_ = d;
      target = d + 1;
    }
  }

  // Recomputes the window that starts at `target`: its end, each child's maximum in it, and
  // how many of the lowest-maximum children are non-essential.
  void UpdateWindow(std::uint32_t target) {
    std::uint32_t end = kLastDoc;
    for (const auto& c : children_) end = std::min(end, c->ShallowAdvance(target));
    window_end_ = end;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      window_max_[i] = children_[i]->MaxScoreUpTo(end);
    }
    std::sort(by_max_.begin(), by_max_.end(),
              [this](std::size_t a, std::size_t b) { return window_max_[a] < window_max_[b]; });
    // A prefix of children is non-essential when even all of them together cannot reach the
    // minimum: their sum for sum scoring (and for dis_max with a tie breaker, which never scores
    // above the sum), their maximum for plain dis_max.
    const bool by_max = dis_max_ && tie_breaker_ == 0;
    double prefix = 0;
    non_essential_ = 0;
    while (non_essential_ < by_max_.size()) {
      const double w = window_max_[by_max_[non_essential_]];
      const double next = by_max ? std::max(prefix, w) : prefix + w;
      if (!BelowMin(next, min_competitive_)) break;
      prefix = next;
      ++non_essential_;
    }
    non_essential_max_ = prefix;
  }

  std::uint32_t FindPruned(std::uint32_t target) {
    while (true) {
      if (static_cast<std::int64_t>(target) > window_end_) {
        UpdateWindow(target);
        if (non_essential_ == by_max_.size()) {  // nothing in this window can compete
          if (window_end_ >= kLastDoc) return doc_ = kNoMoreDocs;
          target = static_cast<std::uint32_t>(window_end_) + 1;
          continue;
        }
      }
      std::uint32_t d = kNoMoreDocs;
      for (std::size_t k = non_essential_; k < by_max_.size(); ++k) {
        d = std::min(d, children_[by_max_[k]]->Advance(target));
      }
      if (d == kNoMoreDocs) return doc_ = kNoMoreDocs;
      if (static_cast<std::int64_t>(d) > window_end_) {
        target = d;
        continue;
      }
      if (dis_max_) {
        // The non-essential children stand on d too, so Score() sees every child on it; the
        // collector decides whether the doc competes.
        for (std::size_t k = 0; k < non_essential_; ++k) children_[by_max_[k]]->Advance(d);
        return doc_ = d;
      }
      double partial = 0;
      for (std::size_t k = non_essential_; k < by_max_.size(); ++k) {
        Scorer& c = *children_[by_max_[k]];
        if (c.doc() == d) partial += c.Score();
      }
      double remaining = non_essential_max_;
      bool competitive = !BelowMin(partial + remaining, min_competitive_);
      for (std::size_t k = non_essential_; competitive && k-- > 0;) {
        Scorer& c = *children_[by_max_[k]];
        remaining -= window_max_[by_max_[k]];
        if (c.Advance(d) == d) partial += c.Score();
        competitive = !BelowMin(partial + remaining, min_competitive_);
      }
      if (competitive) {
        // Every non-essential child now stands at or after d; those on d count in Score().
        return doc_ = d;
      }
      target = d + 1;
    }
  }

  std::vector<std::unique_ptr<Scorer>> children_;
  std::uint32_t msm_;
  bool dis_max_;
  float tie_breaker_;
  std::uint64_t cost_ = 0;
  double sum_max_ = 0, max_max_ = 0;
  float min_competitive_ = 0;
  std::int64_t window_end_ = -1;
  std::vector<float> window_max_;
  std::vector<std::size_t> by_max_;  // children by window maximum, ascending
  std::size_t non_essential_ = 0;    // the first this many of by_max_
  double non_essential_max_ = 0;
};

class ExclusionScorer final : public Scorer {
 public:
  ExclusionScorer(std::unique_ptr<Scorer> main, std::vector<std::unique_ptr<Scorer>> excluded)
      : main_(std::move(main)), excluded_(std::move(excluded)) {
    Settle(main_->doc());
  }
  std::uint32_t Next() override { return Settle(main_->Next()); }
  std::uint32_t Advance(std::uint32_t target) override {
    return doc_ >= target ? doc_ : Settle(main_->Advance(target));
  }
  float Score() override { return main_->Score(); }
  float MaxScore() const override { return main_->MaxScore(); }
  std::uint32_t ShallowAdvance(std::uint32_t t) override { return main_->ShallowAdvance(t); }
  float MaxScoreUpTo(std::uint32_t upto) override { return main_->MaxScoreUpTo(upto); }
  void SetMinCompetitiveScore(float s) override { main_->SetMinCompetitiveScore(s); }
  std::uint64_t Cost() const override { return main_->Cost(); }
  Status status() const override {
    STELA_RETURN_IF_ERROR(main_->status());
    for (const auto& c : excluded_) STELA_RETURN_IF_ERROR(c->status());
    return Status::OK();
  }

 private:
  std::uint32_t Settle(std::uint32_t d) {
    while (d != kNoMoreDocs) {
      bool hit = false;
      for (const auto& e : excluded_) {
        if (e->Advance(d) == d) {
          hit = true;
          break;
        }
      }
      if (!hit) break;
      d = main_->Next();
    }
    return doc_ = d;
  }

  std::unique_ptr<Scorer> main_;
  std::vector<std::unique_ptr<Scorer>> excluded_;
};

class ReqOptScorer final : public Scorer {
 public:
  ReqOptScorer(std::unique_ptr<Scorer> req, std::unique_ptr<Scorer> opt)
      : req_(std::move(req)), opt_(std::move(opt)) {
    doc_ = req_->doc();
  }
  std::uint32_t Next() override { return doc_ = req_->Next(); }
  std::uint32_t Advance(std::uint32_t target) override { return doc_ = req_->Advance(target); }
  float Score() override {
    const float r = req_->Score();
    return opt_->Advance(doc_) == doc_ ? r + opt_->Score() : r;
  }
  float MaxScore() const override {
    return static_cast<float>((static_cast<double>(req_->MaxScore()) + opt_->MaxScore()) *
                              (1 + kBoundSlack));
  }
  std::uint64_t Cost() const override { return req_->Cost(); }
  Status status() const override {
    STELA_RETURN_IF_ERROR(req_->status());
    return opt_->status();
  }

 private:
  std::unique_ptr<Scorer> req_, opt_;
};

class ConstantScorer final : public Scorer {
 public:
  ConstantScorer(std::unique_ptr<Scorer> child, float score)
      : child_(std::move(child)), score_(score) {
    doc_ = child_->doc();
  }
  std::uint32_t Next() override { return doc_ = child_->Next(); }
  std::uint32_t Advance(std::uint32_t target) override { return doc_ = child_->Advance(target); }
  float Score() override { return score_; }
  float MaxScore() const override { return score_; }
  std::uint64_t Cost() const override { return child_->Cost(); }
  Status status() const override { return child_->status(); }

 private:
  std::unique_ptr<Scorer> child_;
  float score_;
};

}  // namespace

float PhraseFreq(const std::vector<std::vector<std::uint32_t>>& positions,
                 const std::vector<std::uint32_t>& offsets, std::uint32_t slop) {
  const std::size_t n = positions.size();
  if (n == 0) return 0;
  for (const auto& p : positions) {
    if (p.empty()) return 0;
  }
  std::vector<std::size_t> idx(n, 0);
  float freq = 0;
  while (true) {
    std::int64_t lo = INT64_MAX, hi = INT64_MIN;
    std::size_t argmin = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t v =
          static_cast<std::int64_t>(positions[i][idx[i]]) - static_cast<std::int64_t>(offsets[i]);
      if (v < lo) {
        lo = v;
        argmin = i;
      }
      hi = std::max(hi, v);
    }
    const std::int64_t width = hi - lo;
    if (width <= static_cast<std::int64_t>(slop)) freq += 1.0f / (1.0f + static_cast<float>(width));
    if (++idx[argmin] == positions[argmin].size()) break;
  }
  return freq;
}

StatusOr<std::unique_ptr<Scorer>> NewTermScorer(TermInput input) {
  if (input.postings.size() == 1) {
    auto s = std::make_unique<TermScorer>(std::move(input));
    STELA_RETURN_IF_ERROR(s->Init());
    return std::unique_ptr<Scorer>(std::move(s));
  }
  auto s = std::make_unique<BlendedScorer>(std::move(input));
  STELA_RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Scorer>(std::move(s));
}

StatusOr<std::unique_ptr<Scorer>> NewPhraseScorer(PhraseInput input) {
  auto s = std::make_unique<PhraseScorer>(std::move(input));
  STELA_RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Scorer>(std::move(s));
}

std::unique_ptr<Scorer> NewDocSetScorer(std::vector<std::uint64_t> bits, std::uint32_t max_doc,
                                        float score) {
  return std::make_unique<DocSetScorer>(std::move(bits), max_doc, score);
}
std::unique_ptr<Scorer> NewAllScorer(std::uint32_t max_doc, float score) {
  return std::make_unique<AllScorer>(max_doc, score);
}
std::unique_ptr<Scorer> NewConjunctionScorer(std::vector<std::unique_ptr<Scorer>> children,
                                             std::vector<bool> scoring) {
  if (children.size() == 1 && scoring[0]) return std::move(children[0]);
  return std::make_unique<ConjunctionScorer>(std::move(children), std::move(scoring));
}
std::unique_ptr<Scorer> NewDisjunctionScorer(std::vector<std::unique_ptr<Scorer>> children,
                                             std::uint32_t min_should_match, bool dis_max,
                                             float tie_breaker) {
  if (children.size() == 1 && min_should_match <= 1) return std::move(children[0]);
  return std::make_unique<DisjunctionScorer>(std::move(children), min_should_match, dis_max,
                                             tie_breaker);
}
std::unique_ptr<Scorer> NewExclusionScorer(std::unique_ptr<Scorer> main,
                                           std::vector<std::unique_ptr<Scorer>> excluded) {
  if (excluded.empty()) return main;
  return std::make_unique<ExclusionScorer>(std::move(main), std::move(excluded));
}
std::unique_ptr<Scorer> NewReqOptScorer(std::unique_ptr<Scorer> required,
                                        std::unique_ptr<Scorer> optional) {
  return std::make_unique<ReqOptScorer>(std::move(required), std::move(optional));
}
std::unique_ptr<Scorer> NewConstantScorer(std::unique_ptr<Scorer> child, float score) {
  return std::make_unique<ConstantScorer>(std::move(child), score);
}

}  // namespace stela::engine::search
