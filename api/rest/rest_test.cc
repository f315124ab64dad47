// The HTTP server and REST layer in process, over real sockets on loopback: limits (body size,
// queue), gzip both ways, media types, HEAD, keep-alive, error bodies, restart persistence.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/rest/node.h"
#include "api/rest/rest_handler.h"
#include "api/server/http_server.h"
#include "engine/testing/temp_dir.h"

namespace stela::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

// One request on a fresh connection (or on `stream` when given, for keep-alive).
Reply Send(std::uint16_t port, const std::string& method, const std::string& target,
           const std::string& body = "",
           const std::vector<std::pair<std::string, std::string>>& headers = {},
           beast::tcp_stream* stream = nullptr) {
  boost::asio::io_context io;
  std::optional<beast::tcp_stream> own;
  if (stream == nullptr) {
    own.emplace(io);
    own->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    stream = &*own;
  }
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req.set(k, v);
    if (k == "Content-Type") has_type = true;
  }
  if (!body.empty() && !has_type) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(*stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 30);
  if (method == "HEAD") parser.skip(true);
  http::read(*stream, buffer, parser);
  Reply r;
  r.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = parser.get().body();
  return r;
}

class RestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = analyzers::Registry::CreateBuiltin();
    ASSERT_TRUE(registry.ok());
    registry_ = std::move(registry).value();
    Start();
  }
  void Start(std::size_t max_body = 100u << 20) {
    NodeOptions o;
    o.data_dir = dir_.Sub("data");
    auto node = Node::Open(o, *registry_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(node).value();
    handler_ = std::make_unique<RestHandler>(*node_, RestOptions{});
    HttpServerOptions h;
    h.port = 0;
    h.max_body_bytes = max_body;
    h.error = [this](int s, const std::string& t, const std::string& r) { return handler_->Error(s, t, r); };
    auto server = HttpServer::Start(h, [this](const HttpRequest& r) { return handler_->Handle(r); });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void Stop() {
    server_->Stop();
    server_.reset();
    handler_.reset();
    node_.reset();
  }
  void TearDown() override {
    if (server_) Stop();
  }
  std::uint16_t port() const { return server_->port(); }

  stela::testing::TempDir dir_;
  std::unique_ptr<analyzers::Registry> registry_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<RestHandler> handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(RestTest, InfoHeadersAndMediaTypes) {
  Reply r = Send(port(), "GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-elastic-product"], "Elasticsearch");
  EXPECT_NE(r.body.find("\"tagline\":\"You Know, for Search\""), std::string::npos);
  EXPECT_EQ(r.headers["content-type"], "application/json; charset=UTF-8");
  r = Send(port(), "GET", "/", "", {{"Accept", "application/vnd.elasticsearch+json; compatible-with=9"}});
  EXPECT_EQ(r.headers["content-type"], "application/vnd.elasticsearch+json;compatible-with=9");
  r = Send(port(), "HEAD", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  r = Send(port(), "HEAD", "/missing");
  EXPECT_EQ(r.status, 404);
  r = Send(port(), "POST", "/x/_search", "hello", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 406);
  EXPECT_NE(r.body.find("media_type_header_exception"), std::string::npos);
}

// Writes have their own pool: a search is answered while every write worker is busy.
TEST(HttpServerPools, SearchesDoNotQueueBehindWrites) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, write_started = false;
  int write_nice = -100, search_nice = -100;
  HttpServerOptions h;
  h.port = 0;
  h.workers = 1;
  h.write_workers = 1;
  h.is_write = &RestHandler::IsWrite;
  auto server = HttpServer::Start(h, [&](const HttpRequest& r) {
    HttpResponse resp;
    resp.body = "{}";
    const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    if (RestHandler::IsWrite(r)) {
      std::unique_lock lock(mu);
      write_nice = nice;
      write_started = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    } else {
      std::lock_guard lock(mu);
      search_nice = nice;
    }
    return resp;
  });
  ASSERT_TRUE(server.ok());
  const std::uint16_t port = (*server)->port();
  std::thread writer([&] { EXPECT_EQ(Send(port, "POST", "/i/_bulk", "{}\n").status, 200); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return write_started; });
  }
  // The only write worker is blocked; a search and a realtime get still get answers.
  EXPECT_EQ(Send(port, "POST", "/i/_search", "{}").status, 200);
  {
    std::lock_guard lock(mu);
    // Writers run nicer than searches (5 by default; capped at 19).
    EXPECT_EQ(h.write_nice, 5);
    EXPECT_EQ(write_nice, std::min(19, search_nice + h.write_nice));
  }
  EXPECT_EQ(Send(port, "GET", "/i/_doc/1").status, 200);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  writer.join();
  (*server)->Stop();
  auto is_write = [](const char* method, const char* path) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    return RestHandler::IsWrite(r);
  };
  EXPECT_TRUE(is_write("PUT", "/i/_doc/1"));
  EXPECT_TRUE(is_write("POST", "/i/_update/1"));
  EXPECT_TRUE(is_write("POST", "/_bulk"));
  EXPECT_FALSE(is_write("GET", "/i/_doc/1"));
  EXPECT_FALSE(is_write("POST", "/i/_search"));
  EXPECT_FALSE(is_write("PUT", "/i"));
}

