// The load driver behind `stela bench load` and `stela bench search`: drives a running node
// over HTTP (Elasticsearch's _bulk and _search) or gRPC (stela.v1 Bulk and Search), at full
// speed or at a fixed rate, and reports throughput over time and latency percentiles.
//
// Latency at a fixed rate is measured from when each request was *due* (start + i / rate), not
// from when it was sent, so a stalled server is charged for every request it delayed: the
// correction for coordinated omission. At full speed (closed loop) it is send-to-answer time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/load/latency_histogram.h"
#include "stela/common/status.h"

namespace stela::bench {

struct Target {
  std::string http_url = "http://127.0.0.1:9200";  // always used: admin, refresh, metrics
  std::string grpc_address;  // "host:port": send bulk/search over gRPC instead of HTTP
  std::string index = "bench";
};

struct LoadOptions {
  Target target;
  std::string corpus_path;        // JSON lines ("-": standard input); an "id" string is the _id
  std::size_t batch_docs = 1000;  // documents per bulk request
  std::size_t clients = 1;        // concurrent bulk requests
  double rate_docs = 0;           // documents per second; 0: as fast as the server takes them
  std::uint64_t max_docs = 0;     // 0: the whole file
  std::string create_body;        // create-index body when the index does not exist ("" = {})
  bool refresh_at_end = true;
};

struct SearchOptions {
  Target target;
  std::string queries_path;  // `stela bench queries` lines, or known-item lines
  std::string fields = "title,body";  // for known-item lines (multi_match over these)
  std::size_t concurrency = 8;
  double rate = 0;            // requests per second; 0: closed loop at `concurrency`
  double duration_s = 30;     // stop after this long ...
  std::uint64_t max_requests = 0;  // ... or after this many requests, if not 0
};

// One second of a run.
struct Second {
  double t = 0;             // seconds since the start (end of this interval)
  std::uint64_t ops = 0;    // requests answered
  std::uint64_t docs = 0;   // documents acknowledged (load)
  std::uint64_t bytes = 0;  // request bytes sent (load)
  double p50_ms = 0, p99_ms = 0;
  double server_rss_mb = 0;  // the node's resident memory, from /_prometheus/metrics
  std::uint64_t server_docs = 0;
};

struct RunReport {
  std::string kind;  // "load" or "search"
  std::string protocol;  // "http" or "grpc"
  double seconds = 0;
  std::uint64_t requests = 0, errors = 0, retries = 0;
  std::uint64_t docs = 0, failed_docs = 0, bytes = 0;  // load
  LatencyHistogram latency;                            // every request, in microseconds
  std::map<std::string, LatencyHistogram> by_class;    // search: per query class
  std::vector<Second> timeline;
  double peak_server_rss_mb = 0;
  std::string options_json;
  std::string warning;  // something after the run went wrong (a final refresh), for people

  // The whole report as JSON (totals, percentiles p50/p90/p99/p99.9/max in ms, timeline).
  std::string ToJson() const;
  // A few lines for people.
  std::string Summary() const;
};

// Called about once a second with the run so far (for a progress line).
using ProgressFn = std::function<void(const RunReport& so_far, double fraction_done)>;

// Asks runs under way to stop early: no new requests, the ones in flight finish, the report
// covers what was done. Async-signal-safe (for SIGINT/SIGTERM handlers).
void RequestStop();

StatusOr<RunReport> RunLoad(const LoadOptions& options, const ProgressFn& progress);
StatusOr<RunReport> RunSearch(const SearchOptions& options, const ProgressFn& progress);

// Writes PREFIX.json, PREFIX.dat (the timeline) and, with gnuplot on the PATH, PREFIX.png
// (throughput and server memory over time above, latency p50/p99 below). Returns NotFound
// (after writing the data files) when gnuplot is missing.
Status WriteReport(const RunReport& report, const std::string& prefix);

}  // namespace stela::bench
