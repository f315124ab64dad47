// The gRPC service stela.v1.Stela (api/proto/stela/v1/stela.proto) on a node, with server
// reflection. Requests are answered by the same REST layer the HTTP API uses, so semantics and
// errors agree; the one mapping from its errors to grpc::Status lives in grpc_server.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/rest/rest_handler.h"
#include "stela/common/status.h"

namespace stela::api {

class GrpcServer {
 public:
  // Listens on host:port (0: any free port). Returns IOError when it cannot bind.
  static StatusOr<std::unique_ptr<GrpcServer>> Start(const std::string& host, std::uint16_t port,
                                                     RestHandler& rest);
  virtual ~GrpcServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting and waits (up to a deadline) for calls in progress. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace stela::api
