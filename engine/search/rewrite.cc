// Query -> Plan: analysis of match text (the blended multi-language term for `auto` fields),
// term lookups with index-wide statistics, expansion of fuzzy and phrase-prefix terms, and the
// translation of each query kind.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "engine/codec/doc_values.h"
#include "engine/index/document.h"
#include "engine/search/date_math.h"
#include "engine/search/plan.h"
#include "engine/search/query_util.h"

namespace stela::engine::search {

namespace {

using index::FieldDef;
using index::FieldType;

Status QueryShardError(const std::string& reason) {
  return Status::InvalidArgument("query_shard_exception: " + reason);
}

std::unique_ptr<Plan> NonePlan() { return std::make_unique<Plan>(); }

bool IsNumericType(FieldType t) {
  return t == FieldType::kLong || t == FieldType::kInteger || t == FieldType::kDouble ||
         t == FieldType::kFloat || t == FieldType::kDate || t == FieldType::kBoolean;
}

// One position of analysed query text: the terms that may stand there.
struct Group {
  std::uint32_t position = 0;
  std::vector<std::string> variants;
  // Some chain dropped the word (a stop word there): when no variant is indexed anywhere, the
  // word is skipped instead of making the query match nothing.
  bool droppable = false;
  // Variants from the blended chain set: the first is the word as written (ICU chain).
  bool blended = false;
};

// In a blended term, a stem's occurrences count this much against the word as written
// (measured on the public corpus's known-item queries: MRR@10 0.854 at 1.0, 0.861 at 0.5,
// 0.863 at 0.3, flat below; engine/search/DESIGN.md).
constexpr float kStemVariantWeight = 0.3f;

class Rewriter {
 public:
  Rewriter(const internal::SnapshotReader& reader, const SearchLimits& limits,
           HighlightTerms* highlight)
      : reader_(reader), limits_(limits), highlight_(highlight) {}

  ~Rewriter() {
    for (auto& [a, stream] : streams_) reader_.ReleaseStream(a, std::move(stream));
  }

  StatusOr<std::unique_ptr<Plan>> Run(const Query& q, float boost, bool scoring) {
    const float b = boost * q.boost;
    switch (q.kind) {
      case Query::Kind::kMatchAll: {
        auto p = std::make_unique<Plan>();
        p->kind = Plan::Kind::kAll;
        p->scoring = scoring;
        p->score = scoring ? b : 0;
        return p;
      }
      case Query::Kind::kMatchNone:
        return NonePlan();
      case Query::Kind::kTerm:
        return TermQuery(q, b, scoring);
      case Query::Kind::kTerms:
        return TermsQuery(q, b, scoring);
      case Query::Kind::kMatch:
        return MatchQuery(q, q.field, b, scoring, /*lenient=*/false);
      case Query::Kind::kMatchPhrase:
      case Query::Kind::kMatchPhrasePrefix:
        return PhraseQuery(q, q.field, b, scoring, q.kind == Query::Kind::kMatchPhrasePrefix,
                           false);
      case Query::Kind::kMultiMatch:
        return MultiMatch(q, b, scoring);
      case Query::Kind::kBool:
        return BoolQuery(q, b, scoring);
      case Query::Kind::kDisMax: {
        auto p = std::make_unique<Plan>();
        p->kind = Plan::Kind::kDisMax;
        p->scoring = scoring;
        p->tie_breaker = q.tie_breaker;
        for (const auto& c : q.should) {
          STELA_ASSIGN_OR_RETURN(auto cp, Run(*c, b, scoring));
          p->should.push_back(std::move(cp));
        }
        return p;
      }
      case Query::Kind::kConstantScore: {
        if (q.children.empty()) return NonePlan();
        STELA_ASSIGN_OR_RETURN(auto child, Run(*q.children[0], 1.0f, false));
        if (child->kind == Plan::Kind::kNone) return child;
        auto p = std::make_unique<Plan>();
        p->kind = Plan::Kind::kConstant;
        p->scoring = scoring;
        p->score = scoring ? b : 0;
        p->must.push_back(std::move(child));
        return p;
      }
      case Query::Kind::kRange:
        return RangeQuery(q, b, scoring);
      case Query::Kind::kPrefix:
      case Query::Kind::kWildcard:
        return PatternQuery(q, b, scoring);
      case Query::Kind::kFuzzy:
        return FuzzyQuery(q, b, scoring);
      case Query::Kind::kExists:
        return ExistsQuery(q.field, b, scoring);
      case Query::Kind::kIds:
        return IdsQuery(q, b, scoring);
    }
    return NonePlan();
  }

 private:
  Status CountClause() {
    if (++clauses_ > limits_.max_clause_count) {
      return Status::ResourceExhausted(
          "too_many_nested_clauses: Query contains too many nested clauses; maxClauseCount is "
          "set to " +
          std::to_string(limits_.max_clause_count));
    }
    return Status::OK();
  }

  const FieldDef* Field(std::string_view path) const { return reader_.mappings().Find(path); }

  // --- analysis -------------------------------------------------------------------------------

