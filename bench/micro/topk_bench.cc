// Top-10 retrieval on one shard through the engine API (no HTTP): the cost of a query by class
// on a generated multilingual corpus (`stela bench gen`, 50,000 docs by default, one segment).
//
//   BM_TopK/term|and|or|phrase   a match (or match_phrase) query on `body`, size 10, no _source
//   BM_Parse/or                  parsing the request alone (the DSL), for scale
//
// STELA_TOPK_DOCS changes the corpus size. Queries come from `stela bench queries` on the same
// corpus (200 per class, cycled), so every one matches something.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "bench/gen/corpus_gen.h"
#include "engine/testing/temp_dir.h"
#include "stela/analyzers/registry.h"
#include "stela/engine/index.h"
#include "stela/engine/search.h"

namespace {

using namespace stela;

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<analyzers::Registry> registry;
  std::unique_ptr<engine::Index> index;
  std::map<std::string, std::vector<std::string>> bodies;  // class -> search bodies
  std::string error;

  Fixture() {
    auto r = analyzers::Registry::CreateBuiltin();
    if (!r.ok()) {
      error = r.status().ToString();
      return;
    }
    registry = std::move(r).value();
    bench::GenOptions g;
    const char* n = std::getenv("STELA_TOPK_DOCS");
    g.docs = n != nullptr ? std::strtoull(n, nullptr, 10) : 50000;
    std::stringstream corpus;
    if (Status s = bench::GenerateCorpus(g, corpus, nullptr); !s.ok()) {
      error = s.ToString();
      return;
    }
    engine::IndexOptions o;
    o.durability = engine::Durability::kAsync;
    o.refresh_interval_ms = 0;
    o.mappings_json = R"({"properties": {"title": {"type": "text"}, "body": {"type": "text"},
        "lang": {"type": "keyword"}, "tags": {"type": "keyword"}}})";
    auto idx = engine::Index::Open(dir.Sub("shard"), o, *registry);
    if (!idx.ok()) {
      error = idx.status().ToString();
      return;
    }
    index = std::move(idx).value();
    std::string line;
    std::uint64_t i = 0;
    while (std::getline(corpus, line)) {
      if (!index->IndexDocument("d" + std::to_string(i++), line).ok()) std::abort();
    }
    if (!index->Refresh().ok() || !index->ForceMerge(1).ok()) std::abort();
    corpus.clear();
    corpus.seekg(0);
    std::stringstream queries;
    if (!bench::BuildQueries(corpus, 200, 7, queries).ok()) std::abort();
    while (std::getline(queries, line)) {
      const std::size_t c = line.find("\"class\":\"") + 9;
      const std::string cls = line.substr(c, line.find('"', c) - c);
      const std::size_t t = line.find("\"text\":\"") + 8;
      const std::string text = line.substr(t, line.rfind('"') - t);  // generated words: no escapes
      bodies[cls].push_back(bench::QueryLineBody(cls, text, {}, "", ""));
    }
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_TopK(benchmark::State& state, const char* cls) {
  Fixture& f = F();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const auto& bodies = f.bodies[cls];
  std::vector<engine::SearchRequest> requests;
  for (const std::string& b : bodies) requests.push_back(std::move(engine::ParseSearchRequest(b)).value());
  auto snapshot = f.index->AcquireSnapshot();
  // Warm up: the first search opens the segment's readers and the analyzers' chains.
  for (const auto& r : requests) {
    if (!engine::Search(*snapshot, r).ok()) std::abort();
  }
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    auto r = engine::Search(*snapshot, requests[i++ % requests.size()]);
    if (!r.ok()) std::abort();
    hits += r->hits.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hits_per_query"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}

void BM_Parse(benchmark::State& state) {
  Fixture& f = F();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const auto& bodies = f.bodies["or"];
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = engine::ParseSearchRequest(bodies[i++ % bodies.size()]);
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_TopK, term, "term");
BENCHMARK_CAPTURE(BM_TopK, and, "and");
BENCHMARK_CAPTURE(BM_TopK, or, "or");
BENCHMARK_CAPTURE(BM_TopK, phrase, "phrase");
BENCHMARK(BM_Parse);

}  // namespace

BENCHMARK_MAIN();
