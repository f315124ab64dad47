// Recursive graph bisection (engine/index/reorder.h) alone, on synthetic documents: each draws
// most of its terms from one of `topics` vocabularies with Zipf-like skew and a few from a shared
// one, in random order, as a multilingual corpus mixes languages. Reports docs/s and the
// log2-gap bits per entry before and after.
//
//   build/bench/micro/reorder_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <set>

#include "engine/index/reorder.h"

namespace {

using stela::engine::index::BisectionOrder;
using stela::engine::index::DocTerms;
using stela::engine::index::LogGapBits;

DocTerms MakeDocs(std::uint32_t n, std::uint32_t topics) {
  constexpr std::uint32_t kVocabulary = 5000, kShared = 500, kWords = 30, kSharedWords = 5;
  std::mt19937_64 rng(42);
  // Term rank r drawn with probability ~ 1/(r+1): the exponential of a uniform log.
  const auto zipf = [&](std::uint32_t size) {
    const double u = std::uniform_real_distribution<double>(0, std::log(size + 1.0))(rng);
    return std::min<std::uint32_t>(size - 1, static_cast<std::uint32_t>(std::exp(u)) - 1);
  };
  DocTerms docs;
  docs.num_terms = topics * kVocabulary + kShared;
  std::set<std::uint32_t> terms;
  for (std::uint32_t d = 0; d < n; ++d) {
    const std::uint32_t topic = static_cast<std::uint32_t>(rng() % topics);
    terms.clear();
    while (terms.size() < kWords) terms.insert(topic * kVocabulary + zipf(kVocabulary));
    while (terms.size() < kWords + kSharedWords) terms.insert(topics * kVocabulary + zipf(kShared));
    docs.terms.insert(docs.terms.end(), terms.begin(), terms.end());
    docs.offsets.push_back(docs.terms.size());
  }
  return docs;
}

void BM_BisectionOrder(benchmark::State& state) {
  const DocTerms docs = MakeDocs(static_cast<std::uint32_t>(state.range(0)), 8);
  std::vector<std::uint32_t> order;
  for (auto _ : state) {
    order = BisectionOrder(docs, {});
    benchmark::DoNotOptimize(order.data());
  }
  std::vector<std::uint32_t> identity(docs.num_docs());
  for (std::uint32_t i = 0; i < identity.size(); ++i) identity[i] = i;
  const double entries = static_cast<double>(docs.terms.size());
  state.counters["bits_before"] = LogGapBits(docs, identity) / entries;
  state.counters["bits_after"] = LogGapBits(docs, order) / entries;
  state.counters["docs_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * docs.num_docs(), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_BisectionOrder)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