  StatusOr<analyzers::TokenStream*> Stream(const analyzers::Analyzer* a) {
    auto it = streams_.find(a);
    if (it != streams_.end()) return it->second.get();
    STELA_ASSIGN_OR_RETURN(auto s, reader_.AcquireStream(a));
    auto* raw = s.get();
    streams_.emplace(a, std::move(s));
    return raw;
  }

  // The analyzers a query word in an `auto` field is analysed with: every language chain and
  // the plain ICU chain (for languages without one). Documents were analysed with one of them.
  StatusOr<const std::vector<const analyzers::Analyzer*>*> BlendedAnalyzers() {
    if (!blended_.empty()) return &blended_;
    std::set<const analyzers::Analyzer*> seen;
    auto add = [&](const analyzers::Analyzer* a) {
      if (seen.insert(a).second) blended_.push_back(a);
    };
    STELA_ASSIGN_OR_RETURN(const analyzers::Analyzer* icu, reader_.registry().Find("icu_text"));
    add(icu);
    for (const std::string& code : reader_.registry().languages()) {
      auto a = reader_.registry().ForLanguage(code);
      if (a.ok() && (*a)->language() != "auto") add(*a);
    }
    return &blended_;
  }

  // Analyses `text` for `f`: with `analyzer` or `language` when given, else as the field was
  // indexed; `auto` fields give each position the variants of every language chain.
  StatusOr<std::vector<Group>> Analyze(const FieldDef& f, const std::string& text,
                                       const std::string& analyzer, const std::string& language) {
    std::vector<const analyzers::Analyzer*> chains;
    if (!analyzer.empty()) {
      STELA_ASSIGN_OR_RETURN(auto a, reader_.registry().Find(analyzer));
      chains.push_back(a);
    } else if (!language.empty() && language != "auto") {
      auto a = reader_.registry().ForLanguage(language);
      if (!a.ok()) {
        return Status::InvalidArgument("illegal_argument_exception: unknown language [" +
                                       language + "]");
      }
      chains.push_back(*a);
    } else {
      const analyzers::Analyzer* a = nullptr;
      if (!f.analyzer.empty()) {
        STELA_ASSIGN_OR_RETURN(a, reader_.registry().Find(f.analyzer));
      } else {
        STELA_ASSIGN_OR_RETURN(a, reader_.registry().ForLanguage(f.language));
      }
      if (a->language() == "auto") {
        STELA_ASSIGN_OR_RETURN(auto all, BlendedAnalyzers());
        chains = *all;
      } else {
        chains.push_back(a);
      }
    }
    // multi_match analyses the same text for each field: once per chain set is enough.
    std::string memo_key = text;
    for (const analyzers::Analyzer* a : chains) {
      memo_key.append(reinterpret_cast<const char*>(&a), sizeof a);
    }
    if (auto it = analysis_memo_.find(memo_key); it != analysis_memo_.end()) return it->second;
    // Variants of different chains line up by the byte where their token starts.
    std::map<std::uint32_t, Group> by_start;
    std::map<std::uint32_t, std::size_t> chains_at;  // start offset -> chains with a token there
    for (const analyzers::Analyzer* a : chains) {
      STELA_ASSIGN_OR_RETURN(analyzers::TokenStream * s, Stream(a));
      tokens_.clear();
      Status st = s->Analyze(text, &tokens_);
      if (!st.ok()) return Status::InvalidArgument("illegal_argument_exception: " + std::string(st.message()));
      std::uint32_t last_start = UINT32_MAX;
      for (const analyzers::Token& t : tokens_) {
        Group& g = by_start[t.start_offset];
        if (g.variants.empty()) g.position = t.position;
        if (std::find(g.variants.begin(), g.variants.end(), t.term) == g.variants.end()) {
          g.variants.push_back(t.term);
        }
        if (t.start_offset != last_start) ++chains_at[t.start_offset];
        last_start = t.start_offset;
      }
    }
    std::vector<Group> out;
    for (auto& [start, g] : by_start) {
      g.droppable = chains_at[start] < chains.size();
      g.blended = chains.size() > 1;
      out.push_back(std::move(g));
    }
    // Positions as the first chain numbered them may repeat or jump across chains: renumber in
    // order, keeping the gaps stop words left.
    for (std::size_t i = 1; i < out.size(); ++i) {
      if (out[i].position <= out[i - 1].position) out[i].position = out[i - 1].position + 1;
    }
    analysis_memo_[memo_key] = out;
    return out;
  }

  // --- terms ----------------------------------------------------------------------------------

  std::shared_ptr<const Bm25Norms> NormsFor(const FieldDef& f) {
    auto it = bm25_.find(f.id);
    if (it != bm25_.end()) return it->second;
    const FieldStats st = reader_.Stats(f.path);
    auto n = std::make_shared<const Bm25Norms>(Bm25Norms::ForField(st.doc_count, st.sum_length));
    bm25_[f.id] = n;
    doc_count_[f.id] = st.doc_count;
    return n;
  }

  void NoteHighlight(const FieldDef& f, const std::vector<std::string>& terms) {
    if (highlight_ == nullptr) return;
    auto& set = highlight_->by_field[f.is_multi_field ? f.source_path : f.path];
    set.insert(terms.begin(), terms.end());
  }

