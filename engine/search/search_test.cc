// The search API end to end: every DSL construct, multilingual matching, sorting and cursors,
// aggregations, highlighting, _source filtering, and every limit with its error type.
#include "stela/engine/search.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/testing/temp_dir.h"

namespace stela::engine {
namespace {

using Ids = std::vector<std::string>;

class SearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = analyzers::Registry::CreateBuiltin();
    ASSERT_TRUE(r.ok());
    registry_ = std::move(r).value().release();
  }

  void SetUp() override {
    IndexOptions o;
    o.durability = Durability::kAsync;
    o.refresh_interval_ms = 0;
    o.mappings_json = R"({"properties": {
        "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
        "body": {"type": "text"},
        "en": {"type": "text", "language": "en"},
        "tag": {"type": "keyword"},
        "views": {"type": "long"},
        "price": {"type": "double"},
        "published": {"type": "date"},
        "public": {"type": "boolean"}}})";
    auto idx = Index::Open(dir_.Sub("shard"), o, *registry_);
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(idx).value();
    Put("1", R"({"title": "The quick brown fox", "body": "The quick brown fox jumps over the lazy dog", "en": "running dogs", "tag": "animal", "views": 10, "price": 1.5, "published": "2024-01-15", "public": true})");
    Put("2", R"({"title": "Die Häuser der Stadt", "body": "Die alten Häuser der Stadt stehen am Fluss und die Häuser sind schön", "tag": "city", "views": 20, "price": 2.5, "published": "2024-02-20", "public": false})");
    Put("3", R"({"title": "北京大学的历史", "body": "北京大学是中国著名的大学，位于北京市海淀区。", "tag": "city", "views": 30, "published": "2024-02-25"})");
    Put("4", R"({"title": "Lazy afternoon", "body": "A lazy dog sleeps all afternoon in the brown grass", "en": "the dog runs", "tag": "animal", "views": 40, "price": 4.0, "published": "2024-03-01", "public": true})");
    Put("5", R"({"title": "Fox and hound", "body": "The fox and the hound are friends; the fox is quick", "tag": ["animal", "story"], "views": 50, "published": "2023-12-31"})");
    ASSERT_TRUE(index_->Refresh().ok());
    Put("6", R"({"title": "Quick thinking", "body": "Quick thinking saves the day", "views": 60})");
    ASSERT_TRUE(index_->Refresh().ok());
  }

  void TearDown() override { index_.reset(); }

  void Put(std::string_view id, std::string_view json) {
    auto r = index_->IndexDocument(id, json);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  StatusOr<SearchResponse> Run(std::string_view body, SearchLimits limits = {}) {
    auto req = ParseSearchRequest(body, limits);
    if (!req.ok()) return req.status();
    return Search(*index_->AcquireSnapshot(), *req, limits);
  }

  Ids Hits(std::string_view body) {
    auto r = Run(body);
    EXPECT_TRUE(r.ok()) << body << ": " << r.status().ToString();
    Ids ids;
    if (r.ok()) {
      for (const SearchHit& h : r->hits) ids.push_back(h.id);
    }
    return ids;
  }
  std::set<std::string> HitSet(std::string_view body) {
    Ids ids = Hits(body);
    return {ids.begin(), ids.end()};
  }
  std::string Error(std::string_view body, SearchLimits limits = {}) {
    auto r = Run(body, limits);
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? "" : std::string(r.status().message());
  }

  static analyzers::Registry* registry_;
  stela::testing::TempDir dir_;
  std::unique_ptr<Index> index_;
};

analyzers::Registry* SearchTest::registry_ = nullptr;

TEST_F(SearchTest, MatchAllAndCounts) {
  auto r = Run("{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 6u);
  EXPECT_EQ(r->hits.size(), 6u);
  ASSERT_TRUE(r->max_score.has_value());
  EXPECT_FLOAT_EQ(*r->max_score, 1.0f);
  auto c = Count(*index_->AcquireSnapshot(), nullptr);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, 6u);
}

TEST_F(SearchTest, MatchRanksByBm25) {
  // "fox" is twice in doc 5's body (short), once in doc 1's.
  EXPECT_EQ(Hits(R"({"query": {"match": {"body": "fox"}}})"), (Ids{"5", "1"}));
  EXPECT_EQ(HitSet(R"({"query": {"match": {"body": {"query": "quick fox", "operator": "and"}}}})"),
            (std::set<std::string>{"1", "5"}));
  EXPECT_EQ(HitSet(R"({"query": {"match": {"body": {"query": "quick lazy hound", "minimum_should_match": 2}}}})"),
            (std::set<std::string>{"1", "5"}));
}

