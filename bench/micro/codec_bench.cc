// The postings codec on synthetic lists: encode and decode speed and size by density.
//
//   BM_Encode/<mean gap>    PostingsWriter: 100,000 docs with random gaps of that mean
//                           (frequencies 1 + geometric), positions on
//   BM_Next/<mean gap>      PostingsIterator: every doc and frequency, in order
//   BM_Advance/<mean gap>   Advance to targets 1,000 docs apart (skips whole blocks)
//   BM_Positions/<gap>      Next plus every doc's positions (phrase queries)
//
// Counters: docs/s (items), bytes of the encoded list, bits per doc id in the block bodies.
// Deterministic input (fixed seed), so instruction counts under callgrind compare across runs.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "engine/codec/postings.h"

namespace {

using stela::engine::codec::PostingsIterator;
using stela::engine::codec::PostingsSizes;
using stela::engine::codec::PostingsWriter;

struct List {
  std::vector<std::uint32_t> docs, freqs, positions;
};

const List& MakeList(std::int64_t mean_gap) {
  static std::map<std::int64_t, List> cache;
  auto it = cache.find(mean_gap);
  if (it != cache.end()) return it->second;
  List l;
  std::mt19937_64 rng(42 + static_cast<std::uint64_t>(mean_gap));
  std::geometric_distribution<std::uint32_t> gap(1.0 / static_cast<double>(mean_gap));
  std::geometric_distribution<std::uint32_t> extra(0.6);
  std::uint32_t doc = 0;
  for (int i = 0; i < 100000; ++i) {
    doc += (i == 0 ? 0 : 1) + gap(rng);
    l.docs.push_back(doc);
    const std::uint32_t f = 1 + extra(rng);
    l.freqs.push_back(f);
    std::uint32_t p = static_cast<std::uint32_t>(rng() % 20);
    for (std::uint32_t k = 0; k < f; ++k) {
      l.positions.push_back(p);
      p += 1 + static_cast<std::uint32_t>(rng() % 40);
    }
  }
  return cache.emplace(mean_gap, std::move(l)).first->second;
}

std::string Encode(const List& l) {
  PostingsWriter w(/*with_positions=*/true);
  std::size_t pos = 0;
  for (std::size_t i = 0; i < l.docs.size(); ++i) {
    if (!w.Add(l.docs[i], l.freqs[i], &l.positions[pos], 100).ok()) std::abort();
    pos += l.freqs[i];
  }
  std::string out;
  w.Finish(&out);
  return out;
}

void Counters(benchmark::State& state, const List& l, const std::string& encoded) {
  PostingsIterator it;
  PostingsSizes sizes;
  if (!it.Init(encoded).ok() || !it.AddSizes(&sizes).ok()) std::abort();
  state.counters["bytes"] = static_cast<double>(encoded.size());
  state.counters["bits_per_doc_id"] =
      8.0 * static_cast<double>(sizes.doc_bytes) / static_cast<double>(l.docs.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(l.docs.size()));
}

void BM_Encode(benchmark::State& state) {
  const List& l = MakeList(state.range(0));
  std::string encoded;
  for (auto _ : state) {
    encoded = Encode(l);
    benchmark::DoNotOptimize(encoded.data());
  }
  Counters(state, l, encoded);
}

void BM_Next(benchmark::State& state) {
  const List& l = MakeList(state.range(0));
  const std::string encoded = Encode(l);
  for (auto _ : state) {
    PostingsIterator it;
    if (!it.Init(encoded).ok()) std::abort();
    std::uint64_t sum = 0;
    do {
      sum += it.doc() + it.freq();
    } while (it.Next());
    benchmark::DoNotOptimize(sum);
  }
  Counters(state, l, encoded);
}

void BM_Advance(benchmark::State& state) {
  const List& l = MakeList(state.range(0));
  const std::string encoded = Encode(l);
  const std::uint32_t step = l.docs.back() / 100;  // 100 targets over the list
  for (auto _ : state) {
    PostingsIterator it;
    if (!it.Init(encoded).ok()) std::abort();
    std::uint64_t sum = 0;
    for (std::uint32_t t = step; it.Advance(t); t = it.doc() + step) sum += it.doc();
    benchmark::DoNotOptimize(sum);
  }
  state.counters["bytes"] = static_cast<double>(encoded.size());
  state.SetItemsProcessed(state.iterations() * 100);
}

void BM_Positions(benchmark::State& state) {
  const List& l = MakeList(state.range(0));
  const std::string encoded = Encode(l);
  std::vector<std::uint32_t> positions;
  for (auto _ : state) {
    PostingsIterator it;
    if (!it.Init(encoded).ok()) std::abort();
    std::uint64_t sum = 0;
    do {
      if (!it.Positions(&positions).ok()) std::abort();
      sum += positions.back();
    } while (it.Next());
    benchmark::DoNotOptimize(sum);
  }
  Counters(state, l, encoded);
}

BENCHMARK(BM_Encode)->Arg(1)->Arg(8)->Arg(64)->Arg(1024);
BENCHMARK(BM_Next)->Arg(1)->Arg(8)->Arg(64)->Arg(1024);
BENCHMARK(BM_Advance)->Arg(1)->Arg(8)->Arg(64)->Arg(1024);
BENCHMARK(BM_Positions)->Arg(8);

}  // namespace

BENCHMARK_MAIN();