  // A term (or blended variants) of `f`: postings from every segment and its BM25 weight.
  // `other_weight`: how much the frequencies of the variants after the first count (blended
  // terms: the first is the word as written, the others its stems in various languages).
  StatusOr<std::unique_ptr<Plan>> TermPlan(const FieldDef& f, std::vector<std::string> variants,
                                           float boost, bool scoring, float other_weight = 1.0f) {
    STELA_RETURN_IF_ERROR(CountClause());
    NoteHighlight(f, variants);
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kTerm;
    p->field = f.id;
    p->field_path = f.path;
    p->scoring = scoring;
    const auto& segs = reader_.segments();
    p->postings.resize(segs.size());
    p->weights.resize(segs.size());
    std::vector<std::uint64_t> df(variants.size(), 0);
    bool any = false;
    std::string value;
    for (std::size_t s = 0; s < segs.size(); ++s) {
      for (std::size_t v = 0; v < variants.size(); ++v) {
        bool found = false;
        STELA_RETURN_IF_ERROR(segs[s]->Postings(f.id, variants[v], &value, &found));
        if (!found) continue;
        STELA_ASSIGN_OR_RETURN(const std::uint32_t doc_freq, codec::DocFreq(value));
        df[v] += doc_freq;
        p->postings[s].push_back(std::move(value));  // (Postings overwrites value next)
        p->weights[s].push_back(v == 0 ? 1.0f : other_weight);
        any = true;
      }
    }
    if (!any) return NonePlan();
    p->terms = std::move(variants);
    p->bm25 = NormsFor(f);
    const std::uint64_t max_df = *std::max_element(df.begin(), df.end());
    const std::uint64_t doc_count = std::max(doc_count_[f.id], max_df);
    p->weight = scoring ? boost * Bm25Idf(max_df, doc_count) : 0;
    return p;
  }

  // The indexed form of an exact value of `f` (keyword as is, numbers and dates encoded).
  // nullopt when the value cannot be a term of this field.
  StatusOr<std::optional<std::string>> EncodeValue(const FieldDef& f, const QueryValue& v) {
    switch (f.type) {
      case FieldType::kText:
      case FieldType::kKeyword:
        return std::optional<std::string>(v.text);
      case FieldType::kBoolean:
        if (v.text == "true") return std::optional<std::string>("T");
        if (v.text == "false") return std::optional<std::string>("F");
        return QueryShardError("Can't parse boolean value [" + v.text +
                               "], expected [true] or [false]");
      case FieldType::kLong:
      case FieldType::kInteger: {
        STELA_ASSIGN_OR_RETURN(double d, ParseNumber(v.text, f));
        if (d != std::floor(d) || std::abs(d) > 9.2e18) return std::optional<std::string>();
        return std::optional<std::string>(index::EncodeLongTerm(static_cast<std::int64_t>(d)));
      }
      case FieldType::kDouble:
      case FieldType::kFloat: {
        STELA_ASSIGN_OR_RETURN(double d, ParseNumber(v.text, f));
        if (f.type == FieldType::kFloat) d = static_cast<float>(d);
        return std::optional<std::string>(index::EncodeDoubleTerm(d));
      }
      case FieldType::kDate: {
        STELA_ASSIGN_OR_RETURN(std::int64_t ms, ParseDateValue(v, false));
        return std::optional<std::string>(index::EncodeLongTerm(ms));
      }
    }
    return std::optional<std::string>();
  }

  StatusOr<double> ParseNumber(const std::string& text, const FieldDef& f) {
    double d = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(d)) {
      return QueryShardError("failed to create query: For input string: \"" + text +
                             "\" (field [" + f.path + "] of type [" +
                             std::string(index::FieldTypeName(f.type)) + "])");
    }
    return d;
  }

  StatusOr<std::int64_t> ParseDateValue(const QueryValue& v, bool round_up) {
    if (v.kind == QueryValue::Kind::kNumber) {
      double d = 0;
      auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
      if (ec == std::errc() && p == v.text.data() + v.text.size() && std::isfinite(d)) {
        return static_cast<std::int64_t>(d);
      }
    }
    auto ms = ParseDateMath(v.text, now_ms_, round_up);
    if (!ms.ok()) {
      return Status::InvalidArgument("parse_exception: failed to parse date field [" + v.text +
                                     "]: " + std::string(ms.status().message()));
    }
    return *ms;
  }

  StatusOr<std::unique_ptr<Plan>> TermQuery(const Query& q, float boost, bool scoring) {
    const FieldDef* f = Field(q.field);
    if (f == nullptr) return NonePlan();
    if (q.case_insensitive && (f->type == FieldType::kKeyword || f->type == FieldType::kText)) {
      Query pattern;
      pattern.kind = Query::Kind::kWildcard;
      pattern.field = q.field;
      pattern.value.text = EscapeWildcard(q.value.text);
      pattern.case_insensitive = true;
      pattern.boost = q.boost;
      return PatternQuery(pattern, boost, scoring);
    }
    STELA_ASSIGN_OR_RETURN(auto term, EncodeValue(*f, q.value));
    if (!term) return NonePlan();
    return TermPlan(*f, {*term}, boost, scoring);
  }

