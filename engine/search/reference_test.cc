// The reference test: a brute-force scorer (every doc, exact BM25 written out here from Lucene's
// formula) must give the same top-k — same ids, same scores, ties by doc order — as the engine
// with its pruning, on random corpora and random query trees; then again after a force merge that
// reorders the documents (ties in any order). STELA_TEST_SEED=N replays a seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "engine/check/check_index.h"
#include "engine/testing/temp_dir.h"
#include "stela/engine/index.h"
#include "stela/engine/search.h"

namespace stela::engine {
namespace {

// --- the model -----------------------------------------------------------------------------

constexpr int kFields = 2;  // "a" and "b", whitespace-analysed text
const char* const kFieldNames[kFields] = {"a", "b"};

struct ModelDoc {
  std::string id;
  std::vector<std::string> tokens[kFields];
  std::int64_t n = 0;
  bool live = true;
};

// Lucene's one-byte norm, written independently of engine/codec/norms.h.
std::uint32_t NormByte(std::uint32_t len) {
  if (len < 24) return len;
  const std::uint64_t v = len - 24;
  const int bits = 64 - std::countl_zero(v);
  if (bits < 4) return 24 + static_cast<std::uint32_t>(v);
  const int shift = bits - 4;
  return 24 + ((static_cast<std::uint32_t>(v >> shift) & 7) | static_cast<std::uint32_t>(shift + 1) << 3);
}
std::uint32_t NormLength(std::uint32_t b) {
  if (b < 24) return b;
  const std::uint32_t i = b - 24;
  const int shift = static_cast<int>(i >> 3) - 1;
  const std::uint64_t bits = i & 7;
  return 24 + static_cast<std::uint32_t>(shift < 0 ? bits : (bits | 8) << shift);
}

struct Model {
  std::vector<ModelDoc> versions;  // every version ever indexed, in global doc order

