#include "bench/load/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace stela::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Status ParseHttpUrl(const std::string& url, std::string* host, std::uint16_t* port) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos) {
    return Status::InvalidArgument("only http:// addresses are supported: " + url);
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t colon = rest.rfind(':');
  *host = colon == std::string::npos ? rest : rest.substr(0, colon);
  *port = 9200;
  if (colon != std::string::npos) {
    const std::string p = rest.substr(colon + 1);
    char* end = nullptr;
    const unsigned long v = std::strtoul(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || v == 0 || v > 65535) {
      return Status::InvalidArgument("bad port in " + url);
    }
    *port = static_cast<std::uint16_t>(v);
  }
  if (host->empty()) return Status::InvalidArgument("no host in " + url);
  return Status::OK();
}

struct HttpClient::Conn {
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() {
  if (conn_) {
    beast::error_code ec;
    conn_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

StatusOr<HttpReply> HttpClient::Send(const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& content_type) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, host_);
  req.keep_alive(true);
  if (!body.empty()) req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  std::string last_error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = conn_ == nullptr;
    try {
      if (fresh) {
        conn_ = std::make_unique<Conn>();
        tcp::resolver resolver(conn_->io);
        conn_->stream.expires_after(timeout_);
        conn_->stream.connect(resolver.resolve(host_, std::to_string(port_)));
        conn_->stream.socket().set_option(tcp::no_delay(true));
      }
      conn_->stream.expires_after(timeout_);
      http::write(conn_->stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(std::uint64_t{1} << 32);
      if (method == "HEAD") parser.skip(true);
      http::read(conn_->stream, conn_->buffer, parser);
      HttpReply r;
      r.status = static_cast<int>(parser.get().result_int());
      r.body = std::move(parser.get().body());
      if (!parser.get().keep_alive()) conn_.reset();
      return r;
    } catch (const std::exception& e) {
      last_error = e.what();
      conn_.reset();
      if (fresh) break;  // a new connection failed: the server is not there
    }
  }
  return Status::IOError("http://" + host_ + ":" + std::to_string(port_) + target + ": " +
                         last_error);
}

}  // namespace stela::bench