  StatusOr<std::unique_ptr<Plan>> TermsQuery(const Query& q, float boost, bool scoring) {
    if (q.values.size() > limits_.max_terms_count) {
      return Status::InvalidArgument(
          "illegal_argument_exception: The number of terms [" + std::to_string(q.values.size()) +
          "] used in the Terms Query request has exceeded the allowed maximum of [" +
          std::to_string(limits_.max_terms_count) +
          "]. This maximum can be set by changing the [index.max_terms_count] index level "
          "setting.");
    }
    const FieldDef* f = Field(q.field);
    if (f == nullptr) return NonePlan();
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kTermSet;
    p->field = f->id;
    p->field_path = f->path;
    p->scoring = scoring;
    p->score = scoring ? boost : 0;
    p->matcher.kind = TermMatcher::Kind::kList;
    for (const QueryValue& v : q.values) {
      STELA_ASSIGN_OR_RETURN(auto term, EncodeValue(*f, v));
      if (term) p->matcher.terms.push_back(std::move(*term));
    }
    std::sort(p->matcher.terms.begin(), p->matcher.terms.end());
    p->matcher.terms.erase(std::unique(p->matcher.terms.begin(), p->matcher.terms.end()),
                           p->matcher.terms.end());
    if (p->matcher.terms.empty()) return NonePlan();
    NoteHighlight(*f, p->matcher.terms);
    return p;
  }

  // --- match ----------------------------------------------------------------------------------

  StatusOr<std::unique_ptr<Plan>> MatchQuery(const Query& q, const std::string& field, float boost,
                                             bool scoring, bool lenient) {
    const FieldDef* f = Field(field);
    if (f == nullptr) return NonePlan();
    if (f->type != FieldType::kText) {
      if (IsNumericType(f->type) || f->type == FieldType::kKeyword) {
        auto term = EncodeValue(*f, q.value);
        if (!term.ok()) {
          if (lenient) return NonePlan();
          return term.status();
        }
        if (!*term) return NonePlan();
        if (!q.fuzziness.empty() && f->type == FieldType::kKeyword) {
          return FuzzyTerms(*f, **term, q, boost, scoring);
        }
        return TermPlan(*f, {**term}, boost, scoring);
      }
    }
    STELA_ASSIGN_OR_RETURN(std::vector<Group> groups,
                           Analyze(*f, q.value.text, q.analyzer, q.language));
    if (groups.empty()) {
      if (!q.zero_terms_all) return NonePlan();
      auto p = std::make_unique<Plan>();
      p->kind = Plan::Kind::kAll;
      p->score = scoring ? boost : 0;
      p->scoring = scoring;
      return p;
    }
    std::vector<std::unique_ptr<Plan>> terms;
    for (Group& g : groups) {
      std::unique_ptr<Plan> t;
      if (!q.fuzziness.empty()) {
        STELA_ASSIGN_OR_RETURN(t, FuzzyVariants(*f, g.variants, q, boost, scoring));
      } else {
        STELA_ASSIGN_OR_RETURN(t, TermPlan(*f, std::move(g.variants), boost, scoring,
                                           g.blended ? kStemVariantWeight : 1.0f));
      }
      if (t->kind == Plan::Kind::kNone && g.droppable) continue;
      terms.push_back(std::move(t));
    }
    if (terms.empty()) return NonePlan();
    if (terms.size() == 1) return std::move(terms[0]);
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kBool;
    p->scoring = scoring;
    if (q.op == Query::Operator::kAnd) {
      p->must = std::move(terms);
    } else {
      const auto n = static_cast<std::uint32_t>(terms.size());
      STELA_ASSIGN_OR_RETURN(p->min_should_match,
                             MinimumShouldMatch(q.minimum_should_match, n, 1));
      p->should = std::move(terms);
    }
    return p;
  }