TEST_F(SearchTest, LanguageFieldsStem) {
  // "en" is analysed as English: "run" finds "running" and "runs".
  EXPECT_EQ(HitSet(R"({"query": {"match": {"en": "run"}}})"), (std::set<std::string>{"1", "4"}));
}

TEST_F(SearchTest, MultilingualBlendedTerm) {
  // body is `auto`: the German doc was stemmed as German. A German query finds it by stem with
  // the language given, and without it through the blended term.
  EXPECT_EQ(Hits(R"({"query": {"match": {"body": {"query": "Haus", "language": "de"}}}})"), Ids{"2"});
  EXPECT_EQ(Hits(R"({"query": {"match": {"body": "Häusern"}}})"), Ids{"2"});
  EXPECT_EQ(Hits(R"({"query": {"match": {"body": "häuser"}}})"), Ids{"2"});
  // A Chinese query finds Chinese words (dictionary segmentation).
  EXPECT_EQ(Hits(R"({"query": {"match": {"body": "北京"}}})"), Ids{"3"});
  EXPECT_EQ(Hits(R"({"query": {"match_phrase": {"body": "北京大学"}}})"), Ids{"3"});
}

TEST_F(SearchTest, BoolClauses) {
  EXPECT_EQ(HitSet(R"({"query": {"bool": {"must": {"match": {"body": "fox"}}, "must_not": {"term": {"tag": "story"}}}}})"),
            (std::set<std::string>{"1"}));
  EXPECT_EQ(HitSet(R"({"query": {"bool": {"filter": [{"term": {"tag": "animal"}}, {"range": {"views": {"gte": 20}}}]}}})"),
            (std::set<std::string>{"4", "5"}));
  auto r = Run(R"({"query": {"bool": {"filter": {"term": {"tag": "animal"}}}}})");
  ASSERT_TRUE(r.ok());
  for (const SearchHit& h : r->hits) EXPECT_EQ(*h.score, 0.0f);
  EXPECT_EQ(HitSet(R"({"query": {"bool": {"should": [{"term": {"tag": "city"}}, {"term": {"tag": "story"}}, {"match": {"body": "fox"}}], "minimum_should_match": 2}}})"),
            (std::set<std::string>{"5"}));
  EXPECT_EQ(HitSet(R"({"query": {"bool": {"must_not": {"exists": {"field": "price"}}}}})"),
            (std::set<std::string>{"3", "5", "6"}));
}

TEST_F(SearchTest, PhraseQueries) {
  EXPECT_EQ(HitSet(R"({"query": {"match_phrase": {"body": "quick brown fox"}}})"), (std::set<std::string>{"1"}));
  EXPECT_TRUE(Hits(R"({"query": {"match_phrase": {"body": "brown quick"}}})").empty());
  EXPECT_EQ(HitSet(R"({"query": {"match_phrase": {"body": {"query": "lazy sleeps", "slop": 1}}}})"), (std::set<std::string>{"4"}));
  // English stop words are not indexed in English text: "the" leaves a gap, as in Elasticsearch.
  EXPECT_EQ(HitSet(R"({"query": {"match_phrase": {"body": "the lazy dog"}}})"), (std::set<std::string>{"1", "4"}));
  EXPECT_EQ(HitSet(R"({"query": {"match_phrase_prefix": {"body": "lazy d"}}})"), (std::set<std::string>{"1", "4"}));
  EXPECT_EQ(HitSet(R"({"query": {"match_phrase_prefix": {"body": "dog sl"}}})"), (std::set<std::string>{"4"}));
  EXPECT_TRUE(Hits(R"({"query": {"match_phrase": {"body": "lazy cat"}}})").empty());
}

