// search_bench: runs known-item queries against an index built by index_bench (one thread, the
// engine API, no HTTP) and reports relevance (MRR@10, success@10) and latency percentiles.
//
//   search_bench --dir DIR --queries queries.jsonl [--fields title,body] [--type best_fields]
//                [--language-hint 0|1] [--limit N] [--reps R]
//
// Each query line is {"qid", "lang", "text", "target_id"}; the query is a multi_match over the
// fields (an OR of the words), the same shape Lucene's reference figures used. Progress goes to
// stderr; the summary to stdout.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "bench/gen/corpus_gen.h"
#include "engine/common/malloc_tuning.h"
#include "stela/engine/index.h"
#include "stela/engine/search.h"

namespace {

using Clock = std::chrono::steady_clock;

struct KnownItem {
  std::string qid, lang, text, target;
  std::string cls;  // generated query sets: term, and, or, phrase (on the body field)
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  stela::TuneMalloc();
  std::string dir, queries_path, fields = "title,body", type = "best_fields";
  bool language_hint = false;
  std::size_t limit = ~std::size_t{0};
  int reps = 1;
  int show_misses = 0;  // print this many queries whose target is not in the top 10
  std::string results_path;  // qid TAB top-10 ids (\x01-separated), for overlap with Lucene
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") dir = value;
    else if (flag == "--queries") queries_path = value;
    else if (flag == "--fields") fields = value;
    else if (flag == "--type") type = value;
    else if (flag == "--language-hint") language_hint = value == "1";
    else if (flag == "--limit") limit = std::stoull(value);
    else if (flag == "--reps") reps = std::stoi(value);
    else if (flag == "--show-misses") show_misses = std::stoi(value);
    else if (flag == "--results") results_path = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (dir.empty() || queries_path.empty()) {
    std::fprintf(stderr, "usage: search_bench --dir DIR --queries FILE\n");
    return 2;
  }
  std::vector<KnownItem> items;
  {
    std::ifstream in(queries_path);
    std::string line;
    simdjson::dom::parser parser;
    while (std::getline(in, line) && items.size() < limit) {
      simdjson::dom::element e;
      if (parser.parse(line).get(e) != simdjson::SUCCESS) continue;
      KnownItem k;
      std::string_view s;
      if (!e["text"].get_string().get(s)) k.text = std::string(s);
      if (!e["target_id"].get_string().get(s)) k.target = std::string(s);
      if (!e["lang"].get_string().get(s)) k.lang = std::string(s);
      if (!e["qid"].get_string().get(s)) k.qid = std::string(s);
      if (!e["class"].get_string().get(s)) k.cls = std::string(s);
      std::int64_t qid = 0;
      if (k.qid.empty() && !e["qid"].get_int64().get(qid)) k.qid = std::to_string(qid);
      items.push_back(std::move(k));
    }
  }
  auto registry = stela::analyzers::Registry::CreateBuiltin();
  if (!registry.ok()) return 1;
  stela::engine::IndexOptions options;
  options.background_merges = false;
  options.refresh_interval_ms = 0;
  auto index = stela::engine::Index::Open(dir, options, **registry);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", std::string(index.status().message()).c_str());
    return 1;
  }
  auto snapshot = (*index)->AcquireSnapshot();
  std::vector<std::string> field_list;
  {
    std::stringstream ss(fields);
    std::string f;
    while (std::getline(ss, f, ',')) field_list.push_back(f);
  }
  std::vector<double> latencies_ms;
  double rr_sum = 0;
  std::size_t found = 0;
  std::map<std::string, std::pair<double, int>> by_lang;
  std::map<std::string, std::vector<double>> by_class;  // latencies per query class
  std::ofstream results;
  if (!results_path.empty()) results.open(results_path);
  const auto start = Clock::now();
  for (int rep = 0; rep < reps; ++rep) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const KnownItem& k = items[i];
      const std::string body = stela::bench::QueryLineBody(
          k.cls, k.text, field_list, type, language_hint ? k.lang : std::string());
      const auto t0 = Clock::now();
      auto req = stela::engine::ParseSearchRequest(body);
      if (!req.ok()) {
        std::fprintf(stderr, "query %zu: %s\n", i, std::string(req.status().message()).c_str());
        continue;
      }
      auto res = stela::engine::Search(*snapshot, *req);
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      by_class[k.cls.empty() ? "known-item" : k.cls].push_back(latencies_ms.back());
      if (!res.ok()) {
        std::fprintf(stderr, "query %zu: %s\n", i, std::string(res.status().message()).c_str());
        continue;
      }
      if (rep > 0) continue;
      if (results.is_open()) {
        results << (k.qid.empty() ? std::to_string(i) : k.qid) << '\t';
        for (std::size_t r = 0; r < res->hits.size(); ++r) {
          results << (r ? "\x01" : "") << res->hits[r].id;
        }
        results << '\n';
      }
      double rr = 0;
      for (std::size_t r = 0; r < res->hits.size(); ++r) {
        if (res->hits[r].id == k.target) {
          rr = 1.0 / static_cast<double>(r + 1);
          break;
        }
      }
      if (rr == 0 && show_misses > 0) {
        --show_misses;
        std::printf("miss [%s] %s -> want %s, got:", k.lang.c_str(), k.text.c_str(), k.target.c_str());
        for (std::size_t r = 0; r < res->hits.size() && r < 3; ++r) {
          std::printf(" %s (%.3f)", res->hits[r].id.c_str(), res->hits[r].score.value_or(0));
        }
        std::printf("\n");
      }
      rr_sum += rr;
      found += rr > 0 ? 1 : 0;
      by_lang[k.lang].first += rr;
      by_lang[k.lang].second += 1;
      if ((i + 1) % 1000 == 0) {
        std::fprintf(stderr, "\r%zu/%zu queries, MRR@10 so far %.4f", i + 1, items.size(),
                     rr_sum / static_cast<double>(i + 1));
      }
    }
  }
  std::fprintf(stderr, "\n");
  const double n = static_cast<double>(items.size());
  std::vector<std::pair<double, std::string>> worst;
  for (const auto& [lang, v] : by_lang) {
    if (v.second >= 20) worst.emplace_back(v.first / v.second, lang);
  }
  std::sort(worst.begin(), worst.end());
  std::printf("queries %zu  MRR@10 %.4f  success@10 %.4f\n", items.size(), rr_sum / n,
              static_cast<double>(found) / n);
  std::printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  mean %.3f  (%d rep%s, %.1f s)\n",
              Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.9),
              Percentile(latencies_ms, 0.99),
              std::chrono::duration<double, std::milli>(Clock::now() - start).count() /
                  static_cast<double>(latencies_ms.size()),
              reps, reps == 1 ? "" : "s",
              std::chrono::duration<double>(Clock::now() - start).count());
  for (const auto& [cls, lat] : by_class) {
    std::printf("class %-10s queries %zu  p50 %.3f ms  p99 %.3f ms\n", cls.c_str(), lat.size(),
                Percentile(lat, 0.5), Percentile(lat, 0.99));
  }
  std::printf("weakest languages (>= 20 queries):");
  for (std::size_t i = 0; i < worst.size() && i < 8; ++i) {
    std::printf(" %s %.3f", worst[i].second.c_str(), worst[i].first);
  }
  std::printf("\n");
  return 0;
}