  std::uint64_t DocCount(int f) const {
    std::uint64_t n = 0;
    for (const ModelDoc& d : versions) n += d.tokens[f].empty() ? 0 : 1;
    return n;
  }
  std::uint64_t SumLength(int f) const {
    std::uint64_t n = 0;
    for (const ModelDoc& d : versions) n += d.tokens[f].size();
    return n;
  }
  std::uint64_t Df(int f, const std::string& t) const {
    std::uint64_t n = 0;
    for (const ModelDoc& d : versions) {
      n += std::find(d.tokens[f].begin(), d.tokens[f].end(), t) != d.tokens[f].end() ? 1 : 0;
    }
    return n;
  }
  float Idf(std::uint64_t df, std::uint64_t count) const {
    count = std::max(count, df);
    return static_cast<float>(std::log(1.0 + (static_cast<double>(count) - static_cast<double>(df) + 0.5) /
                                               (static_cast<double>(df) + 0.5)));
  }
  float NormInverse(int f, const ModelDoc& d) const {
    const float avgdl = static_cast<float>(static_cast<double>(SumLength(f)) /
                                           static_cast<double>(DocCount(f)));
    const float len = static_cast<float>(NormLength(NormByte(static_cast<std::uint32_t>(d.tokens[f].size()))));
    return 1.0f / (1.2f * ((1 - 0.75f) + 0.75f * len / avgdl));
  }
  static float Bm25(float weight, float freq, float inv) {
    return weight - weight / (1.0f + freq * inv);
  }
};

// A query in both worlds.
struct TQ {
  enum Kind { kTerm, kPhrase, kBool, kDisMax, kConst, kRange, kTerms, kAll } kind = kTerm;
  int field = 0;
  std::vector<std::string> terms;
  std::uint32_t slop = 0;
  float boost = 1;
  std::vector<TQ> must, should, must_not, filter;
  std::uint32_t msm = 0;  // bool: explicit minimum_should_match (0: default)
  float tie = 0;
  std::int64_t lo = 0, hi = 0;
};

float PhraseFreqModel(const std::vector<std::string>& toks, const std::vector<std::string>& phrase,
                      std::uint32_t slop) {
  std::vector<std::vector<std::int64_t>> lists(phrase.size());
  for (std::size_t i = 0; i < phrase.size(); ++i) {
    for (std::size_t p = 0; p < toks.size(); ++p) {
      if (toks[p] == phrase[i]) lists[i].push_back(static_cast<std::int64_t>(p) - static_cast<std::int64_t>(i));
    }
    if (lists[i].empty()) return 0;
  }
  // Sweep: the window of the current entries; count 1/(1+width) when within slop; advance the
  // smallest (first on ties).
  std::vector<std::size_t> idx(phrase.size(), 0);
  float freq = 0;
  while (true) {
    std::int64_t lo = INT64_MAX, hi = INT64_MIN;
    std::size_t arg = 0;
    for (std::size_t i = 0; i < lists.size(); ++i) {
      const std::int64_t v = lists[i][idx[i]];
      if (v < lo) {
        lo = v;
        arg = i;
      }
      hi = std::max(hi, v);
    }
    if (hi - lo <= static_cast<std::int64_t>(slop)) freq += 1.0f / (1.0f + static_cast<float>(hi - lo));
    if (++idx[arg] == lists[arg].size()) break;
  }
  return freq;
}

// The score of `d` under `q` (nullopt: no match). `boost` is the product of the ancestors'.
std::optional<float> Eval(const Model& m, const TQ& q, const ModelDoc& d, float boost, bool scoring) {
  const float b = boost * q.boost;
  switch (q.kind) {
    case TQ::kAll:
      return scoring ? b : 0.0f;
    case TQ::kTerm: {
      const auto& toks = d.tokens[q.field];
      const auto freq = std::count(toks.begin(), toks.end(), q.terms[0]);
      if (freq == 0) return std::nullopt;
      if (!scoring) return 0.0f;
      const float w = b * m.Idf(m.Df(q.field, q.terms[0]), m.DocCount(q.field));
      return Model::Bm25(w, static_cast<float>(freq), m.NormInverse(q.field, d));
    }
    case TQ::kPhrase: {
      const float freq = PhraseFreqModel(d.tokens[q.field], q.terms, q.slop);
      if (freq == 0) return std::nullopt;
      if (!scoring) return 0.0f;
      float idf = 0;
      for (const std::string& t : q.terms) idf += m.Idf(m.Df(q.field, t), m.DocCount(q.field));
      return Model::Bm25(b * idf, freq, m.NormInverse(q.field, d));
    }
    case TQ::kRange:
      if (d.n < q.lo || d.n > q.hi) return std::nullopt;
      return scoring ? b : 0.0f;
    case TQ::kTerms: {
      const auto& toks = d.tokens[q.field];
      for (const std::string& t : q.terms) {
        if (std::find(toks.begin(), toks.end(), t) != toks.end()) return scoring ? b : 0.0f;
      }
      return std::nullopt;
    }
    case TQ::kConst: {
      if (!Eval(m, q.must[0], d, 1.0f, false)) return std::nullopt;
      return scoring ? b : 0.0f;
    }
    case TQ::kDisMax: {
      float sum = 0, best = 0;
      bool any = false;
      for (const TQ& c : q.should) {
        auto s = Eval(m, c, d, b, scoring);
        if (!s) continue;
        any = true;
        sum += *s;
        best = std::max(best, *s);
      }
      if (!any) return std::nullopt;
      return best + (sum - best) * q.tie;
    }
    case TQ::kBool: {
      float req = 0;
      for (const TQ& c : q.must) {
        auto s = Eval(m, c, d, b, scoring);
        if (!s) return std::nullopt;
        req += *s;
      }
      for (const TQ& c : q.filter) {
        if (!Eval(m, c, d, b, false)) return std::nullopt;
      }
      for (const TQ& c : q.must_not) {
        if (Eval(m, c, d, b, false)) return std::nullopt;
      }
      float opt = 0;
      std::uint32_t matched = 0;
      for (const TQ& c : q.should) {
        auto s = Eval(m, c, d, b, scoring);
        if (!s) continue;
        ++matched;
        opt += *s;
      }
      const bool required = !q.must.empty() || !q.filter.empty();
      const std::uint32_t msm = q.msm != 0 ? q.msm : (required ? 0 : 1);
      if (matched < msm) return std::nullopt;
      if (!required) return opt;
      return matched > 0 ? req + opt : req;
    }
  }
  return std::nullopt;
}

std::unique_ptr<Query> ToQuery(const TQ& q) {
  auto out = std::make_unique<Query>();
  out->boost = q.boost;
  switch (q.kind) {
    case TQ::kAll:
      out->kind = Query::Kind::kMatchAll;
      break;
    case TQ::kTerm:
      out->kind = Query::Kind::kTerm;
      out->field = kFieldNames[q.field];
      out->value.text = q.terms[0];
      break;
    case TQ::kPhrase: {
      out->kind = Query::Kind::kMatchPhrase;
      out->field = kFieldNames[q.field];
      std::string text;
      for (const std::string& t : q.terms) text += (text.empty() ? "" : " ") + t;
      out->value.text = text;
      out->slop = q.slop;
      break;
    }
    case TQ::kRange:
      out->kind = Query::Kind::kRange;
      out->field = "n";
      out->gte = QueryValue{QueryValue::Kind::kNumber, std::to_string(q.lo)};
      out->lte = QueryValue{QueryValue::Kind::kNumber, std::to_string(q.hi)};
      break;
    case TQ::kTerms:
      out->kind = Query::Kind::kTerms;
      out->field = kFieldNames[q.field];
      for (const std::string& t : q.terms) out->values.push_back({QueryValue::Kind::kString, t});
      break;
    case TQ::kConst:
      out->kind = Query::Kind::kConstantScore;
      out->children.push_back(ToQuery(q.must[0]));
      break;
    case TQ::kDisMax:
      out->kind = Query::Kind::kDisMax;
      out->tie_breaker = q.tie;
      for (const TQ& c : q.should) out->should.push_back(ToQuery(c));
      break;
    case TQ::kBool:
      out->kind = Query::Kind::kBool;
      for (const TQ& c : q.must) out->must.push_back(ToQuery(c));
      for (const TQ& c : q.should) out->should.push_back(ToQuery(c));
      for (const TQ& c : q.must_not) out->must_not.push_back(ToQuery(c));
      for (const TQ& c : q.filter) out->filter.push_back(ToQuery(c));
      if (q.msm != 0) out->minimum_should_match = std::to_string(q.msm);
      break;
  }
  return out;
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::string Word() {
    // Zipf-like: word i with weight 1 / (i + 1).
    static const std::vector<double> weights = [] {
      std::vector<double> w;
      for (int i = 0; i < 60; ++i) w.push_back(1.0 / (i + 1));
      return w;
    }();
    std::discrete_distribution<int> pick(weights.begin(), weights.end());
    return "w" + std::to_string(pick(rng_));
  }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  float Boost() {
    static const float kBoosts[] = {1.0f, 1.0f, 1.0f, 2.0f, 0.5f, 3.5f};
    return kBoosts[Int(0, 5)];
  }

  TQ Leaf() {
    TQ q;
    const int k = Int(0, 9);
    q.field = Int(0, kFields - 1);
    if (k < 5) {
      q.kind = TQ::kTerm;
      q.terms = {Word()};
    } else if (k < 7) {
      q.kind = TQ::kPhrase;
      const int n = Int(2, 3);
      for (int i = 0; i < n; ++i) q.terms.push_back(Word());
      q.slop = static_cast<std::uint32_t>(Int(0, 2));
    } else if (k == 7) {
      q.kind = TQ::kRange;
      q.lo = Int(0, 60);
      q.hi = q.lo + Int(0, 40);
    } else if (k == 8) {
      q.kind = TQ::kTerms;
      q.terms = {Word(), Word()};
    } else {
      q.kind = TQ::kConst;
      q.must.push_back(Leaf());
    }
    q.boost = q.kind == TQ::kConst || q.kind == TQ::kTerm ? Boost() : 1.0f;
    return q;
  }

  TQ Tree(int depth) {
    if (depth == 0 || Int(0, 2) == 0) return Leaf();
    TQ q;
    if (Int(0, 4) == 0) {
      q.kind = TQ::kDisMax;
      q.tie = Int(0, 1) == 0 ? 0.0f : 0.3f;
      const int n = Int(1, 3);
      for (int i = 0; i < n; ++i) q.should.push_back(Tree(depth - 1));
      return q;
    }
    q.kind = TQ::kBool;
    q.boost = Boost();
    const int shape = Int(0, 3);
    const int n = Int(1, 4);
    for (int i = 0; i < n; ++i) q.should.push_back(Tree(depth - 1));
    if (shape == 1) q.must.push_back(Tree(depth - 1));
    if (shape == 2) q.filter.push_back(Leaf());
    if (Int(0, 3) == 0) q.must_not.push_back(Leaf());
    if (shape == 3 && n > 1) q.msm = static_cast<std::uint32_t>(Int(1, n));
    return q;
  }

 private:
  std::mt19937_64 rng_;
};

std::uint64_t BaseSeed() {
  if (const char* s = std::getenv("STELA_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return 20261129;
}

// An index that changes only when the test says so: no periodic refresh, no background merges,
// no fsync per write.
IndexOptions StillOptions(const char* mappings) {
  IndexOptions options;
  options.durability = Durability::kAsync;
  options.refresh_interval_ms = 0;
  options.background_merges = false;
  options.force_merge_reorder_min_docs = 100;  // force merges reorder their docs
  options.mappings_json = mappings;
  return options;
}

class ReferenceTest : public ::testing::TestWithParam<int> {};

TEST_P(ReferenceTest, PrunedTopKEqualsBruteForce) {
  const std::uint64_t seed = BaseSeed() + static_cast<std::uint64_t>(GetParam());
  std::printf("reference seed %llu (STELA_TEST_SEED=%llu replays)\n",
              static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(BaseSeed()));
  Generator gen(seed);
  auto registry = analyzers::Registry::CreateBuiltin();
  ASSERT_TRUE(registry.ok());
  stela::testing::TempDir dir;
  auto index = Index::Open(dir.Sub("shard"), StillOptions(R"({"properties": {
      "a": {"type": "text", "analyzer": "whitespace"},
      "b": {"type": "text", "analyzer": "whitespace"},
      "n": {"type": "long"}}})"), **registry);
  ASSERT_TRUE(index.ok()) << index.status().ToString();

  Model model;
  std::map<std::string, std::size_t> live;  // id -> version index
  const int docs = gen.Int(300, 700);
  int next_refresh = gen.Int(1, 80);
  for (int i = 0; i < docs; ++i) {
    ModelDoc d;
    // Some writes replace an earlier id (its old version stays in the stats, as in Lucene).
    d.id = live.size() > 10 && gen.Int(0, 9) == 0 ? "d" + std::to_string(gen.Int(0, static_cast<int>(live.size()) - 1))
                                                   : "d" + std::to_string(live.size());
    std::string json = "{";
    for (int f = 0; f < kFields; ++f) {
      const int len = f == 0 ? gen.Int(0, 12) : gen.Int(1, 200);
      std::string text;
      for (int k = 0; k < len; ++k) {
        d.tokens[f].push_back(gen.Word());
        text += (k ? " " : "") + d.tokens[f].back();
      }
      json += std::string(f ? "," : "") + "\"" + kFieldNames[f] + "\":\"" + text + "\"";
    }
    d.n = gen.Int(0, 100);
    json += ",\"n\":" + std::to_string(d.n) + "}";
    ASSERT_TRUE((*index)->IndexDocument(d.id, json).ok());
    if (auto it = live.find(d.id); it != live.end()) model.versions[it->second].live = false;
    live[d.id] = model.versions.size();
    model.versions.push_back(std::move(d));
    if (--next_refresh == 0) {
      ASSERT_TRUE((*index)->Refresh().ok());
      next_refresh = gen.Int(1, 120);
    }
  }
  ASSERT_TRUE((*index)->Refresh().ok());
  auto snapshot = (*index)->AcquireSnapshot();
  ASSERT_GT(snapshot->segment_count(), 1u);

  // Runs `queries` random queries against the brute force. Before the merge, equal scores
  // rank in global doc order, as in the engine; after it (documents reordered), any doc of the
  // tied score may take the rank.
  const auto compare = [&](int queries, bool ties_in_doc_order) {
    for (int qi = 0; qi < queries; ++qi) {
      const TQ tq = gen.Tree(gen.Int(0, 3));
      // Brute force: every live doc, sorted by score then doc order.
      std::vector<std::pair<float, std::size_t>> expected;
      for (std::size_t v = 0; v < model.versions.size(); ++v) {
        if (!model.versions[v].live) continue;
        auto s = Eval(model, tq, model.versions[v], 1.0f, true);
        if (s) expected.emplace_back(*s, v);
      }
      std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
      });
      SearchRequest req;
      req.query = ToQuery(tq);
      req.size = static_cast<std::uint32_t>(gen.Int(1, 12));
      const int track_mode = gen.Int(0, 2);
      req.track_total_hits = track_mode == 0 ? 0 : track_mode == 1 ? 5 : -1;
      req.source_enabled = false;
      auto res = Search(*snapshot, req);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      const std::size_t k = std::min<std::size_t>(req.size, expected.size());
      ASSERT_EQ(res->hits.size(), k) << "query " << qi;
      std::set<std::string> seen;
      for (std::size_t i = 0; i < k; ++i) {
        const float want = expected[i].first;
        const auto near = [&](float score) {
          return std::fabs(score - want) <= 1e-6f * std::max(1.0f, want);
        };
        ASSERT_TRUE(res->hits[i].score.has_value());
        EXPECT_TRUE(near(*res->hits[i].score))
            << "query " << qi << " rank " << i << ": " << *res->hits[i].score << " vs " << want;
        EXPECT_TRUE(seen.insert(res->hits[i].id).second) << "query " << qi << " rank " << i;
        if (ties_in_doc_order) {
          EXPECT_EQ(res->hits[i].id, model.versions[expected[i].second].id)
              << "query " << qi << " rank " << i;
          continue;
        }
        const bool tied = std::any_of(expected.begin(), expected.end(), [&](const auto& e) {
          return near(e.first) && model.versions[e.second].id == res->hits[i].id;
        });
        EXPECT_TRUE(tied) << "query " << qi << " rank " << i << ": " << res->hits[i].id;
      }
      if (req.track_total_hits == -1) {
        EXPECT_EQ(res->total, expected.size());
        EXPECT_FALSE(res->total_is_lower_bound);
      } else if (req.track_total_hits == 5) {
        EXPECT_EQ(res->total, std::min<std::uint64_t>(expected.size(), 5));
        EXPECT_EQ(res->total_is_lower_bound, expected.size() > 5);
      }
      auto count = Count(*snapshot, req.query.get());
      ASSERT_TRUE(count.ok());
      EXPECT_EQ(*count, expected.size());
    }
  };
  compare(150, true);
  if (::testing::Test::HasFatalFailure()) return;