TEST_F(SearchTest, TermLevelQueries) {
  EXPECT_EQ(HitSet(R"({"query": {"term": {"tag": "story"}}})"), (std::set<std::string>{"5"}));
  EXPECT_EQ(HitSet(R"({"query": {"term": {"tag": {"value": "ANIMAL", "case_insensitive": true}}}})"),
            (std::set<std::string>{"1", "4", "5"}));
  EXPECT_EQ(HitSet(R"({"query": {"terms": {"tag": ["story", "city"]}}})"), (std::set<std::string>{"2", "3", "5"}));
  EXPECT_EQ(HitSet(R"({"query": {"term": {"views": 40}}})"), (std::set<std::string>{"4"}));
  EXPECT_EQ(HitSet(R"({"query": {"term": {"public": true}}})"), (std::set<std::string>{"1", "4"}));
  EXPECT_EQ(HitSet(R"({"query": {"prefix": {"title.raw": "Fox"}}})"), (std::set<std::string>{"5"}));
  EXPECT_EQ(HitSet(R"({"query": {"wildcard": {"body": "sle*p"}}})"), (std::set<std::string>{"4"}));
  EXPECT_EQ(HitSet(R"({"query": {"fuzzy": {"tag": {"value": "animl"}}}})"), (std::set<std::string>{"1", "4", "5"}));
  EXPECT_EQ(HitSet(R"({"query": {"match": {"body": {"query": "hund", "fuzziness": "AUTO"}}}})"),
            (std::set<std::string>{"5"}));
  EXPECT_EQ(HitSet(R"({"query": {"ids": {"values": ["2", "6", "nope"]}}})"), (std::set<std::string>{"2", "6"}));
  EXPECT_EQ(HitSet(R"({"query": {"exists": {"field": "public"}}})"), (std::set<std::string>{"1", "2", "4"}));
  EXPECT_TRUE(Hits(R"({"query": {"match_none": {}}})").empty());
  auto r = Run(R"({"query": {"constant_score": {"filter": {"term": {"tag": "city"}}, "boost": 2.5}}})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(*r->hits[0].score, 2.5f);
}

TEST_F(SearchTest, Ranges) {
  EXPECT_EQ(HitSet(R"({"query": {"range": {"views": {"gt": 10, "lte": 30}}}})"), (std::set<std::string>{"2", "3"}));
  EXPECT_EQ(HitSet(R"({"query": {"range": {"price": {"gte": 2.5}}}})"), (std::set<std::string>{"2", "4"}));
  EXPECT_EQ(HitSet(R"({"query": {"range": {"published": {"gte": "2024-02-01", "lt": "2024-03-01"}}}})"),
            (std::set<std::string>{"2", "3"}));
  EXPECT_EQ(HitSet(R"({"query": {"range": {"published": {"lte": "2024-02-20"}}}})"),
            (std::set<std::string>{"1", "2", "5"}));
  EXPECT_EQ(HitSet(R"({"query": {"range": {"published": {"gte": "2024-02-20||/M"}}}})"),
            (std::set<std::string>{"2", "3", "4"}));
  EXPECT_EQ(HitSet(R"({"query": {"range": {"tag": {"gte": "b", "lt": "d"}}}})"), (std::set<std::string>{"2", "3"}));
  EXPECT_EQ(HitSet(R"({"query": {"range": {"published": {"lt": "now"}}}})").size(), 5u);
}

TEST_F(SearchTest, MultiMatchAndQueryString) {
  EXPECT_EQ(Hits(R"({"query": {"multi_match": {"query": "lazy", "fields": ["title^3", "body"]}}})")[0], "4");
  EXPECT_EQ(HitSet(R"({"query": {"multi_match": {"query": "hound", "fields": ["*"], "type": "most_fields"}}})"),
            (std::set<std::string>{"5"}));
  EXPECT_EQ(HitSet(R"({"query": {"query_string": {"query": "body:fox AND NOT tag:story"}}})"),
            (std::set<std::string>{"1"}));
  EXPECT_EQ(HitSet(R"({"query": {"query_string": {"query": "\"lazy dog\" OR title:thinking", "default_field": "body"}}})"),
            (std::set<std::string>{"1", "4", "6"}));
  EXPECT_EQ(HitSet(R"({"query": {"query_string": {"query": "views:[20 TO 40] -tag:city"}}})"),
            (std::set<std::string>{"4"}));
  EXPECT_EQ(HitSet(R"({"query": {"simple_query_string": {"query": "fox +hound", "fields": ["body"]}}})"),
            (std::set<std::string>{"5"}));
  EXPECT_EQ(HitSet(R"({"query": {"simple_query_string": {"query": "fox | hound", "fields": ["body"]}}})"),
            (std::set<std::string>{"1", "5"}));
  auto q = ParseQueryString("title:(quick OR lazy) views:>=50", {}, Query::Operator::kAnd);
  ASSERT_TRUE(q.ok());
  SearchRequest req;
  req.query = std::move(q).value();
  auto r = Search(*index_->AcquireSnapshot(), req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].id, "6");
}

