#include "api/server/http_server.h"

#include <zlib.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <thread>

#include "api/server/thread_pool.h"

namespace stela::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

void ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* params) {
  const std::size_t q = target.find('?');
  *path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      (*params)[UrlDecode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

StatusOr<std::string> GzipDecompress(std::string_view in, std::size_t limit) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::Internal("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::InvalidArgument("request body is not valid gzip");
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > limit) {
      inflateEnd(&zs);
      return Status::InvalidArgument("decompressed request body is larger than the limit");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Status::InvalidArgument("request body is truncated gzip");
    }
  }
  inflateEnd(&zs);
  return out;
}

std::string GzipCompress(std::string_view in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

namespace {

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server* server)
      : stream_(std::move(socket)), server_(server) {}
  void Start() { Read(); }
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

 private:
  void Read();
  void OnRead(beast::error_code ec, std::size_t);
  void Respond(HttpResponse r, bool keep_alive, bool head, bool gzip, unsigned version);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  Server* server_;
};

class Server final : public HttpServer {
 public:
  Server(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        acceptor_(io_),
        pool_("http-worker", static_cast<std::size_t>(std::max(1, options_.workers)),
              options_.max_queue) {
    if (options_.write_workers > 0 && options_.is_write) {
      write_pool_ = std::make_unique<ThreadPool>(
          "http-write", static_cast<std::size_t>(options_.write_workers), options_.max_queue,
          options_.write_nice);
    }
  }

  ~Server() override { Stop(); }

  Status Listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("bad listen address [" + options_.host + "]");
    tcp::endpoint ep(address, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError("cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
      io_threads_.emplace_back([this] { io_.run(); });
    }
    return Status::OK();
  }

  std::uint16_t port() const override { return port_; }
  std::uint64_t rejected() const override {
    return pool_.rejected() + (write_pool_ ? write_pool_->rejected() : 0);
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    asio::post(io_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    // Requests being handled finish; their answers are written before the I/O threads stop.
    for (int i = 0; i < 200 && in_flight_.load() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    io_.stop();
    for (std::thread& t : io_threads_) t.join();
    io_threads_.clear();
  }

  const HttpServerOptions& options() const { return options_; }

  // Hands the request to the pool; `done` runs on the connection's I/O thread.
  void Dispatch(std::shared_ptr<HttpRequest> req,
                std::function<void(HttpResponse)> done) {
    ++in_flight_;
    ThreadPool& pool = write_pool_ && options_.is_write(*req) ? *write_pool_ : pool_;
    const bool accepted = pool.Submit([this, req, done] {
      HttpResponse r = handler_(*req);
      done(std::move(r));
      --in_flight_;
    });
    if (!accepted) {
      --in_flight_;
      HttpResponse r = Error(429, "es_rejected_execution_exception",
                             "rejected execution: the request queue is full (" +
                                 std::to_string(options_.max_queue) + " requests)");
      r.headers.emplace_back("Retry-After", "1");
      done(std::move(r));
    }
  }

  HttpResponse Error(int status, const std::string& type, const std::string& reason) const {
    if (options_.error) return options_.error(status, type, reason);
    HttpResponse r;
    r.status = status;
    r.body = "{\"error\":{\"type\":\"" + type + "\"},\"status\":" + std::to_string(status) + "}";
    return r;
  }

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped_) return;
      } else {
        beast::error_code nd;
        s.set_option(tcp::no_delay(true), nd);
        std::make_shared<Session>(std::move(s), this)->Start();
      }
      if (!stopped_) Accept();
    });
  }

  HttpServerOptions options_;
  HttpHandler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  ThreadPool pool_;
  std::unique_ptr<ThreadPool> write_pool_;  // null: writes share pool_
  std::vector<std::thread> io_threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> in_flight_{0};
};

void Session::Read() {
  parser_.emplace();
  parser_->body_limit(server_->options().max_body_bytes);
  parser_->header_limit(64 * 1024);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnRead(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    Close();
    return;
  }
  if (ec == http::error::body_limit) {
    HttpResponse r = server_->Error(
        413, "content_too_long_exception",
        "request body is larger than the limit of " +
            std::to_string(server_->options().max_body_bytes) + " bytes");
    Respond(std::move(r), false, false, false, 11);
    return;
  }
  if (ec) {
    if (ec != asio::error::operation_aborted) {
      HttpResponse r = server_->Error(400, "parse_exception", "malformed HTTP request: " + ec.message());
      Respond(std::move(r), false, false, false, 11);
    }
    return;
  }
  http::request<http::string_body> msg = parser_->release();
  auto req = std::make_shared<HttpRequest>();
  req->method = std::string(msg.method_string());
  ParseTarget(std::string_view(msg.target().data(), msg.target().size()), &req->path, &req->params);
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req->headers[name] = std::string(field.value());
  }
  const bool keep_alive = msg.keep_alive();
  const bool head = msg.method() == http::verb::head;
  const unsigned version = msg.version();
  const std::string encoding = req->Header("content-encoding");
  const bool gzip_out = req->Header("accept-encoding").find("gzip") != std::string::npos;
  req->body = std::move(msg.body());
  if (encoding == "gzip" || encoding == "x-gzip") {
    auto plain = GzipDecompress(req->body, server_->options().max_body_bytes);
    if (!plain.ok()) {
      Respond(server_->Error(400, "parse_exception", std::string(plain.status().message())),
              keep_alive, head, false, version);
      return;
    }
    req->body = std::move(plain).value();
  }
  auto self = shared_from_this();
  server_->Dispatch(req, [self, keep_alive, head, gzip_out, version](HttpResponse r) {
    asio::post(self->stream_.get_executor(), [self, r = std::move(r), keep_alive, head, gzip_out,
                                              version]() mutable {
      self->Respond(std::move(r), keep_alive, head, gzip_out, version);
    });
  });
}

void Session::Respond(HttpResponse r, bool keep_alive, bool head, bool gzip, unsigned version) {
  auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(r.status), version);
  res->set(http::field::server, "stela");
  if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res->set(k, v);
  if (gzip && r.body.size() > 1024 && !head) {
    res->set(http::field::content_encoding, "gzip");
    res->body() = GzipCompress(r.body);
  } else {
    res->body() = std::move(r.body);
  }
  res->keep_alive(keep_alive);
  res->prepare_payload();
  if (head) {
    // HEAD answers carry the length the body would have, and no body.
    const auto length = res->body().size();
    res->body().clear();
    res->content_length(length);
  }
  response_ = res;
  auto self = shared_from_this();
  http::async_write(stream_, *res, [self, keep_alive](beast::error_code ec, std::size_t) {
    self->response_.reset();
    if (ec || !keep_alive) {
      self->Close();
      return;
    }
    self->Read();
  });
}

}  // namespace

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                        HttpHandler handler) {
  auto s = std::make_unique<Server>(std::move(options), std::move(handler));
  STELA_RETURN_IF_ERROR(s->Listen());
  return std::unique_ptr<HttpServer>(std::move(s));
}

}  // namespace stela::api
