#include "bench/load/driver.h"

#include <grpcpp/grpcpp.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "api/proto/stela/v1/stela.grpc.pb.h"
#include "bench/gen/corpus_gen.h"
#include "bench/load/http_client.h"
#include "engine/common/json_escape.h"

namespace stela::bench {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The number after `prefix` at the start of a line of Prometheus text, or -1.
double MetricValue(const std::string& text, const std::string& prefix) {
  std::size_t at = 0;
  while ((at = text.find(prefix, at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      return std::strtod(text.c_str() + at + prefix.size(), nullptr);
    }
    at += prefix.size();
  }
  return -1;
}

// Collects results from the worker threads; a sampler thread closes one Second of the
// timeline each second (with the node's memory and doc count) and reports progress.
class Recorder {
 public:
  Recorder(RunReport* report, const Target& target, ProgressFn progress,
           std::function<double(const RunReport&)> fraction)
      : report_(report), progress_(std::move(progress)), fraction_(std::move(fraction)) {
    if (!ParseHttpUrl(target.http_url, &host_, &port_).ok()) port_ = 0;
    index_ = target.index;
  }

  void Start(Clock::time_point start) {
    start_ = start;
    sampler_ = std::thread([this] { SampleLoop(); });
  }

  // Stops the sampler and closes the last (partial) second.
  void Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    sampler_.join();
    report_->seconds = SecondsSince(start_);
    Sample();
  }

  Clock::time_point start() const { return start_; }

  void Record(double micros, std::uint64_t docs, std::uint64_t failed_docs, std::uint64_t bytes,
              const std::string* cls, bool error, std::uint64_t retries = 0) {
    std::lock_guard lock(mu_);
    ++report_->requests;
    report_->retries += retries;
    if (error) {
      ++report_->errors;
    } else {
      report_->latency.Record(micros);
      current_.Record(micros);
      if (cls != nullptr) report_->by_class[*cls].Record(micros);
    }
    report_->docs += docs;
    report_->failed_docs += failed_docs;
    report_->bytes += bytes;
    ++ops_;
    docs_ += docs;
    bytes_ += bytes;
  }

 private:
  void SampleLoop() {
    std::unique_lock lock(mu_);
    auto next = start_ + std::chrono::seconds(1);
    while (!cv_.wait_until(lock, next, [this] { return done_; })) {
      lock.unlock();
      Sample();
      lock.lock();
      next += std::chrono::seconds(1);
    }
  }

  void Sample() {
    double rss = -1, server_docs = -1;
    if (port_ != 0) {
      HttpClient client(host_, port_, std::chrono::seconds(5));
      auto r = client.Send("GET", "/_prometheus/metrics");
      if (r.ok() && r->status == 200) {
        rss = MetricValue(r->body, "process_resident_memory_bytes ");
        server_docs = MetricValue(r->body, "stela_index_docs{index=\"" + index_ + "\"} ");
      }
    }
    std::lock_guard lock(mu_);
    Second s;
    s.t = SecondsSince(start_);
    s.ops = ops_;
    s.docs = docs_;
    s.bytes = bytes_;
    s.p50_ms = current_.Percentile(50) / 1000;
    s.p99_ms = current_.Percentile(99) / 1000;
    s.server_rss_mb = rss > 0 ? rss / 1048576.0 : 0;
    s.server_docs = server_docs > 0 ? static_cast<std::uint64_t>(server_docs) : 0;
    if (s.server_rss_mb > report_->peak_server_rss_mb) report_->peak_server_rss_mb = s.server_rss_mb;
    const double prev_t = report_->timeline.empty() ? 0 : report_->timeline.back().t;
    if (s.t - prev_t > 0.05 || report_->timeline.empty()) report_->timeline.push_back(s);
    ops_ = docs_ = bytes_ = 0;
    current_ = LatencyHistogram();
    if (progress_) progress_(*report_, fraction_ ? fraction_(*report_) : 0);
  }

  RunReport* report_;
  ProgressFn progress_;
  std::function<double(const RunReport&)> fraction_;
  std::string host_, index_;
  std::uint16_t port_ = 0;
  Clock::time_point start_;
  std::thread sampler_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  LatencyHistogram current_;
  std::uint64_t ops_ = 0, docs_ = 0, bytes_ = 0;
};

// A gRPC stub on a connection of its own (null when the target is HTTP).
std::unique_ptr<stela::v1::Stela::Stub> StubFor(const Target& t) {
  if (t.grpc_address.empty()) return nullptr;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per worker
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return stela::v1::Stela::NewStub(
      grpc::CreateCustomChannel(t.grpc_address, grpc::InsecureChannelCredentials(), args));
}

// A report of `kind` whose options JSON starts with the input file and the index; the caller
// appends its own options and the closing brace.
RunReport NewReport(const char* kind, const Target& t, const char* input_name,
                    const std::string& input) {
  RunReport r;
  r.kind = kind;
  r.protocol = t.grpc_address.empty() ? "http" : "grpc";
  r.options_json = "{";
  AppendJsonString(input_name, &r.options_json);
  r.options_json += ":";
  AppendJsonString(input, &r.options_json);
  r.options_json += ",\"index\":";
  AppendJsonString(t.index, &r.options_json);
  return r;
}

struct Batch {
  std::vector<std::pair<std::string, std::string>> docs;  // (id or "", JSON)
  std::uint64_t seq = 0;                                   // batches before this one
  std::uint64_t bytes = 0;
};

// A bounded queue between the corpus reader and the bulk clients.
class BatchQueue {
 public:
  explicit BatchQueue(std::size_t capacity) : capacity_(capacity) {}
  void Push(Batch b) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return q_.size() < capacity_; });
    q_.push_back(std::move(b));
    not_empty_.notify_one();
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  bool Pop(Batch* b) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    *b = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return true;
  }

 private:
  std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Batch> q_;
  bool closed_ = false;
};