TEST_F(SearchTest, SortAndCursors) {
  EXPECT_EQ(Hits(R"({"sort": [{"views": "desc"}], "size": 3})"), (Ids{"6", "5", "4"}));
  EXPECT_EQ(Hits(R"({"sort": [{"price": {"order": "asc"}}, "_doc"]})"), (Ids{"1", "2", "4", "3", "5", "6"}));
  EXPECT_EQ(Hits(R"({"sort": [{"price": {"order": "asc", "missing": "_first"}}]})"),
            (Ids{"3", "5", "6", "1", "2", "4"}));
  EXPECT_EQ(Hits(R"({"sort": [{"tag": "desc"}, {"views": "asc"}]})"), (Ids{"5", "2", "3", "1", "4", "6"}));
  EXPECT_EQ(Hits(R"({"sort": [{"views": "asc"}], "search_after": [30]})"), (Ids{"4", "5", "6"}));
  // Paging with search_after over score + doc order visits every hit exactly once.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    std::string body = R"({"query": {"match": {"body": "the fox dog quick"}}, "size": 2, "sort": ["_score", "_doc"])";
    if (!after.empty()) body += ", \"search_after\": " + after;
    body += "}";
    auto r = Run(body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (r->hits.empty()) break;
    for (const SearchHit& h : r->hits) seen.push_back(h.id);
    const auto& s = r->hits.back().sort;
    ASSERT_EQ(s.size(), 2u);
    char buf[128];
    std::snprintf(buf, sizeof buf, "[%.9g, %lld]", s[0].d, static_cast<long long>(s[1].l));
    after = buf;
  }
  auto all = Hits(R"({"query": {"match": {"body": "the fox dog quick"}}, "size": 100})");
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), std::set<std::string>(all.begin(), all.end()));
  EXPECT_EQ(seen.size(), all.size());
  EXPECT_NE(Error(R"({"sort": [{"body": "asc"}]})").find("illegal_argument_exception"), std::string::npos);
  EXPECT_NE(Error(R"({"sort": [{"nope": "asc"}]})").find("No mapping found for [nope]"), std::string::npos);
  EXPECT_EQ(Hits(R"({"sort": [{"nope": {"order": "asc", "unmapped_type": "long"}}]})").size(), 6u);
}

