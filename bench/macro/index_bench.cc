// index_bench: loads JSON lines into a fresh index (one writer thread, the engine API, no HTTP)
// and reports indexing speed, memory and index size.
//
//   index_bench --dir DIR [--docs N] [--refresh-ms 1000] [--durability request|async]
//               [--bulk 1000] [--force-merge SEGMENTS] [--mappings JSON] [--reorder-min-docs N]
//               [--force-merge-reorder-min-docs N] < docs.jsonl
//
// Each line is a document; its "id" field (if a string) becomes _id, else the line number.
// With --durability request, documents go in bulks of --bulk: each item is logged without an
// fsync and the bulk ends with one Index::Sync, as the _bulk endpoint does (--bulk 1: an fsync
// per document). Progress goes to stderr every second; the summary to stdout.
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>

#include "engine/check/check_index.h"
#include "engine/common/malloc_tuning.h"
#include "stela/engine/index.h"

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of the calling thread: the writer's own cost, less noisy than wall time on a
// shared machine (merges and refreshes run on other threads).
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::uint64_t DirBytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  stela::TuneMalloc();
  std::string dir;
  std::uint64_t max_docs = ~0ull;
  int refresh_ms = 1000;
  int force_merge = 0;
  std::uint64_t bulk = 1000;
  stela::engine::IndexOptions options;
  options.durability = stela::engine::Durability::kAsync;  // a bulk load, as with _bulk
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") dir = value;
    else if (flag == "--docs") max_docs = std::stoull(value);
    else if (flag == "--refresh-ms") refresh_ms = std::stoi(value);
    else if (flag == "--force-merge") force_merge = std::stoi(value);
    else if (flag == "--bulk") {
      bulk = std::max<std::uint64_t>(1, std::stoull(value));
    }
    else if (flag == "--mappings") options.mappings_json = value;
    else if (flag == "--reorder-min-docs") options.reorder_min_docs = std::stoul(value);
    else if (flag == "--force-merge-reorder-min-docs") {
      options.force_merge_reorder_min_docs = std::stoul(value);
    }
    else if (flag == "--durability") {
      options.durability = value == "request" ? stela::engine::Durability::kRequest
                                              : stela::engine::Durability::kAsync;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (dir.empty() || std::filesystem::exists(dir)) {
    std::fprintf(stderr, "give --dir with a path that does not exist yet\n");
    return 2;
  }
  if (options.mappings_json == "{}") {
    options.mappings_json = R"({"properties": {"id": {"type": "keyword"},
        "lang": {"type": "keyword"}, "title": {"type": "text"}, "body": {"type": "text"}}})";
  }
  options.refresh_interval_ms = static_cast<std::uint32_t>(refresh_ms);
  auto registry = std::move(stela::analyzers::Registry::CreateBuiltin()).value();
  auto index = stela::engine::Index::Open(dir, options, *registry);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", index.status().ToString().c_str());
    return 1;
  }
  std::ios::sync_with_stdio(false);
  simdjson::dom::parser parser;
  const auto start = Clock::now();
  const double cpu_start = ThreadCpuSeconds();
  auto last_report = start;
  std::uint64_t docs = 0, bytes = 0, failed = 0;
  std::string line;
  while (docs < max_docs && std::getline(std::cin, line)) {
    std::string id = std::to_string(docs);
    simdjson::dom::element root;
    std::string_view sid;
    if (!parser.parse(line).get(root) && !root["id"].get_string().get(sid)) id = std::string(sid);
    stela::engine::WriteOptions write_options;
    write_options.defer_sync = bulk > 1;
    auto r = (*index)->IndexDocument(id, line, write_options);
    if (!r.ok()) {
      if (++failed <= 5) std::fprintf(stderr, "\n%s: %s\n", id.c_str(), r.status().ToString().c_str());
    }
    ++docs;
    bytes += line.size();
    if (write_options.defer_sync && docs % bulk == 0) {
      const stela::Status synced = (*index)->Sync();
      if (!synced.ok()) std::fprintf(stderr, "\nsync: %s\n", synced.ToString().c_str());
    }
    if (Seconds(last_report) >= 1.0) {
      last_report = Clock::now();
      const double s = Seconds(start);
      std::fprintf(stderr, "\r%llu docs, %.0f docs/s, %.1f MB/s   ",
                   static_cast<unsigned long long>(docs), docs / s, bytes / s / 1e6);
    }
  }
  if (bulk > 1) (void)(*index)->Sync();
  const stela::Status flushed = (*index)->Flush();
  const double secs = Seconds(start);
  const double writer_cpu = ThreadCpuSeconds() - cpu_start;
  // Every thread's CPU time up to here (the writer, refreshes, merges, RocksDB's own threads).
  rusage load_usage{};
  getrusage(RUSAGE_SELF, &load_usage);
  const double process_cpu =
      static_cast<double>(load_usage.ru_utime.tv_sec + load_usage.ru_stime.tv_sec) +
      static_cast<double>(load_usage.ru_utime.tv_usec + load_usage.ru_stime.tv_usec) * 1e-6;
  if (force_merge > 0) {
    const auto before = (*index)->Stats();
    const auto merge_start = Clock::now();
    const stela::Status merged = (*index)->ForceMerge(static_cast<std::uint32_t>(force_merge));
    const double ms = Seconds(merge_start);
    const auto after = (*index)->Stats();
    std::printf("force merge to %d: %s, %llu -> %llu segments in %.2f s, %llu docs rewritten "
                "(%.0f docs/s over all merges, %llu merges)\n",
                force_merge, merged.ToString().c_str(),
                static_cast<unsigned long long>(before.segments),
                static_cast<unsigned long long>(after.segments), ms,
                static_cast<unsigned long long>(after.merged_docs - before.merged_docs),
                (after.merged_docs - before.merged_docs) / ms,
                static_cast<unsigned long long>(after.merges - before.merges));
  }
  const auto stats = (*index)->Stats();
  index->reset();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const std::uint64_t disk = DirBytes(dir);
  std::printf("\nindexed %llu docs (%llu failed), %.1f MB of JSON in %.2f s: %.0f docs/s, "
              "%.2f MB/s; %llu segments; flush %s\n",
              static_cast<unsigned long long>(docs), static_cast<unsigned long long>(failed),
              bytes / 1e6, secs, docs / secs, bytes / secs / 1e6,
              static_cast<unsigned long long>(stats.segments), flushed.ToString().c_str());
  std::printf(
      "writer thread CPU %.2f s: %.2f MB/s of its CPU time (reading, parsing ids, "
      "indexing, final flush)\n",
      writer_cpu, bytes / writer_cpu / 1e6);
  std::printf("process CPU while loading %.2f s (all threads): %.2f MB/s per busy core\n",
              process_cpu, bytes / process_cpu / 1e6);
  std::printf("peak RSS %.1f MB; directory %.1f MB (%.2f of the input)\n",
              usage.ru_maxrss / 1024.0, disk / 1e6, static_cast<double>(disk) / bytes);
  auto report = stela::engine::CheckIndex(dir);
  if (report.ok()) {
    std::printf("%s", report->Summary().c_str());
    std::printf("index without _source: %.2f of the input; with: %.2f\n",
                static_cast<double>(report->index_disk_bytes) / bytes,
                static_cast<double>(report->index_disk_bytes + report->stored_disk_bytes) / bytes);
  }
  return 0;
}