TEST_F(RestTest, ErrorBodiesHaveElasticsearchShape) {
  Reply r = Send(port(), "GET", "/nope/_doc/1");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"("root_cause":[{"type":"index_not_found_exception")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("status":404)"), std::string::npos);
  ASSERT_EQ(Send(port(), "PUT", "/idx").status, 200);
  r = Send(port(), "POST", "/idx/_search", "{\"query\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("x_content_parse_exception"), std::string::npos) << r.body;
  r = Send(port(), "PUT", "/Bad");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_index_name_exception"), std::string::npos);
  r = Send(port(), "GET", "/_no_such_endpoint");
  EXPECT_EQ(r.status, 400);
  r = Send(port(), "POST", "/_bulk", "not json\n", {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(RestTest, BodyLimitAnswers413) {
  Stop();
  Start(/*max_body=*/4096);
  Reply r = Send(port(), "POST", "/idx/_doc", "{\"a\":\"" + std::string(10000, 'x') + "\"}");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("content_too_long_exception"), std::string::npos) << r.body;
  r = Send(port(), "POST", "/idx/_doc?refresh=true", "{\"a\":\"small\"}");
  EXPECT_EQ(r.status, 201) << r.body;
  // A gzip body that inflates past the limit is refused too.
  const std::string big = "{\"a\":\"" + std::string(100000, 'y') + "\"}";
  r = Send(port(), "POST", "/idx/_doc", GzipCompress(big), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(RestTest, GzipBothWays) {
  ASSERT_EQ(Send(port(), "PUT", "/g").status, 200);
  std::string bulk;
  for (int i = 0; i < 200; ++i) {
    bulk += "{\"index\":{\"_id\":\"" + std::to_string(i) + "\"}}\n{\"text\":\"gzip body number " +
            std::to_string(i) + "\"}\n";
  }
  Reply r = Send(port(), "POST", "/g/_bulk?refresh=true", GzipCompress(bulk),
                 {{"Content-Encoding", "gzip"}, {"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"errors\":false"), std::string::npos);
  r = Send(port(), "POST", "/g/_search", R"({"size": 100, "query": {"match": {"text": "gzip"}}})",
           {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-encoding"], "gzip");
  auto plain = GzipDecompress(r.body, 1 << 26);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(plain->find(R"("total":{"value":200,"relation":"eq"})"), std::string::npos);
  r = Send(port(), "POST", "/g/_doc", "not gzip at all", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
}

TEST_F(RestTest, KeepAliveServesManyRequestsOnOneConnection) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port()));
  for (int i = 0; i < 20; ++i) {
    Reply r = Send(port(), "PUT", "/k/_doc/" + std::to_string(i), R"({"n": 1})", {}, &stream);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  Reply r = Send(port(), "GET", "/k/_count", "", {}, &stream);
  EXPECT_EQ(r.status, 200);
}

TEST_F(RestTest, IndicesSurviveRestart) {
  ASSERT_EQ(Send(port(), "PUT", "/keep", R"({"settings": {"number_of_replicas": 0}, "aliases": {"kept": {}}})").status, 200);
  ASSERT_EQ(Send(port(), "PUT", "/keep/_doc/1", R"({"t": "durable"})").status, 201);
  Stop();
  Start();
  Reply r = Send(port(), "GET", "/kept/_doc/1");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("durable"), std::string::npos);
  r = Send(port(), "GET", "/_cluster/health");
  EXPECT_NE(r.body.find("\"status\":\"green\""), std::string::npos) << r.body;
  r = Send(port(), "GET", "/_cat/indices?format=json");
  EXPECT_NE(r.body.find("\"index\":\"keep\""), std::string::npos) << r.body;
  ASSERT_EQ(Send(port(), "DELETE", "/keep").status, 200);
  EXPECT_EQ(Send(port(), "HEAD", "/keep").status, 404);
}

TEST_F(RestTest, EveryEndpointAndItsErrors) {
  auto ok = [&](const std::string& m, const std::string& t, const std::string& b = "",
                std::vector<std::pair<std::string, std::string>> h = {}) {
    Reply r = Send(port(), m, t, b, h);
    EXPECT_LT(r.status, 300) << m << " " << t << ": " << r.body;
    return r;
  };
  auto fails = [&](int status, const std::string& type, const std::string& m, const std::string& t,
                   const std::string& b = "") {
    Reply r = Send(port(), m, t, b);
    EXPECT_EQ(r.status, status) << m << " " << t << ": " << r.body;
    EXPECT_NE(r.body.find("\"type\":\"" + type + "\""), std::string::npos) << m << " " << t << ": " << r.body;
  };
  ok("PUT", "/lib", R"({"settings": {"number_of_replicas": 0}, "mappings": {"properties": {
      "title": {"type": "text"}, "n": {"type": "long"}, "tag": {"type": "keyword"}}}})");
  ok("PUT", "/lib/_mapping", R"({"properties": {"extra": {"type": "keyword"}}})");
  Reply r = ok("GET", "/lib/_mapping");
  EXPECT_NE(r.body.find("\"extra\":{\"type\":\"keyword\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("_stela"), std::string::npos);
  fails(400, "illegal_argument_exception", "PUT", "/lib/_mapping", R"({"properties": {"n": {"type": "text"}}})");
  ok("PUT", "/lib/_settings", R"({"index": {"max_result_window": 50}})");
  r = ok("GET", "/lib/_settings");
  EXPECT_NE(r.body.find("\"max_result_window\":\"50\""), std::string::npos) << r.body;
  fails(400, "illegal_argument_exception", "GET", "/lib/_search?from=45&size=10");
  fails(400, "illegal_argument_exception", "PUT", "/lib/_settings", R"({"index": {"number_of_shards": 3}})");
  std::string bulk;
  for (int i = 0; i < 30; ++i) {
    bulk += R"({"index": {"_id": ")" + std::to_string(i) + "\"}}\n" + R"({"title": "book number )" +
            std::to_string(i) + R"(", "n": )" + std::to_string(i) + R"(, "tag": "t)" + std::to_string(i % 3) + "\"}\n";
  }
  ok("POST", "/lib/_bulk?refresh=wait_for", bulk, {{"Content-Type", "application/x-ndjson"}});
  fails(400, "illegal_argument_exception", "POST", "/lib/_bulk", "{\"index\": {\"_id\": \"x\"}}\n");
  fails(400, "illegal_argument_exception", "POST", "/lib/_bulk", "{\"explode\": {}}\n{}\n");
  // A document of the wrong type is refused with the mapper's error, the bulk item too.
  fails(400, "mapper_parsing_exception", "PUT", "/lib/_doc/bad", R"({"n": "not a number"})");
  fails(400, "parsing_exception", "POST", "/lib/_search", R"({"query": {"match": {"title": {"query": "a", "bogus": 1}}}})");
  fails(400, "parsing_exception", "POST", "/lib/_search", R"({"nope": 1})");
  std::string deep = R"({"match_all": {}})";
  for (int i = 0; i < 40; ++i) deep = R"({"bool": {"must": )" + deep + "}}";
  fails(400, "illegal_argument_exception", "POST", "/lib/_search", R"({"query": )" + deep + "}");
  r = ok("GET", "/lib/_count?q=title:book");
  EXPECT_NE(r.body.find("\"count\":30"), std::string::npos) << r.body;
  r = ok("GET", "/lib/_search?q=n:[10%20TO%2012]&sort=n:desc&filter_path=hits.hits._id");
  EXPECT_EQ(r.body, R"({"hits":{"hits":[{"_id":"12"},{"_id":"11"},{"_id":"10"}]}})");
  // Deadlines: a timeout already passed answers 200 with timed_out and no hits; terminate_after
  // stops collecting; a bad time value is a 400.
  r = ok("GET", "/lib/_search?timeout=0ms&q=title:book");
  EXPECT_NE(r.body.find("\"timed_out\":true"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"hits\":[]"), std::string::npos) << r.body;
  r = ok("POST", "/lib/_search?timeout=1m", R"({"timeout": "30s", "size": 1})");
  EXPECT_NE(r.body.find("\"timed_out\":false"), std::string::npos) << r.body;
  r = ok("GET", "/lib/_search?terminate_after=5&size=0&track_total_hits=true");
  EXPECT_NE(r.body.find("\"terminated_early\":true"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"value\":5,"), std::string::npos) << r.body;
  fails(400, "illegal_argument_exception", "GET", "/lib/_search?timeout=soon");
  fails(400, "parsing_exception", "POST", "/lib/_search", R"({"timeout": "soon"})");
  r = ok("GET", "/lib/_search?size=0&pretty");
  EXPECT_NE(r.body.find("\n  \"took\""), std::string::npos) << r.body;
  r = ok("POST", "/lib/_mget", R"({"ids": ["1", "nope"]})");
  EXPECT_NE(r.body.find("\"found\":false"), std::string::npos);
  r = ok("POST", "/_msearch", "{\"index\": \"lib\"}\n{\"size\": 1}\n{\"index\": \"zzz\"}\n{}\n",
         {{"Content-Type", "application/x-ndjson"}});
  EXPECT_NE(r.body.find("\"status\":404"), std::string::npos) << r.body;
  r = ok("POST", "/lib/_analyze", R"({"analyzer": "english", "text": "running dogs"})");
  EXPECT_NE(r.body.find("\"token\":\"run\""), std::string::npos) << r.body;
  fails(400, "illegal_argument_exception", "POST", "/lib/_analyze", R"({"analyzer": "klingon", "text": "x"})");
  r = ok("POST", "/lib/_update_by_query?refresh=true", R"({"query": {"term": {"tag": "t1"}}})");
  EXPECT_NE(r.body.find("\"updated\":10"), std::string::npos) << r.body;
  r = ok("POST", "/lib/_delete_by_query?refresh=true", R"({"query": {"term": {"tag": "t2"}}})");
  EXPECT_NE(r.body.find("\"deleted\":10"), std::string::npos) << r.body;
  r = ok("POST", "/lib/_pit?keep_alive=1m");
  const std::size_t at = r.body.find("\"id\":\"") + 6;
  const std::string pit = r.body.substr(at, r.body.find('"', at) - at);
  r = ok("POST", "/_search", R"({"pit": {"id": ")" + pit + R"("}, "size": 2, "sort": [{"n": "asc"}]})");
  EXPECT_NE(r.body.find("\"pit_id\""), std::string::npos);
  ok("DELETE", "/_pit", R"({"id": ")" + pit + R"("})");
  fails(404, "search_context_missing_exception", "POST", "/_search", R"({"pit": {"id": ")" + pit + R"("}})");
  r = ok("GET", "/lib/_search?scroll=1m&size=7&sort=n:asc");
  const std::size_t sat = r.body.find("\"_scroll_id\":\"") + 14;
  const std::string scroll = r.body.substr(sat, r.body.find('"', sat) - sat);
  int pages = 1;
  while (true) {
    r = ok("POST", "/_search/scroll", R"({"scroll": "1m", "scroll_id": ")" + scroll + R"("})");
    if (r.body.find("\"hits\":[]") != std::string::npos) break;
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(pages, 3);  // 20 live docs, 7 a page
  ok("DELETE", "/_search/scroll", R"({"scroll_id": [")" + scroll + R"("]})");
  ok("POST", "/_aliases", R"({"actions": [{"add": {"index": "lib", "alias": "books"}}]})");
  EXPECT_EQ(Send(port(), "HEAD", "/lib/_alias/books").status, 200);
  ok("GET", "/books/_doc/1");
  ok("DELETE", "/lib/_alias/books");
  fails(404, "index_not_found_exception", "GET", "/books/_search");
  r = ok("GET", "/_cat/indices?v");
  EXPECT_NE(r.body.find("lib"), std::string::npos);
  EXPECT_EQ(r.body.find(" 0b "), std::string::npos) << "store.size counts the shard's files: " << r.body;
  r = ok("GET", "/lib/_stats");
  EXPECT_NE(r.body.find("\"store\":{\"size_in_bytes\":"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"size_in_bytes\":0}"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"indexing\":{\"is_throttled\":false,\"throttle_time_in_millis\":"),
            std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"merges\":{\"current\":"), std::string::npos) << r.body;
  ok("GET", "/_cat/health");
  ok("GET", "/_cat/count?format=json");
  r = ok("GET", "/_nodes");
  EXPECT_NE(r.body.find("\"roles\""), std::string::npos);
  ok("GET", "/_stats");
  ok("POST", "/lib/_flush");
  ok("POST", "/lib/_forcemerge?max_num_segments=1");
  r = ok("GET", "/_prometheus/metrics");
  EXPECT_NE(r.body.find("stela_searches_total"), std::string::npos);
  EXPECT_NE(r.body.find("\nprocess_resident_memory_bytes "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("stela_index_docs{index=\"lib\"} 20"), std::string::npos) << r.body;
  ok("GET", "/_index_template");
  fails(400, "illegal_argument_exception", "PUT", "/_index_template/x", "{}");
  fails(405, "illegal_argument_exception", "PATCH", "/lib/_search");
  fails(404, "index_not_found_exception", "DELETE", "/nope");
}

TEST(HttpServerTest, FullQueueAnswers429) {
  std::atomic<int> running{0};
  HttpServerOptions o;
  o.port = 0;
  o.workers = 1;
  o.max_queue = 1;
  auto server = HttpServer::Start(o, [&](const HttpRequest&) {
    ++running;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    HttpResponse r;
    r.body = "{}";
    return r;
  });
  ASSERT_TRUE(server.ok());
  const std::uint16_t port = (*server)->port();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0}, rejected{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      Reply r = Send(port, "GET", "/");
      if (r.status == 200) ++ok;
      if (r.status == 429) {
        ++rejected;
        EXPECT_EQ(r.headers["retry-after"], "1");
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_GE(ok.load(), 1);
  EXPECT_GE(rejected.load(), 1);
  EXPECT_EQ(ok.load() + rejected.load(), 6);
  EXPECT_EQ((*server)->rejected(), static_cast<std::uint64_t>(rejected.load()));
}

TEST(HttpServerTest, TargetParsing) {
  std::string path;
  std::map<std::string, std::string> params;
  ParseTarget("/idx/_doc/man%3Aja%3A1%2Fls?refresh=wait_for&q=a+b%20c&flag", &path, &params);
  EXPECT_EQ(path, "/idx/_doc/man%3Aja%3A1%2Fls");
  EXPECT_EQ(UrlDecode("man%3Aja%3A1%2Fls", false), "man:ja:1/ls");
  EXPECT_EQ(params["refresh"], "wait_for");
  EXPECT_EQ(params["q"], "a b c");
  EXPECT_EQ(params.count("flag"), 1u);
}

}  // namespace
}  // namespace stela::api
