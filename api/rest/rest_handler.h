// RestHandler: the Elasticsearch REST API over a Node — routing, request parsing, responses in
// Elasticsearch's shapes (and error bodies), content-type negotiation for the official clients
// (compatible-with=7|8|9), and Prometheus metrics. Thread-safe; runs on the worker pool.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/rest/node.h"
#include "api/server/http_server.h"
#include "stela/engine/search.h"

namespace stela::api {

class JsonWriter;

struct RestOptions {
  engine::SearchLimits limits;
  std::string version_number = "8.17.0";  // reported by GET /
  std::string listen_address = "127.0.0.1:9200";
  // Applies to searches that give no timeout (search.default_search_timeout); -1: none.
  std::int64_t default_search_timeout_ms = -1;
};

class RestHandler {
 public:
  RestHandler(Node& node, RestOptions options);
  HttpResponse Handle(const HttpRequest& req);
  // Whether a request writes documents (_bulk, _doc/_create/_update writes, by-query writes):
  // the HTTP server runs those on its write pool.
  static bool IsWrite(const HttpRequest& req);
  // An Elasticsearch error body.
  HttpResponse Error(int status, const std::string& type, const std::string& reason) const;
  // An engine Status ("type: reason" messages) as Elasticsearch's error parts.
  struct ErrorParts {
    int status;
    std::string type, reason;
  };
  static ErrorParts Describe(const Status& s);
  // Maps an engine Status to the error response.
  HttpResponse ErrorFrom(const Status& s) const;

 private:
  struct Call;  // one request being answered

  HttpResponse Route(Call& c);
  HttpResponse Info(Call& c);
  // indices
  HttpResponse CreateIndex(Call& c, const std::string& index);
  HttpResponse DeleteIndex(Call& c, const std::string& index);
  HttpResponse GetIndex(Call& c, const std::string& index, bool head);
  HttpResponse Mapping(Call& c, const std::string& index);
  HttpResponse Settings(Call& c, const std::string& index);
  HttpResponse Refresh(Call& c, const std::string& index, bool flush);
  HttpResponse ForceMerge(Call& c, const std::string& index);
  HttpResponse Aliases(Call& c);
  HttpResponse IndexAlias(Call& c, const std::string& index, const std::string& alias);
  HttpResponse GetAliases(Call& c, const std::string& index, const std::string& alias);
  // documents
  HttpResponse IndexDoc(Call& c, const std::string& index, const std::string& id, bool create);
  HttpResponse GetDoc(Call& c, const std::string& index, const std::string& id, bool source_only,
                      bool head);
  HttpResponse DeleteDoc(Call& c, const std::string& index, const std::string& id);
  HttpResponse UpdateDoc(Call& c, const std::string& index, const std::string& id);
  HttpResponse Bulk(Call& c, const std::string& index);
  HttpResponse Mget(Call& c, const std::string& index);
  // The answer to a single-document write: applies the `refresh` parameter, then Elasticsearch's
  // write result body with `status`.
  HttpResponse WriteAnswer(Call& c, IndexHandle& h, const std::string& id,
                           const engine::WriteResult& r, const std::string& result, int status);
  // search
  HttpResponse SearchCall(Call& c, const std::string& index);
  HttpResponse Scroll(Call& c, const std::string& scroll_id);
  HttpResponse ClearScroll(Call& c, const std::string& scroll_id);
  HttpResponse OpenPit(Call& c, const std::string& index);
  HttpResponse ClosePit(Call& c);
  HttpResponse Msearch(Call& c, const std::string& index);
  HttpResponse CountCall(Call& c, const std::string& index);
  HttpResponse ByQuery(Call& c, const std::string& index, bool update);
  HttpResponse Analyze(Call& c, const std::string& index);
  // cluster
  HttpResponse Health(Call& c, const std::string& index);
  HttpResponse CatIndices(Call& c, const std::string& index);
  HttpResponse CatHealth(Call& c);
  HttpResponse Nodes(Call& c);
  HttpResponse Stats(Call& c, const std::string& index);
  HttpResponse Metrics(Call& c);

  // Runs one search body on `indices` (the URI parameters applied), rendering the response.
  StatusOr<std::string> RunSearch(Call& c, const std::vector<std::string>& indices,
                                  std::string_view body, bool uri_params, int* status);

  Node& node_;
  RestOptions options_;
  std::atomic<std::uint64_t> searches_{0}, search_micros_{0}, index_ops_{0}, bulk_items_{0},
      get_ops_{0}, delete_ops_{0};
  mutable std::mutex metrics_mu_;
  std::map<std::string, std::uint64_t> responses_;  // "GET 200" -> count; GUARDED_BY(metrics_mu_)
};

}  // namespace stela::api