// Failed items in a _bulk answer (status 300 and above).
std::uint64_t FailedBulkItems(const std::string& body, std::size_t expected) {
  if (body.find("\"errors\":true") == std::string::npos) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return expected;
  simdjson::dom::array items;
  if (doc["items"].get_array().get(items) != simdjson::SUCCESS) return expected;
  std::uint64_t failed = 0;
  for (simdjson::dom::element item : items) {
    for (auto field : item.get_object()) {
      std::int64_t status = 0;
      if (field.value["status"].get_int64().get(status) != simdjson::SUCCESS || status >= 300) {
        ++failed;
      }
    }
  }
  return failed;
}

// Sends one batch; returns (failed docs, retries) or an error for the whole batch.
StatusOr<std::pair<std::uint64_t, std::uint64_t>> SendBatch(const LoadOptions& o,
                                                            const Batch& b, HttpClient* http,
                                                            stela::v1::Stela::Stub* grpc) {
  if (grpc != nullptr) {
    grpc::ClientContext ctx;
    stela::v1::BulkResponse resp;
    auto writer = grpc->Bulk(&ctx, &resp);
    for (const auto& [id, json] : b.docs) {
      stela::v1::BulkItem item;
      item.set_action(stela::v1::BulkItem::INDEX);
      item.set_index(o.target.index);
      item.set_id(id);
      item.set_document_json(json);
      if (!writer->Write(item)) break;
    }
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    if (!s.ok()) return Status::IOError("gRPC bulk: " + s.error_message());
    std::uint64_t failed = 0;
    for (const auto& r : resp.items()) failed += r.status() >= 300 ? 1 : 0;
    return std::make_pair(failed, std::uint64_t{0});
  }
  std::string body;
  body.reserve(b.bytes + b.docs.size() * 48);
  for (const auto& [id, json] : b.docs) {
    if (id.empty()) {
      body += "{\"index\":{}}\n";
    } else {
      body += "{\"index\":{\"_id\":";
      AppendJsonString(id, &body);
      body += "}}\n";
    }
    body += json;
    body += '\n';
  }
  const std::string target = "/" + o.target.index + "/_bulk";
  for (std::uint64_t retries = 0;; ++retries) {
    STELA_ASSIGN_OR_RETURN(HttpReply r, http->Send("POST", target, body, "application/x-ndjson"));
    if (r.status == 429 && retries < 100) {  // overloaded: back off and send it again
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * (1 + retries % 10)));
      continue;
    }
    if (r.status != 200) {
      return Status::IOError("_bulk answered " + std::to_string(r.status) + ": " +
                             r.body.substr(0, 300));
    }
    return std::make_pair(FailedBulkItems(r.body, b.docs.size()), retries);
  }
}

std::atomic<bool> g_stop{false};

