// Search execution: rewrite, per-segment scoring with top-k pruning or field sorting,
// aggregations, then the fetch phase (stored documents, _source filtering, highlighting).
#include "stela/engine/search.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "engine/codec/doc_values.h"
#include "engine/search/aggs.h"
#include "engine/search/highlight.h"
#include "engine/search/plan.h"

namespace stela::engine {

namespace {

using search::BuildScorer;
using search::kNoMoreDocs;
using search::Plan;
using search::Scorer;

std::uint64_t GlobalDoc(std::size_t seg, std::uint32_t doc) {
  return (static_cast<std::uint64_t>(seg) << 32) | doc;
}

struct Candidate {
  float score = 0;
  std::uint64_t gdoc = 0;
  std::vector<SortValue> keys;
};

int CompareValues(const SortValue& a, const SortValue& b) {
  if (a.kind == SortValue::Kind::kString || b.kind == SortValue::Kind::kString) {
    const int c = a.s.compare(b.s);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  const bool ad = a.kind == SortValue::Kind::kDouble, bd = b.kind == SortValue::Kind::kDouble;
  if (!ad && !bd) return a.l < b.l ? -1 : a.l > b.l ? 1 : 0;
  const double x = ad ? a.d : static_cast<double>(a.l), y = bd ? b.d : static_cast<double>(b.l);
  return x < y ? -1 : x > y ? 1 : 0;
}

// Sort order of two key lists under `sort`: <0 when a comes first.
int CompareKeys(const std::vector<SortField>& sort, const std::vector<SortValue>& a,
                const std::vector<SortValue>& b) {
  for (std::size_t i = 0; i < sort.size() && i < a.size() && i < b.size(); ++i) {
    const bool an = a[i].kind == SortValue::Kind::kNull, bn = b[i].kind == SortValue::Kind::kNull;
    if (an || bn) {
      if (an && bn) continue;
      const int c = an ? 1 : -1;  // nulls last
      return sort[i].missing_first ? -c : c;
    }
    int c = CompareValues(a[i], b[i]);
    if (sort[i].descending) c = -c;
    if (c != 0) return c;
  }
  return 0;
}

// Per-segment source of sort keys.
class KeyReader {
 public:
  KeyReader(const internal::SnapshotReader& reader, const std::vector<SortField>& sort)
      : reader_(reader), sort_(sort) {}

  Status Validate() const {
    for (const SortField& s : sort_) {
      if (s.by != SortField::By::kField) continue;
      const index::FieldDef* f = reader_.mappings().Find(s.field);
      if (f == nullptr && !s.unmapped_type.empty()) continue;
      if (f == nullptr) {
        return Status::InvalidArgument("query_shard_exception: No mapping found for [" + s.field +
                                       "] in order to sort on");
      }
      if (f->type == index::FieldType::kText) {
        return Status::InvalidArgument(
            "illegal_argument_exception: Text fields are not optimised for operations that "
            "require per-document field data like aggregations and sorting, so these operations "
            "are disabled by default. Please use a keyword field instead. Alternatively, set "
            "fielddata=true on [" +
            s.field + "] in order to load field data by uninverting the inverted index.");
      }
    }
    return Status::OK();
  }

  Status SetSegment(std::size_t seg) {
    seg_ = seg;
    columns_.assign(sort_.size(), nullptr);
    holders_.assign(sort_.size(), nullptr);
    types_.assign(sort_.size(), index::FieldType::kLong);
    for (std::size_t i = 0; i < sort_.size(); ++i) {
      if (sort_[i].by != SortField::By::kField) continue;
      const index::FieldDef* f = reader_.mappings().Find(sort_[i].field);
      if (f == nullptr) {  // unmapped_type: every doc is missing the field
        auto t = index::ParseFieldType(sort_[i].unmapped_type);
        types_[i] = t.ok() ? *t : index::FieldType::kLong;
        continue;
      }
      types_[i] = f->type;
      STELA_ASSIGN_OR_RETURN(holders_[i], reader_.segments()[seg]->DocValues(f->id));
      columns_[i] = holders_[i].get();
    }
    return Status::OK();
  }

  void Keys(std::uint32_t doc, float score, std::vector<SortValue>* out) const {
    out->resize(sort_.size());
    for (std::size_t i = 0; i < sort_.size(); ++i) {
      SortValue& v = (*out)[i];
      v = SortValue();
      switch (sort_[i].by) {
        case SortField::By::kScore:
          v.kind = SortValue::Kind::kDouble;
          v.d = score;
          break;
        case SortField::By::kDoc:
          v.kind = SortValue::Kind::kLong;
          v.l = static_cast<std::int64_t>(GlobalDoc(seg_, doc));
          break;
        case SortField::By::kField:
          FieldKey(i, doc, &v);
          break;
      }
    }
  }

 private:
  void FieldKey(std::size_t i, std::uint32_t doc, SortValue* v) const {
    const codec::DocValuesColumn* c = columns_[i];
    const SortField& s = sort_[i];
    const bool use_max = s.mode == SortField::Mode::kMax ||
                         (s.mode == SortField::Mode::kDefault && s.descending);
    const bool is_double =
        types_[i] == index::FieldType::kDouble || types_[i] == index::FieldType::kFloat;
    if (c == nullptr || doc >= c->max_doc() || c->count(doc) == 0) {
      // Missing: Elasticsearch's sentinels for numbers (sorting last or first), null for
      // keywords.
      if (c != nullptr && c->kind() == codec::DocValuesKind::kKeyword) return;
      if (types_[i] == index::FieldType::kKeyword) return;
      const bool high = s.missing_first == s.descending;
      if (is_double) {
        v->kind = SortValue::Kind::kDouble;
        v->d = high ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max();
      } else {
        v->kind = SortValue::Kind::kLong;
        v->l = high ? INT64_MAX : INT64_MIN;
      }
      return;
    }
    if (c->kind() == codec::DocValuesKind::kKeyword) {
      auto ords = c->ordinals(doc);
      v->kind = SortValue::Kind::kString;
      v->s = c->terms()[use_max ? ords.back() : ords.front()];
      return;
    }
    auto nums = c->numbers(doc);
    const std::int64_t n = use_max ? nums.back() : nums.front();
    if (is_double) {
      v->kind = SortValue::Kind::kDouble;
      v->d = codec::DoubleFromSortableBits(n);
    } else {
      v->kind = SortValue::Kind::kLong;
      v->l = n;
    }
  }

  const internal::SnapshotReader& reader_;
  const std::vector<SortField>& sort_;
  std::size_t seg_ = 0;
  std::vector<const codec::DocValuesColumn*> columns_;
  std::vector<std::shared_ptr<const codec::DocValuesColumn>> holders_;
  std::vector<index::FieldType> types_;
};

bool SortsByScoreOnly(const SearchRequest& r) {
  if (r.sort.empty()) return true;
  return r.sort.size() == 1 && r.sort[0].by == SortField::By::kScore && r.sort[0].descending;
}

// Orders a candidate list best first; for the heap, the worst stays on top.
struct ScoreOrder {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.score != b.score) return a.score > b.score;
    return a.gdoc < b.gdoc;
  }
};

}  // namespace

