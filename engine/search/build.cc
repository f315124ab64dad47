// Plan -> Scorer for one segment.
#include <algorithm>

#include "engine/search/plan.h"
#include "engine/search/query_util.h"

namespace stela::engine::search {

bool Matches(const TermMatcher& m, std::string_view term) {
  switch (m.kind) {
    case TermMatcher::Kind::kList:
      return std::binary_search(m.terms.begin(), m.terms.end(), term);
    case TermMatcher::Kind::kPrefix:
      return m.case_insensitive ? AsciiLower(term.substr(0, m.pattern.size())) ==
                                      AsciiLower(m.pattern)
                                : term.substr(0, m.pattern.size()) == m.pattern;
    case TermMatcher::Kind::kWildcard:
      return GlobMatch(m.pattern, term, m.case_insensitive);
    case TermMatcher::Kind::kRange:
      if (m.lo && (m.lo_inclusive ? term < *m.lo : term <= *m.lo)) return false;
      if (m.hi && (m.hi_inclusive ? term > *m.hi : term >= *m.hi)) return false;
      return true;
  }
  return false;
}

namespace {

using Bits = std::vector<std::uint64_t>;

void SetBit(Bits& bits, std::uint32_t d) { bits[d / 64] |= std::uint64_t{1} << (d % 64); }

Status AddPostings(std::string_view encoded, Bits* bits, bool* any) {
  codec::PostingsIterator it;
  STELA_RETURN_IF_ERROR(it.Init(encoded));
  for (; it.doc() != codec::kNoMoreDocs; it.Next()) {
    SetBit(*bits, it.doc());
    *any = true;
  }
  return it.status();
}

StatusOr<std::unique_ptr<Scorer>> TermSetScorer(const internal::SegmentReader& seg,
                                                const Plan& plan) {
  const TermMatcher& m = plan.matcher;
  Bits bits((seg.max_doc() + 63) / 64, 0);
  bool any = false;
  if (m.kind == TermMatcher::Kind::kList) {
    std::string value;
    for (const std::string& t : m.terms) {
      bool found = false;
      STELA_RETURN_IF_ERROR(seg.Postings(plan.field, t, &value, &found));
      if (found) STELA_RETURN_IF_ERROR(AddPostings(value, &bits, &any));
    }
  } else {
    // Scan from the pattern's literal prefix (case-insensitive patterns scan everything).
    std::string start;
    std::string prefix;
    if (m.kind == TermMatcher::Kind::kPrefix && !m.case_insensitive) prefix = m.pattern;
    if (m.kind == TermMatcher::Kind::kWildcard && !m.case_insensitive) {
      prefix = GlobLiteralPrefix(m.pattern);
    }
    start = prefix;
    if (m.kind == TermMatcher::Kind::kRange && m.lo) start = *m.lo;
    Status inner;
    STELA_RETURN_IF_ERROR(seg.ScanTerms(
        plan.field, start, [&](std::string_view term, std::string_view postings) {
          if (term.substr(0, prefix.size()) != prefix) return false;
          if (m.kind == TermMatcher::Kind::kRange && m.hi &&
              (m.hi_inclusive ? term > *m.hi : term >= *m.hi)) {
            return false;
          }
          if (!Matches(m, term)) return true;
          inner = AddPostings(postings, &bits, &any);
          return inner.ok();
        }));
    STELA_RETURN_IF_ERROR(inner);
  }
  if (!any) return std::unique_ptr<Scorer>();
  return NewDocSetScorer(std::move(bits), seg.max_doc(), plan.score);
}

StatusOr<std::unique_ptr<Scorer>> DocValuesScorer(const internal::SegmentReader& seg,
                                                  const Plan& plan) {
  STELA_ASSIGN_OR_RETURN(auto column, seg.DocValues(plan.field));
  if (column == nullptr) return std::unique_ptr<Scorer>();
  Bits bits((seg.max_doc() + 63) / 64, 0);
  bool any = false;
  const DocValuesPredicate& p = plan.predicate;
  const bool numeric = column->kind() == codec::DocValuesKind::kNumeric;
  for (std::uint32_t d = 0; d < column->max_doc(); ++d) {
    if (column->count(d) == 0) continue;
    bool hit = p.exists_only;
    if (!hit && numeric) {
      for (std::int64_t v : column->numbers(d)) {
        if (v >= p.lo && v <= p.hi) {
          hit = true;
          break;
        }
      }
    }
    if (hit) {
      SetBit(bits, d);
      any = true;
    }
  }
  if (!any) return std::unique_ptr<Scorer>();
  return NewDocSetScorer(std::move(bits), seg.max_doc(), plan.score);
}

}  // namespace

StatusOr<std::unique_ptr<Scorer>> BuildScorer(const internal::SnapshotReader& reader,
                                              const Plan& plan, std::size_t s) {
  const internal::SegmentReader& seg = *reader.segments()[s];
  using K = Plan::Kind;
  switch (plan.kind) {
    case K::kNone:
      return std::unique_ptr<Scorer>();
    case K::kAll:
      if (seg.max_doc() == 0) return std::unique_ptr<Scorer>();
      return NewAllScorer(seg.max_doc(), plan.score);
    case K::kTerm: {
      if (plan.postings[s].empty()) return std::unique_ptr<Scorer>();
      TermInput in;
      in.postings.assign(plan.postings[s].begin(), plan.postings[s].end());
      in.weights = plan.weights[s];
      in.weight = plan.weight;
      in.scoring = plan.scoring;
      in.norm_inverse = plan.bm25->inverse.data();
      STELA_ASSIGN_OR_RETURN(auto norms, seg.Norms(plan.field));
      in.norms = norms != nullptr ? norms->data() : nullptr;
      return NewTermScorer(std::move(in));
    }
    case K::kPhrase: {
      PhraseInput in;
      for (std::size_t g = 0; g < plan.offsets.size(); ++g) {
        if (plan.phrase_postings[s][g].empty()) return std::unique_ptr<Scorer>();
        PhrasePosition pos;
        pos.postings.assign(plan.phrase_postings[s][g].begin(), plan.phrase_postings[s][g].end());
        pos.offset = plan.offsets[g];
        in.positions.push_back(std::move(pos));
      }
      in.slop = plan.slop;
      in.weight = plan.weight;
      in.scoring = plan.scoring;
      in.norm_inverse = plan.bm25->inverse.data();
      STELA_ASSIGN_OR_RETURN(auto norms, seg.Norms(plan.field));
      in.norms = norms != nullptr ? norms->data() : nullptr;
      return NewPhraseScorer(std::move(in));
    }
    case K::kTermSet:
      return TermSetScorer(seg, plan);
    case K::kDocValues:
      return DocValuesScorer(seg, plan);
    case K::kNormsExist: {
      STELA_ASSIGN_OR_RETURN(auto norms, seg.Norms(plan.field));
      if (norms == nullptr) return std::unique_ptr<Scorer>();
      Bits bits((seg.max_doc() + 63) / 64, 0);
      bool any = false;
      for (std::uint32_t d = 0; d < norms->size() && d < seg.max_doc(); ++d) {
        if ((*norms)[d] != 0) {
          SetBit(bits, d);
          any = true;
        }
      }
      if (!any) return std::unique_ptr<Scorer>();
      return NewDocSetScorer(std::move(bits), seg.max_doc(), plan.score);
    }
    case K::kIds: {
      if (plan.ids[s].empty()) return std::unique_ptr<Scorer>();
      Bits bits((seg.max_doc() + 63) / 64, 0);
      for (std::uint32_t d : plan.ids[s]) {
        if (d < seg.max_doc()) SetBit(bits, d);
      }
      return NewDocSetScorer(std::move(bits), seg.max_doc(), plan.score);
    }
    case K::kConstant: {
      STELA_ASSIGN_OR_RETURN(auto child, BuildScorer(reader, *plan.must[0], s));
      if (child == nullptr) return child;
      return NewConstantScorer(std::move(child), plan.score);
    }
    case K::kDisMax: {
      std::vector<std::unique_ptr<Scorer>> children;
      for (const auto& c : plan.should) {
        STELA_ASSIGN_OR_RETURN(auto cs, BuildScorer(reader, *c, s));
        if (cs != nullptr) children.push_back(std::move(cs));
      }
      if (children.empty()) return std::unique_ptr<Scorer>();
      return NewDisjunctionScorer(std::move(children), 1, true, plan.tie_breaker);
    }
    case K::kBool: {
      std::vector<std::unique_ptr<Scorer>> required;
      std::vector<bool> scoring;
      for (const auto& c : plan.must) {
        STELA_ASSIGN_OR_RETURN(auto cs, BuildScorer(reader, *c, s));
        if (cs == nullptr) return cs;
        required.push_back(std::move(cs));
        scoring.push_back(plan.scoring);
      }
      for (const auto& c : plan.filter) {
        STELA_ASSIGN_OR_RETURN(auto cs, BuildScorer(reader, *c, s));
        if (cs == nullptr) return cs;
        required.push_back(std::move(cs));
        scoring.push_back(false);
      }
      std::vector<std::unique_ptr<Scorer>> optional;
      for (const auto& c : plan.should) {
        STELA_ASSIGN_OR_RETURN(auto cs, BuildScorer(reader, *c, s));
        if (cs != nullptr) optional.push_back(std::move(cs));
      }
      const std::uint32_t msm = plan.min_should_match;
      if (msm > optional.size()) return std::unique_ptr<Scorer>();
      std::unique_ptr<Scorer> main;
      if (required.empty()) {
        if (optional.empty()) return std::unique_ptr<Scorer>();
        main = NewDisjunctionScorer(std::move(optional), std::max<std::uint32_t>(msm, 1), false, 0);
      } else {
        auto req = NewConjunctionScorer(std::move(required), std::move(scoring));
        if (optional.empty()) {
          main = std::move(req);
        } else if (msm == 0) {
          main = NewReqOptScorer(std::move(req),
                                 NewDisjunctionScorer(std::move(optional), 1, false, 0));
        } else {
          std::vector<std::unique_ptr<Scorer>> both;
          both.push_back(std::move(req));
          both.push_back(NewDisjunctionScorer(std::move(optional), msm, false, 0));
          main = NewConjunctionScorer(std::move(both), {true, true});
        }
      }
      std::vector<std::unique_ptr<Scorer>> excluded;
      for (const auto& c : plan.must_not) {
        STELA_ASSIGN_OR_RETURN(auto cs, BuildScorer(reader, *c, s));
        if (cs != nullptr) excluded.push_back(std::move(cs));
      }
      return NewExclusionScorer(std::move(main), std::move(excluded));
    }
  }
  return std::unique_ptr<Scorer>();
}

}  // namespace stela::engine::search