// Sleeps until `t`, waking early (false) when a stop is requested.
bool SleepUntil(Clock::time_point t) {
  while (!g_stop.load()) {
    const auto now = Clock::now();
    if (now >= t) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(t - now, std::chrono::milliseconds(100)));
  }
  return false;
}

}  // namespace

void RequestStop() { g_stop.store(true); }

StatusOr<RunReport> RunLoad(const LoadOptions& o, const ProgressFn& progress) {
  std::string host;
  std::uint16_t port = 0;
  STELA_RETURN_IF_ERROR(ParseHttpUrl(o.target.http_url, &host, &port));
  if (o.batch_docs == 0 || o.clients == 0) {
    return Status::InvalidArgument("batch size and clients must be at least 1");
  }
  // "-": standard input (a pipe from `stela bench gen`), whose size is unknown.
  const bool from_stdin = o.corpus_path == "-";
  std::ifstream file;
  if (!from_stdin) {
    file.open(o.corpus_path, std::ios::binary);
    if (!file) return Status::NotFound("cannot read the corpus " + o.corpus_path);
  }
  std::istream& in = from_stdin ? std::cin : file;
  struct stat st {};
  const double file_bytes = !from_stdin && ::stat(o.corpus_path.c_str(), &st) == 0
                                ? static_cast<double>(st.st_size)
                                : 0;

  HttpClient admin(host, port);
  STELA_ASSIGN_OR_RETURN(HttpReply exists, admin.Send("HEAD", "/" + o.target.index));
  if (exists.status == 404) {
    STELA_ASSIGN_OR_RETURN(HttpReply created,
                           admin.Send("PUT", "/" + o.target.index,
                                      o.create_body.empty() ? "{}" : o.create_body));
    if (created.status != 200) {
      return Status::InvalidArgument("creating the index failed: " + created.body);
    }
  }

  RunReport report = NewReport("load", o.target, "corpus", o.corpus_path);
  report.options_json += ",\"batch_docs\":" + std::to_string(o.batch_docs) +
                         ",\"clients\":" + std::to_string(o.clients) +
                         ",\"rate_docs\":" + Fmt("%.1f", o.rate_docs) +
                         ",\"max_docs\":" + std::to_string(o.max_docs) + "}";

  // Done: the documents (or bytes, with newlines) the node has acknowledged.
  auto fraction = [&](const RunReport& r) -> double {
    const double done = static_cast<double>(r.docs + r.failed_docs);
    if (o.max_docs > 0) return done / static_cast<double>(o.max_docs);
    return file_bytes > 0 ? (static_cast<double>(r.bytes) + done) / file_bytes : 0;
  };
  std::uint64_t docs_read = 0;
  Recorder rec(&report, o.target, progress, fraction);
  BatchQueue queue(o.clients * 2);
  std::atomic<bool> failed{false};
  Status first_error;
  std::mutex error_mu;
  rec.Start(Clock::now());
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < o.clients; ++w) {
    workers.emplace_back([&] {
      HttpClient http(host, port);
      std::unique_ptr<stela::v1::Stela::Stub> stub = StubFor(o.target);
      Batch b;
      while (queue.Pop(&b)) {
        if (failed.load()) continue;  // drain the queue so the reader can finish
        Clock::time_point t0 = Clock::now();
        if (o.rate_docs > 0) {  // due at the batch's place in the schedule
          t0 = rec.start() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                 static_cast<double>(b.seq * o.batch_docs) / o.rate_docs));
          if (!SleepUntil(t0)) continue;  // stopping: leave the batch unsent
        }
        auto r = SendBatch(o, b, &http, stub.get());
        const double micros = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        if (!r.ok()) {
          rec.Record(micros, 0, b.docs.size(), 0, nullptr, true);
          std::lock_guard lock(error_mu);
          if (first_error.ok()) first_error = r.status();
          failed = true;
          continue;
        }
        rec.Record(micros, b.docs.size() - r->first, r->first, b.bytes, nullptr, false, r->second);
      }
    });
  }

  // The reader: this thread.
  simdjson::ondemand::parser parser;
  std::string line;
  Batch batch;
  std::uint64_t seq = 0;
  g_stop = false;
  while (!failed.load() && !g_stop.load() && (o.max_docs == 0 || docs_read < o.max_docs) &&
         std::getline(in, line)) {
    if (line.empty()) continue;
    ++docs_read;
    std::string id;
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view v;
    if (parser.iterate(padded).get(doc) == simdjson::SUCCESS &&
        doc["id"].get_string().get(v) == simdjson::SUCCESS) {
      id = std::string(v);
    }
    batch.bytes += line.size();
    batch.docs.emplace_back(std::move(id), std::move(line));
    if (batch.docs.size() == o.batch_docs) {
      batch.seq = seq++;
      queue.Push(std::move(batch));
      batch = Batch();
    }
  }
  if (!batch.docs.empty()) {
    batch.seq = seq;
    queue.Push(std::move(batch));
  }
  queue.Close();
  for (auto& t : workers) t.join();
  rec.Finish();
  if (o.refresh_at_end && !failed.load()) {  // not timed: what was sent is what counts
    auto r = admin.Send("POST", "/" + o.target.index + "/_refresh");
    if (!r.ok() || r->status != 200) {
      report.warning = "the final refresh failed: " +
                       (r.ok() ? r->body.substr(0, 200) : r.status().ToString());
    }
  }
  if (!first_error.ok()) return first_error;
  return report;
}