StatusOr<SearchResponse> Search(const Snapshot& snapshot, const SearchRequest& request,
                                const SearchLimits& limits) {
  const internal::SnapshotReader& reader = snapshot.reader();
  const std::uint64_t window = std::uint64_t{request.from} + request.size;
  if (window > limits.max_result_window) {
    return Status::InvalidArgument(
        "illegal_argument_exception: Result window is too large, from + size must be less than "
        "or equal to: [" +
        std::to_string(limits.max_result_window) + "] but was [" + std::to_string(window) +
        "]. See the scroll api for a more efficient way to request large data sets. This limit "
        "can be set by changing the [index.max_result_window] index level setting.");
  }
  search::HighlightTerms highlight_terms;
  STELA_ASSIGN_OR_RETURN(auto plan, search::Rewrite(reader, request.query.get(), limits,
                                                    request.highlight ? &highlight_terms : nullptr));
  std::unique_ptr<Plan> post_plan;
  if (request.post_filter) {
    STELA_ASSIGN_OR_RETURN(post_plan,
                           search::Rewrite(reader, request.post_filter.get(), limits, nullptr));
  }
  std::unique_ptr<search::AggsCollector> aggs;
  if (!request.aggs.empty()) {
    STELA_ASSIGN_OR_RETURN(aggs, search::AggsCollector::Create(reader, request.aggs, limits));
  }

  const bool by_score = SortsByScoreOnly(request);
  std::vector<SortField> sort = request.sort;
  if (sort.empty()) sort.push_back(SortField{});
  if (request.tiebreak_by_doc) {
    SortField doc;
    doc.by = SortField::By::kDoc;
    doc.descending = false;
    sort.push_back(doc);
  }
  KeyReader keys(reader, sort);
  STELA_RETURN_IF_ERROR(keys.Validate());
  const bool needs_scores =
      by_score || request.track_scores || request.min_score ||
      std::any_of(sort.begin(), sort.end(),
                  [](const SortField& s) { return s.by == SortField::By::kScore; });

  // search_after: for score order, (score, doc) from the values given.
  const bool has_after = !request.search_after.empty();
  if (has_after && request.search_after.size() != sort.size()) {
    return Status::InvalidArgument(
        "illegal_argument_exception: search_after has " +
        std::to_string(request.search_after.size()) + " value(s) but sort has " +
        std::to_string(sort.size()) + ".");
  }

  const std::size_t k = window;
  const std::int64_t track = request.track_total_hits;  // -1 exact, 0 none
  // Pruning is only sound for pure score order with nothing that needs every match.
  const bool can_prune = by_score && !aggs && !request.min_score && track >= 0;

  std::vector<Candidate> heap;  // ScoreOrder heap for score sort; key heap otherwise
  auto key_less = [&](const Candidate& a, const Candidate& b) {
    const int c = CompareKeys(sort, a.keys, b.keys);
    if (c != 0) return c < 0;
    return a.gdoc < b.gdoc;
  };
  std::uint64_t total = 0;
  bool pruning = false;
  float max_score = -std::numeric_limits<float>::infinity();
  Candidate probe;

  // The deadline: checked before each segment and every 256 matching docs.
  std::optional<std::chrono::steady_clock::time_point> deadline = request.deadline;
  if (request.timeout_ms >= 0) {
    const auto t = std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms);
    if (!deadline || t < *deadline) deadline = t;
  }
  std::uint32_t until_clock_check = 0;
  bool timed_out = false, terminated_early = false;

  const auto& segments = reader.segments();
  bool stop = false;
  for (std::size_t s = 0; s < segments.size() && !stop; ++s) {
    if (deadline && std::chrono::steady_clock::now() >= *deadline) {
      timed_out = true;
      break;
    }
    const internal::SegmentReader& seg = *segments[s];
    STELA_ASSIGN_OR_RETURN(auto scorer, BuildScorer(reader, *plan, s));
    if (scorer == nullptr) continue;
    std::unique_ptr<Scorer> post;
    if (post_plan) {
      STELA_ASSIGN_OR_RETURN(post, BuildScorer(reader, *post_plan, s));
    }
    if (aggs) STELA_RETURN_IF_ERROR(aggs->SetSegment(s));
    STELA_RETURN_IF_ERROR(keys.SetSegment(s));
    if (pruning) {
      const float min_competitive = std::nextafter(heap.front().score, INFINITY);
      // No doc of this segment can enter the top k (a constant-score query once k docs and
      // the hits to track are in, or a segment without the query's best terms): skip it.
      if (scorer->MaxScore() < min_competitive) continue;
      scorer->SetMinCompetitiveScore(min_competitive);
    }
    const bool all_live = !seg.has_deletions();
    for (std::uint32_t d = scorer->doc(); d != kNoMoreDocs; d = scorer->Next()) {
      if (!all_live && !seg.IsLive(d)) continue;
      if (deadline && until_clock_check-- == 0) {
        until_clock_check = 255;
        if (std::chrono::steady_clock::now() >= *deadline) {
          timed_out = stop = true;
          break;
        }
      }
      if (request.terminate_after > 0 && total >= request.terminate_after) {
        terminated_early = stop = true;
        break;
      }
      float score = 0;
      if (needs_scores) score = scorer->Score();
      if (request.min_score && score < *request.min_score) continue;
      if (aggs) STELA_RETURN_IF_ERROR(aggs->Collect(d));
      if (post_plan && (post == nullptr || post->Advance(d) != d)) continue;
      ++total;
      if (needs_scores) max_score = std::max(max_score, score);
      if (k == 0) {
        if (!aggs && track >= 0 && total > static_cast<std::uint64_t>(track)) {
          stop = true;
          break;
        }
        continue;
      }
      probe.score = score;
      probe.gdoc = GlobalDoc(s, d);
      if (by_score && !request.tiebreak_by_doc) {
        if (has_after) {
          const SortValue& a = request.search_after[0];
          const double after = a.kind == SortValue::Kind::kLong ? static_cast<double>(a.l) : a.d;
          if (!(score < after)) continue;
        }
        bool entered = true;
        if (heap.size() < k) {
          heap.push_back(probe);
          std::push_heap(heap.begin(), heap.end(), ScoreOrder());
        } else if (ScoreOrder()(probe, heap.front())) {
          std::pop_heap(heap.begin(), heap.end(), ScoreOrder());
          heap.back() = probe;
          std::push_heap(heap.begin(), heap.end(), ScoreOrder());
        } else {
          entered = false;
        }
        // The threshold moves when a doc enters the heap; pruning also starts once enough hits
        // are counted even if none enters (a constant-score query: every later doc ties).
        if (can_prune && heap.size() == k && (entered || !pruning) &&
            (track == 0 || total > static_cast<std::uint64_t>(track))) {
          pruning = true;
          const float min_competitive = std::nextafter(heap.front().score, INFINITY);
          if (scorer->MaxScore() < min_competitive) break;  // the rest of the segment cannot
          scorer->SetMinCompetitiveScore(min_competitive);
        }
        continue;
      }
      keys.Keys(d, score, &probe.keys);
      if (has_after && CompareKeys(sort, probe.keys, request.search_after) <= 0) continue;
      if (heap.size() < k) {
        heap.push_back(probe);
        std::push_heap(heap.begin(), heap.end(), key_less);
      } else if (key_less(probe, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), key_less);
        heap.back() = std::move(probe);
        std::push_heap(heap.begin(), heap.end(), key_less);
        probe = Candidate();
      }
    }
    STELA_RETURN_IF_ERROR(scorer->status());
  }

  SearchResponse out;
  out.timed_out = timed_out;
  out.terminated_early = terminated_early;
  if (track < 0) {
    out.total = total;
  } else if (track == 0) {
    out.total_tracked = false;
    out.total = 0;
  } else {
    out.total = std::min<std::uint64_t>(total, static_cast<std::uint64_t>(track));
    out.total_is_lower_bound = total > static_cast<std::uint64_t>(track) || pruning;
  }
  const bool scores_shown = by_score || request.track_scores;
  if (scores_shown && total > 0 && std::isfinite(max_score)) out.max_score = max_score;

  if (by_score && !request.tiebreak_by_doc) {
    std::sort(heap.begin(), heap.end(), ScoreOrder());
  } else {
    std::sort(heap.begin(), heap.end(), key_less);
  }
  std::unique_ptr<search::Highlighter> highlighter;
  if (request.highlight) {
    highlighter =
        std::make_unique<search::Highlighter>(reader, *request.highlight, highlight_terms);
  }
  for (std::size_t i = request.from; i < heap.size(); ++i) {
    const Candidate& c = heap[i];
    const auto seg = static_cast<std::size_t>(c.gdoc >> 32);
    const auto docno = static_cast<std::uint32_t>(c.gdoc);
    STELA_ASSIGN_OR_RETURN(StoredDocument doc, segments[seg]->Document(docno));
    SearchHit hit;
    hit.id = std::move(doc.id);
    if (scores_shown) hit.score = c.score;
    if (!request.sort.empty() || request.tiebreak_by_doc) {
      if (by_score && !request.tiebreak_by_doc) {
        SortValue v;
        v.kind = SortValue::Kind::kDouble;
        v.d = c.score;
        hit.sort.push_back(v);
      } else {
        hit.sort = c.keys;
      }
    }
    hit.version = doc.version;
    hit.seq_no = doc.seq_no;
    hit.primary_term = doc.primary_term;
    if (highlighter) STELA_RETURN_IF_ERROR(highlighter->Highlight(doc.source, &hit.highlight));
    if (request.source_enabled) {
      if (request.source_includes.empty() && request.source_excludes.empty()) {
        hit.source = std::move(doc.source);
      } else {
        STELA_ASSIGN_OR_RETURN(hit.source, search::FilterSource(doc.source,
                                                                request.source_includes,
                                                                request.source_excludes));
      }
    }
    out.hits.push_back(std::move(hit));
  }
  if (aggs) {
    STELA_ASSIGN_OR_RETURN(out.aggregations_json, aggs->Render());
  }
  return out;
}