  StatusOr<std::unique_ptr<Plan>> PhraseQuery(const Query& q, const std::string& field,
                                              float boost, bool scoring, bool prefix,
                                              bool lenient) {
    const FieldDef* f = Field(field);
    if (f == nullptr) return NonePlan();
    if (f->type != FieldType::kText) {
      Query m = CopyScalar(q);
      m.kind = Query::Kind::kMatch;
      return MatchQuery(m, field, boost, scoring, lenient);
    }
    STELA_ASSIGN_OR_RETURN(std::vector<Group> groups,
                           Analyze(*f, q.value.text, q.analyzer, q.language));
    if (groups.empty()) return NonePlan();
    if (prefix) {
      // The last word matches every term it begins (up to max_expansions, in term order).
      std::set<std::string> expanded;
      for (const std::string& v : groups.back().variants) {
        STELA_RETURN_IF_ERROR(ExpandPrefix(*f, v, q.max_expansions, &expanded));
      }
      if (expanded.empty()) return NonePlan();
      groups.back().variants.assign(expanded.begin(), expanded.end());
    }
    // Words no chain indexed anywhere, but that some chain drops as stop words, leave a gap.
    std::vector<Group> kept;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      bool indexed = !groups[g].droppable;
      for (std::size_t v = 0; !indexed && v < groups[g].variants.size(); ++v) {
        STELA_ASSIGN_OR_RETURN(indexed, Indexed(*f, groups[g].variants[v]));
      }
      if (indexed) kept.push_back(std::move(groups[g]));
    }
    groups = std::move(kept);
    if (groups.empty()) return NonePlan();
    if (groups.size() == 1) return TermPlan(*f, std::move(groups[0].variants), boost, scoring);
    STELA_RETURN_IF_ERROR(CountClause());
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kPhrase;
    p->field = f->id;
    p->field_path = f->path;
    p->scoring = scoring;
    p->slop = q.slop;
    const auto& segs = reader_.segments();
    p->phrase_postings.assign(segs.size(), {});
    for (auto& sp : p->phrase_postings) sp.resize(groups.size());
    float idf_sum = 0;
    const std::uint32_t base = groups[0].position;
    std::string value;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      std::uint64_t max_df = 0;
      for (const std::string& v : groups[g].variants) {
        std::uint64_t df = 0;
        for (std::size_t s = 0; s < segs.size(); ++s) {
          bool found = false;
          STELA_RETURN_IF_ERROR(segs[s]->Postings(f->id, v, &value, &found));
          if (!found) continue;
          STELA_ASSIGN_OR_RETURN(const std::uint32_t doc_freq, codec::DocFreq(value));
          df += doc_freq;
          p->phrase_postings[s][g].push_back(std::move(value));
        }
        max_df = std::max(max_df, df);
      }
      if (max_df == 0) return NonePlan();
      p->bm25 = NormsFor(*f);
      idf_sum += Bm25Idf(max_df, std::max(doc_count_[f->id], max_df));
      p->offsets.push_back(groups[g].position - base);
      NoteHighlight(*f, groups[g].variants);
      p->phrase_terms.push_back(std::move(groups[g].variants));
    }
    p->weight = scoring ? boost * idf_sum : 0;
    return p;
  }

  StatusOr<bool> Indexed(const FieldDef& f, const std::string& term) {
    std::string value;
    for (const internal::SegmentReader* seg : reader_.segments()) {
      bool found = false;
      STELA_RETURN_IF_ERROR(seg->Postings(f.id, term, &value, &found));
      if (found) return true;
    }
    return false;
  }

  Status ExpandPrefix(const FieldDef& f, const std::string& prefix, std::uint32_t max,
                      std::set<std::string>* out) {
    const std::uint32_t cap = std::min(max, limits_.max_expansions);
    for (const internal::SegmentReader* seg : reader_.segments()) {
      std::size_t added = 0;
      STELA_RETURN_IF_ERROR(seg->ScanTerms(f.id, prefix, [&](std::string_view term,
                                                              std::string_view) {
        if (term.substr(0, prefix.size()) != prefix) return false;
        if (out->insert(std::string(term)).second) ++added;
        return out->size() < cap;
      }));
      if (out->size() >= cap) break;
    }
    return Status::OK();
  }

  StatusOr<std::unique_ptr<Plan>> MultiMatch(const Query& q, float boost, bool scoring) {
    std::vector<std::pair<const FieldDef*, float>> fields;
    STELA_RETURN_IF_ERROR(ResolveFields(q.fields, &fields));
    std::vector<std::unique_ptr<Plan>> per_field;
    const bool lenient = true;
    for (const auto& [f, field_boost] : fields) {
      Query m = CopyScalar(q);
      std::unique_ptr<Plan> p;
      const bool phrase = q.multi_match_type == Query::MultiMatchType::kPhrase ||
                          q.multi_match_type == Query::MultiMatchType::kPhrasePrefix;
      if (phrase) {
        STELA_ASSIGN_OR_RETURN(
            p, PhraseQuery(m, f->path, boost * field_boost, scoring,
                           q.multi_match_type == Query::MultiMatchType::kPhrasePrefix, lenient));
      } else {
        STELA_ASSIGN_OR_RETURN(p, MatchQuery(m, f->path, boost * field_boost, scoring, lenient));
      }
      per_field.push_back(std::move(p));
    }
    if (per_field.empty()) return NonePlan();
    if (per_field.size() == 1) return std::move(per_field[0]);
    auto p = std::make_unique<Plan>();
    p->scoring = scoring;
    if (q.multi_match_type == Query::MultiMatchType::kMostFields) {
      p->kind = Plan::Kind::kBool;
      p->min_should_match = 1;
      p->should = std::move(per_field);
    } else {
      p->kind = Plan::Kind::kDisMax;
      p->tie_breaker = q.tie_breaker;
      p->should = std::move(per_field);
    }
    return p;
  }

  // Field names with optional ^boost and * patterns, resolved against the mappings. Patterns
  // take text and keyword fields only (as Elasticsearch's "*" default field does).
  Status ResolveFields(const std::vector<std::string>& specs,
                       std::vector<std::pair<const FieldDef*, float>>* out) {
    std::vector<std::string> effective = specs;
    if (effective.empty()) effective.push_back("*");
    for (const std::string& spec : effective) {
      std::string name = spec;
      float b = 1.0f;
      if (auto caret = spec.rfind('^'); caret != std::string::npos) {
        name = spec.substr(0, caret);
        const std::string num = spec.substr(caret + 1);
        auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), b);
        if (ec != std::errc() || ptr != num.data() + num.size()) {
          return Status::InvalidArgument("parsing_exception: malformed field boost [" + spec +
                                         "]");
        }
      }
      if (name.find('*') == std::string::npos) {
        if (const FieldDef* f = Field(name)) out->emplace_back(f, b);
        continue;
      }
      for (const FieldDef& f : reader_.mappings().fields()) {
        if ((f.type == FieldType::kText || f.type == FieldType::kKeyword) &&
            GlobMatch(name, f.path, false)) {
          out->emplace_back(&f, b);
        }
      }
    }
    return Status::OK();
  }

  // --- bool -----------------------------------------------------------------------------------

  StatusOr<std::unique_ptr<Plan>> BoolQuery(const Query& q, float boost, bool scoring) {
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kBool;
    p->scoring = scoring;
    for (const auto& c : q.must) {
      STELA_ASSIGN_OR_RETURN(auto cp, Run(*c, boost, scoring));
      if (cp->kind == Plan::Kind::kNone) return NonePlan();
      p->must.push_back(std::move(cp));
    }
    for (const auto& c : q.filter) {
      STELA_ASSIGN_OR_RETURN(auto cp, Run(*c, boost, false));
      if (cp->kind == Plan::Kind::kNone) return NonePlan();
      p->filter.push_back(std::move(cp));
    }
    for (const auto& c : q.should) {
      STELA_ASSIGN_OR_RETURN(auto cp, Run(*c, boost, scoring));
      p->should.push_back(std::move(cp));
    }
    for (const auto& c : q.must_not) {
      STELA_ASSIGN_OR_RETURN(auto cp, Run(*c, boost, false));
      if (cp->kind != Plan::Kind::kNone) p->must_not.push_back(std::move(cp));
    }
    const auto n = static_cast<std::uint32_t>(p->should.size());
    const std::uint32_t fallback = p->must.empty() && p->filter.empty() ? 1 : 0;
    STELA_ASSIGN_OR_RETURN(p->min_should_match,
                           MinimumShouldMatch(q.minimum_should_match, n, n == 0 ? 0 : fallback));
    if (p->min_should_match > n) return NonePlan();
    if (p->must.empty() && p->filter.empty() && p->should.empty()) {
      // Empty bool: match_all; only must_not: every other doc, scoring 0.
      auto all = std::make_unique<Plan>();
      all->kind = Plan::Kind::kAll;
      all->scoring = scoring;
      all->score = scoring && p->must_not.empty() ? boost : 0;
      if (p->must_not.empty()) return all;
      p->filter.push_back(std::move(all));
    }
    return p;
  }

  // --- range, patterns, fuzzy, exists, ids ----------------------------------------------------

  StatusOr<std::unique_ptr<Plan>> RangeQuery(const Query& q, float boost, bool scoring) {
    const FieldDef* f = Field(q.field);
    if (f == nullptr) return NonePlan();
    STELA_RETURN_IF_ERROR(CountClause());
    auto p = std::make_unique<Plan>();
    p->scoring = scoring;
    p->score = scoring ? boost : 0;
    p->field = f->id;
    p->field_path = f->path;
    if (f->type == FieldType::kText || f->type == FieldType::kKeyword) {
      p->kind = Plan::Kind::kTermSet;
      p->matcher.kind = TermMatcher::Kind::kRange;
      if (q.gte) p->matcher.lo = q.gte->text;
      if (q.gt) p->matcher.lo = q.gt->text, p->matcher.lo_inclusive = false;
      if (q.lte) p->matcher.hi = q.lte->text;
      if (q.lt) p->matcher.hi = q.lt->text, p->matcher.hi_inclusive = false;
      return p;
    }
    p->kind = Plan::Kind::kDocValues;
    std::int64_t lo = INT64_MIN, hi = INT64_MAX;
    bool empty = false;
    auto bound = [&](const std::optional<QueryValue>& v, bool is_lower,
                     bool inclusive) -> Status {
      if (!v) return Status::OK();
      std::int64_t b = 0;
      if (f->type == FieldType::kDate) {
        // Rounding (now/d) rounds lower bounds down and upper bounds up, as Elasticsearch does
        // for gte/lte (and the other way for gt/lt).
        const bool round_up = is_lower ? !inclusive : inclusive;
        STELA_ASSIGN_OR_RETURN(b, ParseDateValue(*v, round_up));
        if (!inclusive) {
          if (is_lower) {
            if (b == INT64_MAX) empty = true; else ++b;
          } else {
            if (b == INT64_MIN) empty = true; else --b;
          }
        }
      } else if (f->type == FieldType::kBoolean) {
        std::int64_t x = v->text == "true" ? 1 : v->text == "false" ? 0 : -1;
        if (x < 0) return QueryShardError("Can't parse boolean value [" + v->text + "]");
        b = x;
        if (!inclusive) b += is_lower ? 1 : -1;
      } else {
        STELA_ASSIGN_OR_RETURN(double d, ParseNumber(v->text, *f));
        if (f->type == FieldType::kDouble || f->type == FieldType::kFloat) {
          if (f->type == FieldType::kFloat) d = static_cast<float>(d);
          b = codec::SortableDoubleBits(d);
          if (!inclusive) b += is_lower ? 1 : -1;
        } else {
          double r = is_lower ? (inclusive ? std::ceil(d) : std::floor(d) + 1)
                              : (inclusive ? std::floor(d) : std::ceil(d) - 1);
          r = std::clamp(r, -9.2e18, 9.2e18);
          b = static_cast<std::int64_t>(r);
        }
      }
      if (is_lower) lo = std::max(lo, b); else hi = std::min(hi, b);
      return Status::OK();
    };
    STELA_RETURN_IF_ERROR(bound(q.gte, true, true));
    STELA_RETURN_IF_ERROR(bound(q.gt, true, false));
    STELA_RETURN_IF_ERROR(bound(q.lte, false, true));
    STELA_RETURN_IF_ERROR(bound(q.lt, false, false));
    if (empty || lo > hi) return NonePlan();
    p->predicate.lo = lo;
    p->predicate.hi = hi;
    return p;
  }

  StatusOr<std::unique_ptr<Plan>> PatternQuery(const Query& q, float boost, bool scoring) {
    if (q.value.text.size() > limits_.max_regex_length) {
      return Status::InvalidArgument(
          "illegal_argument_exception: The length of the pattern [" +
          std::to_string(q.value.text.size()) + "] exceeds the allowed maximum of [" +
          std::to_string(limits_.max_regex_length) +
          "]. This maximum can be set by changing the [index.max_regex_length] index level "
          "setting.");
    }
    const FieldDef* f = Field(q.field);
    if (f == nullptr) return NonePlan();
    STELA_RETURN_IF_ERROR(CountClause());
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kTermSet;
    p->scoring = scoring;
    p->score = scoring ? boost : 0;
    p->field = f->id;
    p->field_path = f->path;
    p->matcher.kind = q.kind == Query::Kind::kPrefix ? TermMatcher::Kind::kPrefix
                                                      : TermMatcher::Kind::kWildcard;
    // Text fields hold case-folded terms: fold the pattern's ASCII letters to match.
    p->matcher.case_insensitive = q.case_insensitive;
    p->matcher.pattern = q.value.text;
    if (f->type == FieldType::kText) p->matcher.pattern = AsciiLower(p->matcher.pattern);
    if (highlight_ != nullptr) {
      highlight_->matchers[f->is_multi_field ? f->source_path : f->path].push_back(p->matcher);
    }
    return p;
  }

  StatusOr<std::unique_ptr<Plan>> FuzzyQuery(const Query& q, float boost, bool scoring) {
    const FieldDef* f = Field(q.field);
    if (f == nullptr) return NonePlan();
    std::string term = q.value.text;
    if (f->type == FieldType::kText) term = AsciiLower(term);
    return FuzzyTerms(*f, term, q, boost, scoring);
  }

  StatusOr<std::unique_ptr<Plan>> FuzzyVariants(const FieldDef& f,
                                                const std::vector<std::string>& variants,
                                                const Query& q, float boost, bool scoring) {
    std::set<std::string> all;
    for (const std::string& v : variants) {
      STELA_RETURN_IF_ERROR(ExpandFuzzy(f, v, q, &all));
    }
    if (all.empty()) return NonePlan();
    return TermPlan(f, std::vector<std::string>(all.begin(), all.end()), boost, scoring);
  }

  StatusOr<std::unique_ptr<Plan>> FuzzyTerms(const FieldDef& f, const std::string& term,
                                             const Query& q, float boost, bool scoring) {
    return FuzzyVariants(f, {term}, q, boost, scoring);
  }

  // Terms within the edit distance of `term` (fuzziness AUTO: 0 up to 2 code points, 1 up to
  // 5, then 2), sharing its first prefix_length code points; the closest max_expansions.
  Status ExpandFuzzy(const FieldDef& f, const std::string& term, const Query& q,
                     std::set<std::string>* out) {
    const std::u32string target = DecodeUtf8(term);
    std::uint32_t max_edits = 0;
    if (q.fuzziness.empty() || q.fuzziness.rfind("AUTO", 0) == 0 ||
        q.fuzziness.rfind("auto", 0) == 0) {
      std::uint32_t low = 3, high = 6;
      if (auto colon = q.fuzziness.find(':'); colon != std::string::npos) {
        const std::string rest = q.fuzziness.substr(colon + 1);
        if (std::sscanf(rest.c_str(), "%u,%u", &low, &high) != 2) {
          return Status::InvalidArgument("parsing_exception: failed to parse fuzziness [" +
                                         q.fuzziness + "]");
        }
      }
      max_edits = target.size() < low ? 0 : target.size() < high ? 1 : 2;
    } else {
      double d = 0;
      auto [p, ec] = std::from_chars(q.fuzziness.data(), q.fuzziness.data() + q.fuzziness.size(), d);
      if (ec != std::errc() || d < 0) {
        return Status::InvalidArgument("parsing_exception: failed to parse fuzziness [" +
                                       q.fuzziness + "]");
      }
      max_edits = static_cast<std::uint32_t>(std::min(d, 2.0));
    }
    const std::size_t plen = std::min<std::size_t>(q.prefix_length, target.size());
    const std::string prefix = EncodeUtf8(target.substr(0, plen));
    std::vector<std::pair<std::uint32_t, std::string>> found;  // (distance, term)
    for (const internal::SegmentReader* seg : reader_.segments()) {
      STELA_RETURN_IF_ERROR(seg->ScanTerms(f.id, prefix, [&](std::string_view t,
                                                              std::string_view) {
        if (t.substr(0, prefix.size()) != prefix) return false;
        const std::u32string cand = DecodeUtf8(t);
        const std::uint32_t d = BoundedEditDistance(target, cand, max_edits, q.transpositions);
        if (d <= max_edits) found.emplace_back(d, std::string(t));
        return found.size() < 64u * limits_.max_expansions;  // bounded work per segment
      }));
    }
    std::sort(found.begin(), found.end());
    const std::uint32_t cap = std::min(q.max_expansions, limits_.max_expansions);
    for (const auto& [d, t] : found) {
      if (out->size() >= cap) break;
      out->insert(t);
    }
    return Status::OK();
  }

  StatusOr<std::unique_ptr<Plan>> ExistsQuery(const std::string& field, float boost,
                                              bool scoring) {
    auto p = std::make_unique<Plan>();
    p->scoring = scoring;
    p->score = scoring ? boost : 0;
    const FieldDef* f = Field(field);
    if (f == nullptr) {
      // An object: any of its fields.
      const std::string prefix = field + ".";
      p->kind = Plan::Kind::kBool;
      p->min_should_match = 1;
      for (const FieldDef& sub : reader_.mappings().fields()) {
        if (sub.path.rfind(prefix, 0) == 0 && !sub.is_multi_field) {
          STELA_ASSIGN_OR_RETURN(auto c, ExistsQuery(sub.path, boost, false));
          if (c->kind != Plan::Kind::kNone) p->should.push_back(std::move(c));
        }
      }
      if (p->should.empty()) return NonePlan();
      auto wrapped = std::make_unique<Plan>();
      wrapped->kind = Plan::Kind::kConstant;
      wrapped->scoring = scoring;
      wrapped->score = p->score;
      wrapped->must.push_back(std::move(p));
      return wrapped;
    }
    p->field = f->id;
    p->field_path = f->path;
    p->kind = f->type == FieldType::kText ? Plan::Kind::kNormsExist : Plan::Kind::kDocValues;
    p->predicate.exists_only = true;
    return p;
  }

  StatusOr<std::unique_ptr<Plan>> IdsQuery(const Query& q, float boost, bool scoring) {
    if (q.values.size() > limits_.max_terms_count) {
      return Status::InvalidArgument("illegal_argument_exception: too many ids [" +
                                     std::to_string(q.values.size()) + "]");
    }
    auto p = std::make_unique<Plan>();
    p->kind = Plan::Kind::kIds;
    p->scoring = scoring;
    p->score = scoring ? boost : 0;
    p->ids.resize(reader_.segments().size());
    bool any = false;
    for (const QueryValue& v : q.values) {
      STELA_ASSIGN_OR_RETURN(auto loc, reader_.Locate(v.text));
      if (!loc) continue;
      p->ids[loc->first].push_back(loc->second);
      any = true;
    }
    if (!any) return NonePlan();
    for (auto& docs : p->ids) {
      std::sort(docs.begin(), docs.end());
      docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
    }
    return p;
  }

  static Query CopyScalar(const Query& q) {
    Query m;
    m.kind = Query::Kind::kMatch;
    m.value = q.value;
    m.op = q.op;
    m.minimum_should_match = q.minimum_should_match;
    m.fuzziness = q.fuzziness;
    m.prefix_length = q.prefix_length;
    m.max_expansions = q.max_expansions;
    m.transpositions = q.transpositions;
    m.slop = q.slop;
    m.analyzer = q.analyzer;
    m.language = q.language;
    m.zero_terms_all = q.zero_terms_all;
    return m;
  }

  const internal::SnapshotReader& reader_;
  const SearchLimits& limits_;
  HighlightTerms* highlight_;
  std::uint32_t clauses_ = 0;
  const std::int64_t now_ms_ = NowMillis();
  std::map<const analyzers::Analyzer*, std::unique_ptr<analyzers::TokenStream>> streams_;
  std::vector<const analyzers::Analyzer*> blended_;
  std::vector<analyzers::Token> tokens_;
  std::map<std::string, std::vector<Group>> analysis_memo_;
  std::map<std::uint16_t, std::shared_ptr<const Bm25Norms>> bm25_;
  std::map<std::uint16_t, std::uint64_t> doc_count_;
};

}  // namespace

StatusOr<std::unique_ptr<Plan>> Rewrite(const internal::SnapshotReader& reader, const Query* query,
                                        const SearchLimits& limits, HighlightTerms* highlight) {
  Rewriter r(reader, limits, highlight);
  if (query == nullptr) {
    Query all;
    return r.Run(all, 1.0f, true);
  }
  return r.Run(*query, 1.0f, true);
}

}  // namespace stela::engine::search