StatusOr<RunReport> RunSearch(const SearchOptions& o, const ProgressFn& progress) {
  std::string host;
  std::uint16_t port = 0;
  STELA_RETURN_IF_ERROR(ParseHttpUrl(o.target.http_url, &host, &port));
  if (o.concurrency == 0) return Status::InvalidArgument("concurrency must be at least 1");
  struct Query {
    std::string cls, body;
  };
  std::vector<Query> queries;
  {
    std::vector<std::string> fields;
    std::stringstream ss(o.fields);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    std::ifstream in(o.queries_path);
    if (!in) return Status::NotFound("cannot read the queries " + o.queries_path);
    simdjson::dom::parser parser;
    for (std::string line; std::getline(in, line);) {
      simdjson::dom::element e;
      std::string_view text, cls;
      if (parser.parse(line).get(e) != simdjson::SUCCESS ||
          e["text"].get_string().get(text) != simdjson::SUCCESS) {
        continue;
      }
      Query q;
      if (e["class"].get_string().get(cls) == simdjson::SUCCESS) q.cls = std::string(cls);
      q.body = QueryLineBody(q.cls, std::string(text), fields, "best_fields", "");
      if (q.cls.empty()) q.cls = "known-item";
      queries.push_back(std::move(q));
    }
  }
  if (queries.empty()) return Status::InvalidArgument("no queries in " + o.queries_path);

  RunReport report = NewReport("search", o.target, "queries", o.queries_path);
  report.options_json += ",\"concurrency\":" + std::to_string(o.concurrency) +
                         ",\"rate\":" + Fmt("%.1f", o.rate) +
                         ",\"duration_s\":" + Fmt("%.1f", o.duration_s) +
                         ",\"max_requests\":" + std::to_string(o.max_requests) + "}";
  std::atomic<std::uint64_t> next{0};
  const Clock::time_point start = Clock::now();
  auto fraction = [&](const RunReport&) -> double {
    if (o.max_requests > 0) return static_cast<double>(next.load()) / static_cast<double>(o.max_requests);
    return o.duration_s > 0 ? SecondsSince(start) / o.duration_s : 0;
  };
  Recorder rec(&report, o.target, progress, fraction);
  rec.Start(start);
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(o.duration_s));
  std::atomic<bool> unreachable{false};
  g_stop = false;
  Status first_error;
  std::mutex error_mu;
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < o.concurrency; ++w) {
    workers.emplace_back([&] {
      HttpClient http(host, port);
      std::unique_ptr<stela::v1::Stela::Stub> stub = StubFor(o.target);
      const std::string target = "/" + o.target.index + "/_search";
      while (!unreachable.load() && !g_stop.load()) {
        const std::uint64_t i = next++;
        if (o.max_requests > 0 ? i >= o.max_requests : Clock::now() >= deadline) break;
        Clock::time_point t0 = Clock::now();
        if (o.rate > 0) {
          t0 = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(i) / o.rate));
          if (o.max_requests == 0 && t0 >= deadline) break;
          if (!SleepUntil(t0)) break;
        }
        const Query& q = queries[i % queries.size()];
        bool error = false;
        if (stub) {
          grpc::ClientContext ctx;
          stela::v1::SearchRequest req;
          req.set_index(o.target.index);
          req.set_body_json(q.body);
          stela::v1::SearchResponse resp;
          error = !stub->Search(&ctx, req, &resp).ok();
        } else {
          auto r = http.Send("POST", target, q.body);
          if (!r.ok()) {
            std::lock_guard lock(error_mu);
            if (first_error.ok()) first_error = r.status();
            unreachable = true;
          }
          error = !r.ok() || r->status != 200;
        }
        const double micros = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        rec.Record(micros, 0, 0, 0, &q.cls, error);
      }
    });
  }
  for (auto& t : workers) t.join();
  rec.Finish();
  if (!first_error.ok()) return first_error;
  return report;
}