TEST_F(SearchTest, TrackTotalHits) {
  auto r = Run(R"({"track_total_hits": 3, "size": 1})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 3u);
  EXPECT_TRUE(r->total_is_lower_bound);
  r = Run(R"({"track_total_hits": true, "size": 0})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 6u);
  EXPECT_FALSE(r->total_is_lower_bound);
  r = Run(R"({"track_total_hits": false})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->total_tracked);
  // Constant scores: once k docs and the hits to track are in, no later doc can enter (ties go
  // to the earlier doc), so collection stops; the hits are still the first docs in order,
  // across segments and past deletes.
  auto ids = [](const SearchResponse& resp) {
    Ids out;
    for (const SearchHit& h : resp.hits) out.push_back(h.id);
    return out;
  };
  r = Run(R"({"query": {"match_all": {}}, "size": 2, "track_total_hits": 3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ids(*r), (Ids{"1", "2"}));
  EXPECT_EQ(r->total, 3u);
  EXPECT_TRUE(r->total_is_lower_bound);
  r = Run(R"({"query": {"bool": {"filter": {"term": {"tag": "animal"}}}}, "size": 1,
              "track_total_hits": 1})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ids(*r), (Ids{"1"}));
  ASSERT_TRUE(index_->DeleteDocument("1").ok());
  ASSERT_TRUE(index_->DeleteDocument("5").ok());
  ASSERT_TRUE(index_->Refresh().ok());
  r = Run(R"({"query": {"match_all": {}}, "size": 5, "track_total_hits": 1})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ids(*r), (Ids{"2", "3", "4", "6"}));
  r = Run(R"({"query": {"match_all": {}}, "size": 0, "track_total_hits": true})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 4u);
}

TEST_F(SearchTest, TimeoutAndTerminateAfter) {
  // A timeout that has passed before the first segment: no hits, timed_out, no error.
  auto r = Run(R"({"timeout": "0ms", "query": {"match": {"body": "fox"}}})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(r->hits.empty());
  // A caller's deadline in the past does the same; a generous timeout changes nothing.
  auto req = ParseSearchRequest(R"({"query": {"match": {"body": "fox"}}})");
  ASSERT_TRUE(req.ok());
  req->deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  r = Search(*index_->AcquireSnapshot(), *req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  r = Run(R"({"timeout": "1m", "query": {"match": {"body": "fox"}}})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->total, 2u);
  EXPECT_NE(Error(R"({"timeout": "soon"})").find("[timeout]"), std::string::npos);
  EXPECT_NE(Error(R"({"timeout": 5})").find("[timeout]"), std::string::npos);
  // terminate_after: at most that many matches are collected, then terminated_early.
  r = Run(R"({"terminate_after": 2, "track_total_hits": true})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 2u);
  EXPECT_EQ(r->hits.size(), 2u);
  EXPECT_TRUE(r->terminated_early);
  r = Run(R"({"terminate_after": 6})");  // exactly the 6 docs: nothing was cut off
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 6u);
  EXPECT_FALSE(r->terminated_early);
}

TEST_F(SearchTest, Aggregations) {
  auto r = Run(R"({"size": 0, "aggs": {
      "tags": {"terms": {"field": "tag"}, "aggs": {"v": {"avg": {"field": "views"}}}},
      "views": {"stats": {"field": "views"}},
      "hist": {"histogram": {"field": "views", "interval": 25}},
      "months": {"date_histogram": {"field": "published", "calendar_interval": "month"}},
      "ranges": {"range": {"field": "price", "ranges": [{"to": 2}, {"from": 2}]}},
      "distinct": {"cardinality": {"field": "tag"}},
      "pub": {"terms": {"field": "public"}},
      "cities": {"filter": {"term": {"tag": "city"}}, "aggs": {"m": {"max": {"field": "views"}}}},
      "no_price": {"missing": {"field": "price"}}}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string& a = r->aggregations_json;
  EXPECT_NE(a.find(R"("tags":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"animal","doc_count":3,"v":{"value":33.333333333333336}},{"key":"city","doc_count":2,"v":{"value":25}},{"key":"story","doc_count":1,"v":{"value":50}}]})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("views":{"count":6,"min":10,"max":60,"avg":35,"sum":210})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("hist":{"buckets":[{"key":0,"doc_count":2},{"key":25,"doc_count":2},{"key":50,"doc_count":2}]})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"({"key":1701388800000,"key_as_string":"2023-12-01T00:00:00.000Z","doc_count":1},{"key":1704067200000,"key_as_string":"2024-01-01T00:00:00.000Z","doc_count":1},{"key":1706745600000,"key_as_string":"2024-02-01T00:00:00.000Z","doc_count":2},{"key":1709251200000,"key_as_string":"2024-03-01T00:00:00.000Z","doc_count":1})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("ranges":{"buckets":[{"key":"*-2.0","to":2,"doc_count":1},{"key":"2.0-*","from":2,"doc_count":2}]})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("distinct":{"value":3})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("pub":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":1,"key_as_string":"true","doc_count":2},{"key":0,"key_as_string":"false","doc_count":1}]})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("cities":{"doc_count":2,"m":{"value":30}})"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("no_price":{"doc_count":3})"), std::string::npos) << a;
}

TEST_F(SearchTest, AggregationLimits) {
  SearchLimits limits;
  limits.max_buckets = 3;
  EXPECT_NE(Error(R"({"aggs": {"h": {"histogram": {"field": "views", "interval": 1}}}})", limits)
                .find("too_many_buckets_exception"),
            std::string::npos);
  EXPECT_NE(Error(R"({"aggs": {"t": {"terms": {"field": "body"}}}})").find("illegal_argument_exception: Text fields"),
            std::string::npos);
  EXPECT_NE(Error(R"({"aggs": {"t": {"percentiles": {"field": "views"}}}})").find("parsing_exception"),
            std::string::npos);
}

TEST_F(SearchTest, Highlighting) {
  auto r = Run(R"({"query": {"match": {"body": "lazy dog"}}, "highlight": {"fields": {"body": {}}}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->hits.empty());
  for (const SearchHit& h : r->hits) {
    ASSERT_EQ(h.highlight.count("body"), 1u) << h.id;
    EXPECT_NE(h.highlight.at("body")[0].find("<em>lazy</em>"), std::string::npos) << h.highlight.at("body")[0];
  }
  r = Run(R"({"query": {"match": {"body": "北京"}}, "highlight": {"pre_tags": ["["], "post_tags": ["]"], "fields": {"body": {"number_of_fragments": 0}}}})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].highlight.at("body")[0], "[北京]大学是中国著名的大学，位于北京市海淀区。");
  r = Run(R"({"query": {"match": {"body": "hound"}}, "highlight": {"fields": {"body": {"fragment_size": 20}}}})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  const std::string frag = r->hits[0].highlight.at("body")[0];
  EXPECT_NE(frag.find("<em>hound</em>"), std::string::npos) << frag;
  EXPECT_LT(frag.size(), 50u) << frag;
}

TEST_F(SearchTest, SourceFiltering) {
  auto r = Run(R"({"query": {"ids": {"values": ["1"]}}, "_source": ["title", "tag"]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits[0].source, R"({"title":"The quick brown fox","tag":"animal"})");
  r = Run(R"({"query": {"ids": {"values": ["1"]}}, "_source": {"excludes": ["body", "p*"]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits[0].source,
            R"({"title":"The quick brown fox","en":"running dogs","tag":"animal","views":10})");
  r = Run(R"({"query": {"ids": {"values": ["1"]}}, "_source": false})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->hits[0].source.empty());
}

TEST_F(SearchTest, ErrorsAndLimits) {
  EXPECT_NE(Error(R"({"query": {"nope": {}}})").find("parsing_exception: unknown query [nope]"), std::string::npos);
  EXPECT_NE(Error(R"({"query": )").find("x_content_parse_exception"), std::string::npos);
  EXPECT_NE(Error(R"({"size": -1})").find("[size] parameter cannot be negative"), std::string::npos);
  EXPECT_NE(Error(R"({"from": 9995, "size": 10})").find("Result window is too large"), std::string::npos);
  EXPECT_NE(Error(R"({"bogus": 1})").find("Unknown key"), std::string::npos);
  EXPECT_NE(Error(R"({"query": {"match": {"body": {"operator": "and"}}}})").find("parsing_exception"), std::string::npos);
  EXPECT_NE(Error(R"({"query": {"term": {"views": "abc"}}})").find("query_shard_exception"), std::string::npos);
  SearchLimits limits;
  limits.max_depth = 4;
  std::string deep = R"({"match_all": {}})";
  for (int i = 0; i < 6; ++i) deep = R"({"bool": {"must": )" + deep + "}}";
  EXPECT_NE(Error(R"({"query": )" + deep + "}", limits).find("max_nested_depth"), std::string::npos);
  limits = {};
  limits.max_clause_count = 3;
  EXPECT_NE(Error(R"({"query": {"match": {"body": "a b c d e"}}})", limits).find("too_many_nested_clauses"),
            std::string::npos);
  limits = {};
  limits.max_terms_count = 2;
  EXPECT_NE(Error(R"({"query": {"terms": {"tag": ["a", "b", "c"]}}})", limits).find("index.max_terms_count"),
            std::string::npos);
  limits = {};
  limits.max_regex_length = 5;
  EXPECT_NE(Error(R"({"query": {"wildcard": {"tag": "abcdef*"}}})", limits).find("index.max_regex_length"),
            std::string::npos);
  // A huge but valid body neither crashes nor runs away.
  std::string many = R"({"query": {"bool": {"should": [)";
  for (int i = 0; i < 5000; ++i) many += std::string(i ? "," : "") + R"({"term": {"tag": "x)" + std::to_string(i) + R"("}})";
  many += "]}}}";
  EXPECT_NE(Error(many).find("too_many_nested_clauses"), std::string::npos);
}

TEST_F(SearchTest, DeletesAndUpdatesAreInvisible) {
  ASSERT_TRUE(index_->DeleteDocument("5").ok());
  Put("1", R"({"title": "replaced", "body": "nothing about that animal"})");
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_TRUE(Hits(R"({"query": {"match": {"body": "fox"}}})").empty());
  EXPECT_EQ(Hits(R"({"query": {"match": {"body": "animal"}}})"), Ids{"1"});
  auto ids = MatchingIds(*index_->AcquireSnapshot(), nullptr);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 5u);
}

}  // namespace
}  // namespace stela::engine