  // One merged segment, its docs reordered (StillOptions): the same answers, with statistics
  // that no longer count replaced versions.
  snapshot.reset();
  ASSERT_TRUE((*index)->ForceMerge(1).ok());
  snapshot = (*index)->AcquireSnapshot();
  ASSERT_EQ(snapshot->segment_count(), 1u);
  std::erase_if(model.versions, [](const ModelDoc& d) { return !d.live; });
  compare(60, false);
  snapshot.reset();
  index->reset();  // CheckIndex opens the shard itself
  auto report = CheckIndex(dir.Sub("shard"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty()) << report->Summary();
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReferenceTest, ::testing::Range(0, 16));

}  // namespace
}  // namespace stela::engine

namespace stela::engine {
namespace {

// Blended terms (a word's variants across language chains, and fuzzy expansions) prune too: the
// pruned top k must equal the exhaustive one, id for id and score for score.
TEST(BlendedPruningTest, PrunedEqualsExhaustive) {
  const std::uint64_t seed = BaseSeed();
  std::printf("blended pruning seed %llu\n", static_cast<unsigned long long>(seed));
  Generator gen(seed);
  auto registry = analyzers::Registry::CreateBuiltin();
  ASSERT_TRUE(registry.ok());
  stela::testing::TempDir dir;
  auto index = Index::Open(dir.Sub("shard"), StillOptions(R"({"properties": {"body": {"type": "text"}}})"),
                           **registry);
  ASSERT_TRUE(index.ok());
  // English and German words with inflections, so variants (word, stems) have postings.
  const std::vector<std::string> words = {
      "running", "runs", "run", "runner", "houses", "house", "housing", "Häuser", "Häusern",
      "Haus", "walking", "walked", "walks", "gardens", "garden", "Gärten", "Garten", "the",
      "a", "dogs", "dog", "Hunde", "Hund", "played", "playing", "plays"};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int n = gen.Int(3, 40);
    for (int k = 0; k < n; ++k) {
      text += (k ? " " : "") + words[static_cast<std::size_t>(gen.Int(0, static_cast<int>(words.size()) - 1))];
    }
    ASSERT_TRUE((*index)->IndexDocument("d" + std::to_string(i), R"({"body": ")" + text + "\"}").ok());
    if (i % 700 == 699) {
      ASSERT_TRUE((*index)->Refresh().ok());
    }
  }
  ASSERT_TRUE((*index)->Refresh().ok());
  auto snap = (*index)->AcquireSnapshot();
  const std::vector<std::string> queries = {
      R"({"match": {"body": "running"}})", R"({"match": {"body": "Häusern"}})",
      R"({"match": {"body": "gardens dogs"}})", R"({"match": {"body": {"query": "houses walked", "operator": "and"}}})",
      R"({"fuzzy": {"body": {"value": "gardn"}}})", R"({"match": {"body": {"query": "hund", "fuzziness": "AUTO"}}})",
      R"({"multi_match": {"query": "playing Garten", "fields": ["body"]}})"};
  int compared = 0;
  for (const std::string& q : queries) {
    for (int k : {1, 3, 10}) {
      auto exact = ParseSearchRequest(R"({"size": )" + std::to_string(k) +
                                      R"(, "track_total_hits": true, "query": )" + q + "}");
      auto pruned = ParseSearchRequest(R"({"size": )" + std::to_string(k) +
                                       R"(, "track_total_hits": false, "query": )" + q + "}");
      ASSERT_TRUE(exact.ok() && pruned.ok()) << q;
      auto a = Search(*snap, *exact);
      auto b = Search(*snap, *pruned);
      ASSERT_TRUE(a.ok() && b.ok()) << q;
      ASSERT_EQ(a->hits.size(), b->hits.size()) << q;
      ASSERT_FALSE(a->hits.empty()) << q;
      for (std::size_t i = 0; i < a->hits.size(); ++i) {
        EXPECT_EQ(a->hits[i].id, b->hits[i].id) << q << " k=" << k << " rank " << i;
        EXPECT_EQ(*a->hits[i].score, *b->hits[i].score) << q << " k=" << k << " rank " << i;
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 21);
}

}  // namespace
}  // namespace stela::engine