namespace {

void AppendLatency(const LatencyHistogram& h, std::string* out) {
  *out += "{\"count\":" + std::to_string(h.count()) + ",\"mean_ms\":" + Fmt("%.3f", h.mean() / 1000) +
          ",\"p50_ms\":" + Fmt("%.3f", h.Percentile(50) / 1000) +
          ",\"p90_ms\":" + Fmt("%.3f", h.Percentile(90) / 1000) +
          ",\"p99_ms\":" + Fmt("%.3f", h.Percentile(99) / 1000) +
          ",\"p99_9_ms\":" + Fmt("%.3f", h.Percentile(99.9) / 1000) +
          ",\"max_ms\":" + Fmt("%.3f", h.max() / 1000) + "}";
}

}  // namespace

std::string RunReport::ToJson() const {
  std::string out = "{\"kind\":\"" + kind + "\",\"protocol\":\"" + protocol + "\",\"options\":" +
                    (options_json.empty() ? "{}" : options_json) +
                    ",\"seconds\":" + Fmt("%.3f", seconds) +
                    ",\"requests\":" + std::to_string(requests) +
                    ",\"errors\":" + std::to_string(errors) +
                    ",\"retries\":" + std::to_string(retries) +
                    ",\"requests_per_s\":" + Fmt("%.1f", seconds > 0 ? static_cast<double>(requests) / seconds : 0);
  if (kind == "load") {
    out += ",\"docs\":" + std::to_string(docs) + ",\"failed_docs\":" + std::to_string(failed_docs) +
           ",\"bytes\":" + std::to_string(bytes) +
           ",\"docs_per_s\":" + Fmt("%.1f", seconds > 0 ? static_cast<double>(docs) / seconds : 0) +
           ",\"mb_per_s\":" + Fmt("%.3f", seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0);
  }
  out += ",\"peak_server_rss_mb\":" + Fmt("%.1f", peak_server_rss_mb) + ",\"latency\":";
  AppendLatency(latency, &out);
  out += ",\"by_class\":{";
  bool first = true;
  for (const auto& [cls, h] : by_class) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(cls, &out);
    out += ":";
    AppendLatency(h, &out);
  }
  out += "},\"timeline\":[";
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const Second& s = timeline[i];
    if (i > 0) out += ",";
    out += "{\"t\":" + Fmt("%.2f", s.t) + ",\"ops\":" + std::to_string(s.ops) +
           ",\"docs\":" + std::to_string(s.docs) + ",\"bytes\":" + std::to_string(s.bytes) +
           ",\"p50_ms\":" + Fmt("%.3f", s.p50_ms) + ",\"p99_ms\":" + Fmt("%.3f", s.p99_ms) +
           ",\"server_rss_mb\":" + Fmt("%.1f", s.server_rss_mb) +
           ",\"server_docs\":" + std::to_string(s.server_docs) + "}";
  }
  return out + "]}";
}

std::string RunReport::Summary() const {
  std::string out = kind + " over " + protocol + ": " + std::to_string(requests) + " requests in " +
                    Fmt("%.1f", seconds) + " s (" +
                    Fmt("%.1f", seconds > 0 ? static_cast<double>(requests) / seconds : 0) + "/s), " +
                    std::to_string(errors) + " errors";
  if (kind == "load") {
    out += "; " + std::to_string(docs) + " docs (" + std::to_string(failed_docs) + " failed), " +
           Fmt("%.0f", seconds > 0 ? static_cast<double>(docs) / seconds : 0) + " docs/s, " +
           Fmt("%.2f", seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0) + " MB/s";
    if (retries > 0) out += ", " + std::to_string(retries) + " retries after 429";
  }
  out += "\n";
  auto line = [&](const std::string& name, const LatencyHistogram& h) {
    out += "  " + name + ": p50 " + Fmt("%.2f", h.Percentile(50) / 1000) + " ms, p90 " +
           Fmt("%.2f", h.Percentile(90) / 1000) + " ms, p99 " + Fmt("%.2f", h.Percentile(99) / 1000) +
           " ms, p99.9 " + Fmt("%.2f", h.Percentile(99.9) / 1000) + " ms, max " +
           Fmt("%.2f", h.max() / 1000) + " ms (" + std::to_string(h.count()) + ")\n";
  };
  if (!warning.empty()) out += "  warning: " + warning + "\n";
  line("latency", latency);
  for (const auto& [cls, h] : by_class) line(cls, h);
  if (peak_server_rss_mb > 0) out += "  server peak RSS " + Fmt("%.0f", peak_server_rss_mb) + " MB\n";
  return out;
}