StatusOr<std::uint64_t> Count(const Snapshot& snapshot, const Query* query,
                              const SearchLimits& limits) {
  const internal::SnapshotReader& reader = snapshot.reader();
  STELA_ASSIGN_OR_RETURN(auto plan, search::Rewrite(reader, query, limits, nullptr));
  std::uint64_t n = 0;
  for (std::size_t s = 0; s < reader.segments().size(); ++s) {
    STELA_ASSIGN_OR_RETURN(auto scorer, BuildScorer(reader, *plan, s));
    if (scorer == nullptr) continue;
    const internal::SegmentReader& seg = *reader.segments()[s];
    const bool all_live = !seg.has_deletions();
    for (std::uint32_t d = scorer->doc(); d != kNoMoreDocs; d = scorer->Next()) {
      if (all_live || seg.IsLive(d)) ++n;
    }
    STELA_RETURN_IF_ERROR(scorer->status());
  }
  return n;
}

StatusOr<std::vector<std::string>> MatchingIds(const Snapshot& snapshot, const Query* query,
                                               const SearchLimits& limits) {
  const internal::SnapshotReader& reader = snapshot.reader();
  STELA_ASSIGN_OR_RETURN(auto plan, search::Rewrite(reader, query, limits, nullptr));
  std::vector<std::string> ids;
  for (std::size_t s = 0; s < reader.segments().size(); ++s) {
    STELA_ASSIGN_OR_RETURN(auto scorer, BuildScorer(reader, *plan, s));
    if (scorer == nullptr) continue;
    const internal::SegmentReader& seg = *reader.segments()[s];
    const bool all_live = !seg.has_deletions();
    for (std::uint32_t d = scorer->doc(); d != kNoMoreDocs; d = scorer->Next()) {
      if (!all_live && !seg.IsLive(d)) continue;
      STELA_ASSIGN_OR_RETURN(StoredDocument doc, seg.Document(d));
      ids.push_back(std::move(doc.id));
    }
    STELA_RETURN_IF_ERROR(scorer->status());
  }
  return ids;
}

}  // namespace stela::engine
