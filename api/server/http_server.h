// HttpServer: HTTP/1.1 on Boost.Beast. I/O threads only read and write: every request is handed
// to a bounded worker pool, and a full pool is answered 429 at once. Keep-alive, gzip request
// bodies (Content-Encoding) and responses (Accept-Encoding), a body size limit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stela/common/status.h"

namespace stela::api {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", ...
  std::string path;    // as sent (percent-encoded; split on '/' before decoding), no query string
  std::map<std::string, std::string> params;   // query string, percent-decoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;    // decompressed
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Runs on a worker thread. Must not throw.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9200;  // 0: any free port
  int io_threads = 1;
  int workers = 2;
  // Writes (is_write true) run on their own pool of this many threads, with its own queue, so
  // searches never wait behind bulk requests (Elasticsearch's write and search pools).
  // 0: one pool for everything.
  int write_workers = 0;
  // The write pool's threads run this much nicer than the searches': when bulk loads hold the
  // CPU, searches get it first (a search is a few milliseconds of CPU; a bulk request of 1,000
  // documents a few hundred). 0: the same priority.
  int write_nice = 5;
  std::function<bool(const HttpRequest&)> is_write;
  std::size_t max_queue = 1000;
  std::size_t max_body_bytes = 100u << 20;
  // Produces the body of the 429 and 413 answers the server gives itself (Elasticsearch's
  // error shape, from the REST layer).
  std::function<HttpResponse(int status, const std::string& type, const std::string& reason)>
      error;
};

class HttpServer {
 public:
  // Binds and starts serving. Returns IOError when the address cannot be bound.
  static StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                     HttpHandler handler);
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting, lets the requests being handled finish, closes connections. Idempotent.
  virtual void Stop() = 0;
  // Requests answered 429 because a pool was full.
  virtual std::uint64_t rejected() const = 0;
};

// gzip (RFC 1952) helpers; Decompress returns InvalidArgument for bad data or output past
// `limit` bytes.
StatusOr<std::string> GzipDecompress(std::string_view in, std::size_t limit);
std::string GzipCompress(std::string_view in);

// Splits "/a/b%20c?x=1&y" into its path (still encoded) and decoded parameters.
void ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* params);
// Percent-decoding; with `plus_is_space`, '+' becomes ' ' (query strings).
std::string UrlDecode(std::string_view s, bool plus_is_space);

}  // namespace stela::api
