// Scorers: per-segment iterators over the docs a query matches, in increasing docno, with their
// BM25 scores and upper bounds for dynamic pruning (block-max for terms, MaxScore for
// disjunctions, block-max skipping for conjunctions).
//
// Protocol: a scorer is positioned on its first match when created (doc() == kNoMoreDocs when it
// has none). Next() moves to the following match; Advance(t) to the first match >= t (a no-op
// when doc() >= t). Once SetMinCompetitiveScore(s) is called, a scorer may skip docs whose score
// is below s. Scores of a compound are summed in clause order, so the pruned and the exhaustive
// path give bit-identical scores. Not thread-safe; one per search and segment.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/codec/postings.h"
#include "stela/common/status.h"

namespace stela::engine::search {

inline constexpr std::uint32_t kNoMoreDocs = codec::kNoMoreDocs;
inline constexpr std::uint32_t kLastDoc = kNoMoreDocs - 1;

class Scorer {
 public:
  virtual ~Scorer() = default;
  std::uint32_t doc() const { return doc_; }
  virtual std::uint32_t Next() = 0;
  virtual std::uint32_t Advance(std::uint32_t target) = 0;
  virtual float Score() = 0;
  // An upper bound of Score() over the segment.
  virtual float MaxScore() const = 0;
  // The last doc of the block holding `target`: MaxScoreUpTo bounds docs from target to there.
  virtual std::uint32_t ShallowAdvance(std::uint32_t /*target*/) { return kLastDoc; }
  // An upper bound of Score() for docs from the last ShallowAdvance target up to `upto`.
  virtual float MaxScoreUpTo(std::uint32_t /*upto*/) { return MaxScore(); }
  virtual void SetMinCompetitiveScore(float /*score*/) {}
  // Estimated number of matches (drives conjunction order).
  virtual std::uint64_t Cost() const = 0;
  // Corruption met while iterating (the iteration then ends early).
  virtual Status status() const { return Status::OK(); }

 protected:
  std::uint32_t doc_ = kNoMoreDocs;
};

// A term, or several terms scored as one (blended: frequencies summed, one weight).
struct TermInput {
  // Encoded, one per term present in the segment. Views: the bytes (held by the Plan) must
  // outlive the scorer.
  std::vector<std::string_view> postings;
  // Blended terms: each term's frequency counts this much (Lucene's SynonymQuery term boosts);
  // empty means 1 for all.
  std::vector<float> weights;
  float weight = 0;                   // boost * idf; 0 with scoring off
  const float* norm_inverse = nullptr;  // 256 entries (Bm25Norms)
  const std::uint8_t* norms = nullptr;  // per doc; null: length 1
  bool scoring = true;
};
StatusOr<std::unique_ptr<Scorer>> NewTermScorer(TermInput input);

// One position of a phrase: the terms (variants) that may stand there.
struct PhrasePosition {
  std::vector<std::string_view> postings;  // views into the Plan's bytes
  std::uint32_t offset = 0;  // position in the query
};
struct PhraseInput {
  std::vector<PhrasePosition> positions;
  std::uint32_t slop = 0;
  float weight = 0;  // boost * sum of the positions' idf
  const float* norm_inverse = nullptr;
  const std::uint8_t* norms = nullptr;
  bool scoring = true;
};
// Returns NotSupported ("... indexed without position data") if a list lacks positions.
StatusOr<std::unique_ptr<Scorer>> NewPhraseScorer(PhraseInput input);
// The phrase frequency of one doc: the position lists (sorted) of each query position, minus
// their offsets, swept for windows no wider than slop; each window counts 1 / (1 + width).
float PhraseFreq(const std::vector<std::vector<std::uint32_t>>& positions,
                 const std::vector<std::uint32_t>& offsets, std::uint32_t slop);

// A fixed set of docs (bitset over the segment) with a constant score.
std::unique_ptr<Scorer> NewDocSetScorer(std::vector<std::uint64_t> bits, std::uint32_t max_doc,
                                        float score);
std::unique_ptr<Scorer> NewAllScorer(std::uint32_t max_doc, float score);

// Every child must match; `scoring[i]` says whether child i adds to the score (filters do not).
std::unique_ptr<Scorer> NewConjunctionScorer(std::vector<std::unique_ptr<Scorer>> children,
                                             std::vector<bool> scoring);
// At least `min_should_match` (>= 1) children match. Sum of the matching children's scores, or
// with `dis_max` the best plus tie_breaker times the others.
std::unique_ptr<Scorer> NewDisjunctionScorer(std::vector<std::unique_ptr<Scorer>> children,
                                             std::uint32_t min_should_match, bool dis_max,
                                             float tie_breaker);
// `main`'s docs that no `excluded` scorer matches.
std::unique_ptr<Scorer> NewExclusionScorer(std::unique_ptr<Scorer> main,
                                           std::vector<std::unique_ptr<Scorer>> excluded);
// `required`'s docs; the score adds `optional`'s where it matches too.
std::unique_ptr<Scorer> NewReqOptScorer(std::unique_ptr<Scorer> required,
                                        std::unique_ptr<Scorer> optional);
// `child`'s docs with a constant score.
std::unique_ptr<Scorer> NewConstantScorer(std::unique_ptr<Scorer> child, float score);

}  // namespace stela::engine::search
