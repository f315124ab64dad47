// A blocking HTTP/1.1 client over one keep-alive connection (Boost.Beast), for the load driver
// and its tests. Reconnects once when the server closed an idle connection. Not thread-safe:
// one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "stela/common/status.h"

namespace stela::bench {

struct HttpReply {
  int status = 0;
  std::string body;
};

// "http://host:port" (the scheme is optional; port 9200 when absent) -> host, port.
Status ParseHttpUrl(const std::string& url, std::string* host, std::uint16_t* port);

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::minutes(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the whole answer. IOError when the server cannot be reached
  // or does not answer within the timeout.
  StatusOr<HttpReply> Send(const std::string& method, const std::string& target,
                           const std::string& body = "",
                           const std::string& content_type = "application/json");

 private:
  struct Conn;
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace stela::bench
