// Search: the Elasticsearch search request (query DSL, sort, paging, cursors, aggregations,
// highlighting) parsed from JSON and executed on a Snapshot with BM25 scoring and dynamic pruning.
//
// Errors carry Elasticsearch's exception type as the message prefix ("parsing_exception: ...",
// "illegal_argument_exception: ...", "too_many_buckets_exception: ..."), which the REST layer
// turns into the error body; the Status code says which HTTP status applies (InvalidArgument 400,
// ResourceExhausted 400/too many, Corruption 500).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"
#include "stela/engine/index.h"
#include "stela/engine/query.h"

namespace stela::engine {

// Every limit has Elasticsearch's default.
struct SearchLimits {
  std::uint32_t max_result_window = 10000;  // from + size (index.max_result_window)
  std::uint32_t max_clause_count = 4096;    // clauses after expansion (indices.query.bool.max_clause_count)
  std::uint32_t max_depth = 30;  // nested compound queries (indices.query.bool.max_nested_depth)
  std::uint32_t max_buckets = 65536;        // search.max_buckets
  std::uint32_t max_terms_count = 65536;    // index.max_terms_count
  std::uint32_t max_regex_length = 1000;    // wildcard/prefix pattern bytes (index.max_regex_length)
  std::uint32_t max_expansions = 1024;      // terms a fuzzy or phrase-prefix query may expand to
  std::uint32_t max_docvalue_fields_search = 100;
  std::size_t max_body_bytes = 100 << 20;
};

// A sort key value as Elasticsearch renders it in hits[].sort and takes back in search_after.
struct SortValue {
  enum class Kind : std::uint8_t { kNull, kLong, kDouble, kString };
  Kind kind = Kind::kNull;
  std::int64_t l = 0;
  double d = 0;
  std::string s;
};

struct SortField {
  enum class By : std::uint8_t { kScore, kDoc, kField };
  By by = By::kScore;
  std::string field;
  bool descending = true;   // _score defaults to desc, fields to asc
  bool missing_first = false;
  enum class Mode : std::uint8_t { kDefault, kMin, kMax } mode = Mode::kDefault;
  std::string unmapped_type;  // when set, an unmapped field sorts as missing instead of failing
};

struct HighlightField {
  std::string field;  // may be a pattern ("*", "title*")
  std::uint32_t fragment_size = 100;
  std::uint32_t number_of_fragments = 5;  // 0: the whole value, highlighted
  std::uint32_t no_match_size = 0;
};

struct HighlightSpec {
  std::vector<HighlightField> fields;
  std::vector<std::string> pre_tags = {"<em>"};
  std::vector<std::string> post_tags = {"</em>"};
  bool order_by_score = false;
  bool require_field_match = true;
  std::string encoder;  // "" or "html"
};

// One aggregation of the request (with its sub-aggregations).
struct Aggregation {
  enum class Kind : std::uint8_t {
    kTerms, kRange, kDateRange, kHistogram, kDateHistogram, kMin, kMax, kSum, kAvg, kStats,
    kValueCount, kCardinality, kFilter, kMissing
  };
  Kind kind = Kind::kTerms;
  std::string name;
  std::string field;
  // terms
  std::uint32_t size = 10;
  std::uint64_t min_doc_count = 1;
  bool order_by_key = false;  // else by _count
  bool order_ascending = false;
  // range / date_range: [from, to)
  struct Range {
    std::optional<double> from, to;
    std::string key;
  };
  std::vector<Range> ranges;
  bool keyed = false;
  // histogram / date_histogram
  double interval = 0;               // histogram; date_histogram fixed interval in ms
  std::string calendar_interval;     // date_histogram: minute hour day week month quarter year
  double offset = 0;
  std::optional<double> extended_min, extended_max;  // extended_bounds
  // cardinality
  std::uint32_t precision_threshold = 3000;
  std::optional<double> missing;  // numeric metrics: value for docs without one
  std::unique_ptr<Query> filter;  // filter aggregation
  std::vector<std::unique_ptr<Aggregation>> subs;
};

struct SearchRequest {
  std::unique_ptr<Query> query;  // null: match_all
  std::unique_ptr<Query> post_filter;
  std::uint32_t from = 0;
  std::uint32_t size = 10;
  std::vector<SortField> sort;  // empty: by score
  // Exact count up to this many hits, then a lower bound ("gte"). -1: exact (true); 0: none (false).
  std::int64_t track_total_hits = 10000;
  bool track_scores = false;
  std::optional<float> min_score;
  std::vector<SortValue> search_after;
  bool source_enabled = true;
  std::vector<std::string> source_includes, source_excludes;
  std::vector<std::unique_ptr<Aggregation>> aggs;
  std::optional<HighlightSpec> highlight;
  bool explain = false;
  bool version = false;
  bool seq_no_primary_term = false;
  // search_after / point in time: adds the global doc order as a last sort key (_shard_doc).
  bool tiebreak_by_doc = false;
  // "pit": {"id", "keep_alive"}: resolved by the caller to a kept Snapshot.
  std::string pit_id;
  std::string pit_keep_alive;
  // Stop collecting after this many matching documents and answer with those
  // (terminated_early). 0: no limit.
  std::uint32_t terminate_after = 0;
  // "timeout": when this much time has passed since the search began, stop collecting and
  // answer with what was found (timed_out). -1: none.
  std::int64_t timeout_ms = -1;
  // An absolute deadline set by the caller (a server default, a gRPC deadline); the earlier of
  // the two applies.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct SearchHit {
  std::string id;
  std::optional<float> score;  // absent when sorting by a field without track_scores
  std::vector<SortValue> sort;  // present when the request sorts or uses search_after
  std::string source;           // filtered _source JSON; empty when disabled
  std::map<std::string, std::vector<std::string>> highlight;
  std::vector<std::string> matched_queries;
  std::uint64_t version = 0, seq_no = 0, primary_term = 0;
};

struct SearchResponse {
  std::uint64_t total = 0;
  bool total_is_lower_bound = false;  // "relation": "gte"
  bool total_tracked = true;          // false when track_total_hits is false
  std::optional<float> max_score;
  std::vector<SearchHit> hits;
  std::string aggregations_json;  // {"name": {...}, ...}; empty when the request has none
  bool timed_out = false;         // the timeout or deadline passed: hits and aggs are partial
  bool terminated_early = false;  // terminate_after stopped the collection
};

// Parses a search body ("{}" and "" mean match_all). Returns InvalidArgument with
// "parsing_exception: ..." / "x_content_parse_exception: ..." / "illegal_argument_exception: ..."
// for malformed or over-limit input. Never crashes on any input.
StatusOr<SearchRequest> ParseSearchRequest(std::string_view json, const SearchLimits& limits = {});
// Parses a query object alone ({"match": {...}}), e.g. for _count and _delete_by_query.
StatusOr<std::unique_ptr<Query>> ParseQuery(std::string_view json, const SearchLimits& limits = {});
// Parses a Lucene query string (`q=` and query_string) over `default_fields` (empty: all text
// and keyword fields): AND/OR/NOT, +/-, "phrases", field:value, field:(a b), prefix*, grouping.
StatusOr<std::unique_ptr<Query>> ParseQueryString(std::string_view text,
                                                  const std::vector<std::string>& default_fields,
                                                  Query::Operator default_operator,
                                                  const SearchLimits& limits = {});

// Runs `request` on `snapshot`. Thread-safe: any number of searches may share a snapshot.
// Cost: the matching postings, pruned for top-k by score; aggregations and field sorts visit every
// match.
StatusOr<SearchResponse> Search(const Snapshot& snapshot, const SearchRequest& request,
                                const SearchLimits& limits = {});
// The number of live docs matching `query` (null: all).
StatusOr<std::uint64_t> Count(const Snapshot& snapshot, const Query* query,
                              const SearchLimits& limits = {});
// The ids of every live doc matching `query`, in global doc order (delete/update by query).
StatusOr<std::vector<std::string>> MatchingIds(const Snapshot& snapshot, const Query* query,
                                               const SearchLimits& limits = {});

}  // namespace stela::engine
