#include "api/server/serve_command.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "api/grpc/grpc_server.h"
#include "api/rest/node.h"
#include "api/rest/rest_handler.h"
#include "api/server/http_server.h"
#include "stela/analyzers/registry.h"

namespace stela::api {

namespace {

constexpr FlagSpec kServeFlags[] = {
    {"data", true, "data directory (default ./data)"},
    {"host", true, "address to listen on (default 127.0.0.1; 0.0.0.0 for all)"},
    {"port", true, "HTTP port (default 9200; 0 picks a free one)"},
    {"port-file", true, "write the HTTP port (and on a second line the gRPC port) to this file once listening"},
    {"grpc-port", true, "gRPC port (default 9300; 0 picks a free one; off disables)"},
    {"workers", true, "request worker threads (default: the number of cores)"},
    {"write-workers", true, "threads for document writes (_bulk, _doc, ...), apart from the "
                           "search workers so searches never queue behind bulks (default: "
                           "the number of cores; 0 shares --workers)"},
    {"write-nice", true, "how much nicer (lower priority) the write threads run than the search "
                        "threads, 0-19, so searches get the CPU first under bulk load (default 5)"},
    {"io-threads", true, "network I/O threads (default 1)"},
    {"max-queue", true, "requests waiting for a worker before 429 (default 1000)"},
    {"max-body", true, "largest request body in bytes (default 104857600)"},
    {"search-timeout", true, "timeout of searches that set none, e.g. 30s (default: none); "
                            "a search past it answers with the hits found so far, timed_out: true"},
    {"node-name", true, "node name (default stela-node)"},
    {"cluster-name", true, "cluster name (default stela)"},
};

StatusOr<long> Number(const Flags& f, const char* name, long fallback) {
  auto v = f.Get(name);
  if (!v) return fallback;
  char* end = nullptr;
  const long n = std::strtol(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != 0 || n < 0) {
    return Status::InvalidArgument(std::string("--") + name + " must be a non-negative number");
  }
  return n;
}

}  // namespace

std::span<const FlagSpec> ServeFlags() { return kServeFlags; }

Status RunServe(const Flags& flags) {
  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  STELA_ASSIGN_OR_RETURN(auto registry, analyzers::Registry::CreateBuiltin());
  NodeOptions node_options;
  node_options.data_dir = flags.Get("data").value_or("data");
  node_options.name = flags.Get("node-name").value_or("stela-node");
  node_options.cluster_name = flags.Get("cluster-name").value_or("stela");
  STELA_ASSIGN_OR_RETURN(auto node, Node::Open(node_options, *registry));

  HttpServerOptions http;
  http.host = flags.Get("host").value_or("127.0.0.1");
  STELA_ASSIGN_OR_RETURN(long port, Number(flags, "port", 9200));
  if (port > 65535) return Status::InvalidArgument("--port must be below 65536");
  http.port = static_cast<std::uint16_t>(port);
  const long cores = std::max(1u, std::thread::hardware_concurrency());
  STELA_ASSIGN_OR_RETURN(long workers, Number(flags, "workers", cores));
  STELA_ASSIGN_OR_RETURN(long io_threads, Number(flags, "io-threads", 1));
  STELA_ASSIGN_OR_RETURN(long max_queue, Number(flags, "max-queue", 1000));
  STELA_ASSIGN_OR_RETURN(long max_body, Number(flags, "max-body", 100l << 20));
  STELA_ASSIGN_OR_RETURN(long write_workers, Number(flags, "write-workers", cores));
  STELA_ASSIGN_OR_RETURN(long write_nice, Number(flags, "write-nice", 5));
  if (write_nice > 19) return Status::InvalidArgument("--write-nice must be 0..19");
  http.write_nice = static_cast<int>(write_nice);
  http.workers = static_cast<int>(std::max(1l, workers));
  http.write_workers = static_cast<int>(write_workers);
  http.is_write = &RestHandler::IsWrite;
  http.io_threads = static_cast<int>(std::max(1l, io_threads));
  http.max_queue = static_cast<std::size_t>(std::max(1l, max_queue));
  http.max_body_bytes = static_cast<std::size_t>(max_body);

  RestOptions rest;
  rest.limits.max_body_bytes = http.max_body_bytes;
  if (auto t = flags.Get("search-timeout")) {
    auto ms = ParseTimeValue(*t);
    if (!ms.ok()) return Status::InvalidArgument("--search-timeout: " + std::string(ms.status().message()));
    rest.default_search_timeout_ms = *ms;
  }
  RestHandler handler(*node, rest);
  http.error = [&handler](int status, const std::string& type, const std::string& reason) {
    HttpResponse r = handler.Error(status, type, reason);
    r.headers.emplace_back("X-elastic-product", "Elasticsearch");
    return r;
  };
  STELA_ASSIGN_OR_RETURN(auto server, HttpServer::Start(http, [&handler](const HttpRequest& r) {
                           return handler.Handle(r);
                         }));
  std::unique_ptr<GrpcServer> grpc;
  const std::string grpc_flag = flags.Get("grpc-port").value_or("9300");
  if (grpc_flag != "off") {
    STELA_ASSIGN_OR_RETURN(long grpc_port, Number(flags, "grpc-port", 9300));
    if (grpc_port > 65535) return Status::InvalidArgument("--grpc-port must be below 65536");
    STELA_ASSIGN_OR_RETURN(grpc, GrpcServer::Start(http.host, static_cast<std::uint16_t>(grpc_port),
                                                   handler));
  }
  std::fprintf(stderr, "stela: node [%s] serving http://%s:%u%s (data in %s)\n",
               node_options.name.c_str(), http.host.c_str(), server->port(),
               grpc ? (", gRPC on port " + std::to_string(grpc->port())).c_str() : "",
               node_options.data_dir.c_str());
  if (auto path = flags.Get("port-file")) {
    std::ofstream out(*path + ".tmp");
    out << server->port() << "\n";
    if (grpc) out << grpc->port() << "\n";
    out.close();
    std::rename((*path + ".tmp").c_str(), path->c_str());
  }
  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "stela: %s received, shutting down\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server->Stop();
  if (grpc) grpc->Stop();
  grpc.reset();
  server.reset();
  Status s = node->FlushAll();
  node.reset();
  std::fprintf(stderr, "stela: stopped\n");
  return s;
}

}  // namespace stela::api
