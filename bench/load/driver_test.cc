// The load driver against a real node in process (REST over HTTP and gRPC on loopback ports the
// test picks): every generated document arrives, counts and errors are reported, queries run
// at a concurrency and at a fixed rate; the latency histogram's percentiles are within 1%.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "api/grpc/grpc_server.h"
#include "api/rest/node.h"
#include "api/rest/rest_handler.h"
#include "api/server/http_server.h"
#include "bench/gen/corpus_gen.h"
#include "bench/load/driver.h"
#include "bench/load/http_client.h"
#include "engine/testing/temp_dir.h"

namespace stela::bench {
namespace {

std::uint64_t Seed() {
  const char* env = std::getenv("STELA_TEST_SEED");
  const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::printf("seed %llu (set STELA_TEST_SEED to repeat)\n", static_cast<unsigned long long>(seed));
  return seed;
}

TEST(LatencyHistogramTest, PercentilesWithinOnePercent) {
  std::mt19937_64 rng(Seed());
  std::lognormal_distribution<double> dist(std::log(2000.0), 1.5);
  LatencyHistogram h;
  std::vector<double> values;
  for (int i = 0; i < 100000; ++i) {
    values.push_back(1.0 + dist(rng));
    h.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * values.size()));
    const double exact = values[rank - 1];
    EXPECT_GE(h.Percentile(p), exact * 0.999) << "p" << p;
    EXPECT_LE(h.Percentile(p), exact * 1.0101) << "p" << p;
  }
  EXPECT_EQ(h.count(), values.size());
  EXPECT_DOUBLE_EQ(h.max(), values.back());
  LatencyHistogram a, b;
  a.Record(10);
  b.Record(1000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_LE(a.Percentile(50), 10.2);
  EXPECT_DOUBLE_EQ(a.Percentile(100), 1000);
  EXPECT_EQ(LatencyHistogram().Percentile(50), 0);
}

class DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = analyzers::Registry::CreateBuiltin();
    ASSERT_TRUE(registry.ok());
    registry_ = std::move(registry).value();
    api::NodeOptions o;
    o.data_dir = dir_.Sub("data");
    auto node = api::Node::Open(o, *registry_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(node).value();
    handler_ = std::make_unique<api::RestHandler>(*node_, api::RestOptions{});
    api::HttpServerOptions h;
    h.host = "127.0.0.1";
    h.port = 0;
    auto server = api::HttpServer::Start(h, [this](const api::HttpRequest& r) { return handler_->Handle(r); });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    http_ = std::move(server).value();
    auto grpc = api::GrpcServer::Start("127.0.0.1", 0, *handler_);
    ASSERT_TRUE(grpc.ok()) << grpc.status().ToString();
    grpc_ = std::move(grpc).value();

    GenOptions g;
    g.docs = kDocs;
    g.seed = 11;
    corpus_ = dir_.Sub("corpus.jsonl");
    std::ofstream out(corpus_);
    ASSERT_TRUE(GenerateCorpus(g, out, nullptr).ok());
    out.close();
    std::ifstream in(corpus_);
    std::ofstream q(dir_.Sub("queries.jsonl"));
    ASSERT_TRUE(BuildQueries(in, 10, 3, q).ok());
  }
  void TearDown() override {
    grpc_->Stop();
    http_->Stop();
  }
  Target target(const std::string& index, bool grpc) const {
    Target t;
    t.http_url = "http://127.0.0.1:" + std::to_string(http_->port());
    if (grpc) t.grpc_address = "127.0.0.1:" + std::to_string(grpc_->port());
    t.index = index;
    return t;
  }
  std::uint64_t Count(const std::string& index) {
    HttpClient c("127.0.0.1", http_->port());
    auto r = c.Send("GET", "/" + index + "/_count");
    EXPECT_TRUE(r.ok());
    const std::size_t at = r->body.find("\"count\":");
    return at == std::string::npos ? 0 : std::strtoull(r->body.c_str() + at + 8, nullptr, 10);
  }

  static constexpr std::uint64_t kDocs = 1500;
  stela::testing::TempDir dir_;
  std::unique_ptr<analyzers::Registry> registry_;
  std::unique_ptr<api::Node> node_;
  std::unique_ptr<api::RestHandler> handler_;
  std::unique_ptr<api::HttpServer> http_;
  std::unique_ptr<api::GrpcServer> grpc_;
  std::string corpus_;
};