Status WriteReport(const RunReport& report, const std::string& prefix) {
  {
    std::ofstream json(prefix + ".json");
    json << report.ToJson() << "\n";
    std::ofstream dat(prefix + ".dat");
    // Rates per interval, and over the last 10 s (bulk requests finish a few times a second,
    // so one-second rates jump between 0 and twice the mean).
    dat << "# t_s ops_per_s docs_per_s mb_per_s p50_ms p99_ms server_rss_mb server_docs "
           "ops_per_s_10s docs_per_s_10s\n";
    const std::vector<Second>& tl = report.timeline;
    for (std::size_t i = 0; i < tl.size(); ++i) {
      const Second& s = tl[i];
      const double prev = i == 0 ? 0 : tl[i - 1].t;
      const double dt = s.t - prev > 0 ? s.t - prev : 1;
      std::size_t j = i;
      std::uint64_t ops10 = 0, docs10 = 0;
      while (true) {
        ops10 += tl[j].ops;
        docs10 += tl[j].docs;
        if (j == 0 || s.t - tl[j - 1].t > 10) break;
        --j;
      }
      const double span = s.t - (j == 0 ? 0 : tl[j - 1].t);
      dat << Fmt("%.2f", s.t) << " " << Fmt("%.1f", static_cast<double>(s.ops) / dt) << " "
          << Fmt("%.1f", static_cast<double>(s.docs) / dt) << " "
          << Fmt("%.3f", static_cast<double>(s.bytes) / 1e6 / dt) << " " << Fmt("%.3f", s.p50_ms)
          << " " << Fmt("%.3f", s.p99_ms) << " " << Fmt("%.1f", s.server_rss_mb) << " "
          << s.server_docs << " " << Fmt("%.1f", static_cast<double>(ops10) / span) << " "
          << Fmt("%.1f", static_cast<double>(docs10) / span) << "\n";
    }
    if (!json || !dat) return Status::IOError("cannot write " + prefix + ".json/.dat");
  }
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    return Status::NotFound("gnuplot is not installed (apt-get install gnuplot-nox); wrote " +
                            prefix + ".json and " + prefix + ".dat");
  }
  const bool load = report.kind == "load";
  std::string title = "stela bench " + report.kind + " (" + report.protocol + ")";
  std::string gp = "set terminal pngcairo size 1000,700\nset output '" + prefix + ".png'\n" +
                   "set multiplot layout 2,1 title '" + title + "'\nset grid\n" +
                   "set xlabel 'seconds'\nset ylabel '" + (load ? "docs/s" : "requests/s") +
                   "'\nset y2label 'server RSS (MB)'\nset ytics nomirror\nset y2tics\n" +
                   "set yrange [0:*]\nset y2range [0:*]\n" +
                   "set key top left\n" +
                   "plot '" + prefix + ".dat' using 1:" + (load ? "10" : "9") +
                   " with lines lw 2 title '" + (load ? "docs/s" : "requests/s") +
                   " (10 s mean)', '' using 1:7 axes x1y2 with lines lw 2 title 'node RSS MB'\n" +
                   "unset y2label\nunset y2tics\nset ytics mirror\nset ylabel 'latency (ms)'\n" +
                   "set logscale y\nset yrange [*:*]\n" +
                   "plot '" + prefix + ".dat' using 1:5 with lines title 'p50', '' using 1:6 with lines title 'p99'\n" +
                   "unset multiplot\n";
  FILE* p = ::popen("gnuplot 2>/dev/null", "w");
  if (p == nullptr) return Status::IOError("cannot run gnuplot");
  std::fwrite(gp.data(), 1, gp.size(), p);
  if (::pclose(p) != 0) return Status::IOError("gnuplot failed on " + prefix + ".dat");
  return Status::OK();
}

}  // namespace stela::bench
