// Plan: a query rewritten against one snapshot — text analysed, terms looked up in every segment
// with index-wide statistics and BM25 weights fixed, multi-term queries described for
// per-segment expansion — ready to become scorers segment by segment.
#pragma once

#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/index/snapshot_reader.h"
#include "engine/search/bm25.h"
#include "engine/search/scorers.h"
#include "stela/engine/query.h"
#include "stela/engine/search.h"

namespace stela::engine::search {

// Which terms of a field a multi-term query matches, decided term by term while scanning.
struct TermMatcher {
  enum class Kind : std::uint8_t { kList, kPrefix, kWildcard, kRange };
  Kind kind = Kind::kList;
  std::vector<std::string> terms;  // kList (sorted, unique)
  std::string pattern;             // kPrefix: the prefix; kWildcard: the glob
  bool case_insensitive = false;
  std::optional<std::string> lo, hi;  // kRange
  bool lo_inclusive = true, hi_inclusive = true;
};

// A numeric interval over doc values (doubles as sortable bits), inclusive; or "has any value".
struct DocValuesPredicate {
  bool exists_only = false;
  std::int64_t lo = INT64_MIN, hi = INT64_MAX;
};

struct Plan {
  enum class Kind : std::uint8_t {
    kNone, kAll, kTerm, kTermSet, kPhrase, kBool, kDisMax, kConstant, kDocValues, kIds,
    kNormsExist
  };
  Kind kind = Kind::kNone;
  bool scoring = true;
  float score = 0;  // constant-score kinds (kAll, kTermSet, kDocValues, kIds, kNormsExist, kConstant)
  std::uint16_t field = 0;
  std::string field_path;

  // kTerm: the encoded postings of each variant, per segment (only variants the segment has).
  std::vector<std::string> terms;
  std::vector<std::vector<std::string>> postings;  // [segment][variant]
  std::vector<std::vector<float>> weights;         // [segment][variant]: frequency weights
  float weight = 0;
  std::shared_ptr<const Bm25Norms> bm25;

  // kPhrase: per segment, per position, the variants' postings (a position without any means
  // the segment cannot match).
  std::vector<std::vector<std::string>> phrase_terms;  // per position, for highlighting
  std::vector<std::uint32_t> offsets;
  std::vector<std::vector<std::vector<std::string>>> phrase_postings;
  std::uint32_t slop = 0;

  TermMatcher matcher;          // kTermSet
  DocValuesPredicate predicate;  // kDocValues
  std::vector<std::vector<std::uint32_t>> ids;  // kIds: docnos per segment, sorted

  // kBool / kDisMax / kConstant (child in must[0])
  std::vector<std::unique_ptr<Plan>> must, should, must_not, filter;
  std::uint32_t min_should_match = 0;
  float tie_breaker = 0;
};

// Terms per field path that highlighting marks, gathered while rewriting.
struct HighlightTerms {
  std::map<std::string, std::set<std::string>, std::less<>> by_field;
  std::map<std::string, std::vector<TermMatcher>, std::less<>> matchers;
};

// Rewrites `query` (null: match_all) for `reader`. Returns InvalidArgument with Elasticsearch's
// error types for queries the mappings cannot run, ResourceExhausted ("too_many_clauses") past
// the limits.
StatusOr<std::unique_ptr<Plan>> Rewrite(const internal::SnapshotReader& reader, const Query* query,
                                        const SearchLimits& limits, HighlightTerms* highlight);

// The scorer of `plan` on segment `seg` (index into reader.segments()); null when the segment
// cannot match.
StatusOr<std::unique_ptr<Scorer>> BuildScorer(const internal::SnapshotReader& reader,
                                              const Plan& plan, std::size_t seg);

// Whether `term` matches the matcher (for highlighting and expansion).
bool Matches(const TermMatcher& m, std::string_view term);

}  // namespace stela::engine::search