TEST_F(DriverTest, LoadsEveryDocumentOverHttpAndGrpc) {
  for (bool grpc : {false, true}) {
    SCOPED_TRACE(grpc ? "grpc" : "http");
    const std::string index = grpc ? "via-grpc" : "via-http";
    LoadOptions o;
    o.target = target(index, grpc);
    o.corpus_path = corpus_;
    o.batch_docs = 200;  // 7 full batches and a partial one
    o.clients = 2;
    int progress_calls = 0;
    auto report = RunLoad(o, [&](const RunReport&, double) { ++progress_calls; });
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->docs, kDocs);
    EXPECT_EQ(report->failed_docs, 0u);
    EXPECT_EQ(report->requests, 8u);
    EXPECT_EQ(report->errors, 0u);
    EXPECT_EQ(report->latency.count(), 8u);
    EXPECT_GE(progress_calls, 1);  // the final sample at least
    EXPECT_EQ(Count(index), kDocs);
    EXPECT_GT(report->peak_server_rss_mb, 0);
    // Loading the same ids again replaces them: still kDocs documents.
    o.max_docs = 300;
    report = RunLoad(o, nullptr);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->docs, 300u);
    EXPECT_EQ(Count(index), kDocs);
  }
}

TEST_F(DriverTest, BadDocumentsAreCountedAsFailed) {
  const std::string bad = dir_.Sub("bad.jsonl");
  {
    std::ofstream out(bad);
    out << R"({"id":"a","n":1})" << "\n" << R"({"id":"b","n":"not a number"})" << "\n"
        << R"({"id":"c","n":3})" << "\n";
  }
  LoadOptions o;
  o.target = target("typed", false);
  o.corpus_path = bad;
  o.create_body = R"({"mappings":{"properties":{"n":{"type":"long"}}}})";
  auto report = RunLoad(o, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->docs, 2u);
  EXPECT_EQ(report->failed_docs, 1u);
  EXPECT_EQ(Count("typed"), 2u);
  o.corpus_path = dir_.Sub("missing.jsonl");
  EXPECT_EQ(RunLoad(o, nullptr).status().code(), Status::Code::kNotFound);
}

TEST_F(DriverTest, SearchesAtAConcurrencyAndAtAFixedRate) {
  LoadOptions load;
  load.target = target("s", false);
  load.corpus_path = corpus_;
  ASSERT_TRUE(RunLoad(load, nullptr).ok());
  for (bool grpc : {false, true}) {
    SCOPED_TRACE(grpc ? "grpc" : "http");
    SearchOptions o;
    o.target = target("s", grpc);
    o.queries_path = dir_.Sub("queries.jsonl");
    o.concurrency = 3;
    o.max_requests = 120;
    auto report = RunSearch(o, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->requests, 120u);
    EXPECT_EQ(report->errors, 0u);
    EXPECT_EQ(report->latency.count(), 120u);
    EXPECT_EQ(report->by_class.size(), 4u);  // term, and, or, phrase
    EXPECT_LE(report->latency.Percentile(50), report->latency.Percentile(99));
    EXPECT_LE(report->latency.Percentile(99), report->latency.max());
  }
  // A fixed rate: request i is due at i / rate, so 40 requests at 200/s cannot finish before
  // 39 / 200 s, however fast the node is.
  SearchOptions o;
  o.target = target("s", false);
  o.queries_path = dir_.Sub("queries.jsonl");
  o.concurrency = 2;
  o.rate = 200;
  o.max_requests = 40;
  auto report = RunSearch(o, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->requests, 40u);
  EXPECT_GE(report->seconds, 39.0 / 200);
  // The JSON report holds the totals and the timeline.
  const std::string json = report->ToJson();
  EXPECT_NE(json.find("\"kind\":\"search\""), std::string::npos);
  EXPECT_NE(json.find("\"requests\":40"), std::string::npos);
  EXPECT_NE(json.find("\"timeline\":[{"), std::string::npos);
  // An unknown index is an error per request, not a crash.
  o.target.index = "nope";
  o.rate = 0;
  o.max_requests = 5;
  report = RunSearch(o, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->errors, 5u);
}

TEST_F(DriverTest, RequestStopEndsARunWithItsReport) {
  LoadOptions load;
  load.target = target("stop", false);
  load.corpus_path = corpus_;
  ASSERT_TRUE(RunLoad(load, nullptr).ok());
  SearchOptions o;
  o.target = target("stop", false);
  o.queries_path = dir_.Sub("queries.jsonl");
  o.concurrency = 2;
  o.duration_s = 600;  // stopped long before: at the first progress report (about 1 s)
  auto report = RunSearch(o, [](const RunReport&, double) { RequestStop(); });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GT(report->requests, 0u);
  EXPECT_EQ(report->errors, 0u);
  EXPECT_LT(report->seconds, 300);
  EXPECT_FALSE(report->timeline.empty());
}

TEST_F(DriverTest, UnreachableNodeIsAnError) {
  LoadOptions o;
  o.target.http_url = "http://127.0.0.1:1";  // nothing listens on port 1
  o.corpus_path = corpus_;
  EXPECT_EQ(RunLoad(o, nullptr).status().code(), Status::Code::kIOError);
  std::string host;
  std::uint16_t port = 0;
  EXPECT_TRUE(ParseHttpUrl("http://localhost:9201/", &host, &port).ok());
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 9201);
  EXPECT_FALSE(ParseHttpUrl("https://x:1", &host, &port).ok());
  EXPECT_FALSE(ParseHttpUrl("http://x:99999", &host, &port).ok());
}

}  // namespace
}  // namespace stela::bench
