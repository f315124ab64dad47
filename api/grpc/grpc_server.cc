#include "api/grpc/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <simdjson.h>

#include <chrono>

#include "api/proto/stela/v1/stela.grpc.pb.h"
#include "api/rest/json_writer.h"

namespace stela::api {

namespace {

namespace pb = ::stela::v1;

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '*' || c == ',') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The one mapping from the REST layer's answers to gRPC status codes.
grpc::Status ToGrpc(const HttpResponse& r) {
  if (r.status < 300) return grpc::Status::OK;
  std::string type = "exception", reason = r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (!parser.parse(r.body).get(root)) {
    std::string_view s;
    if (!root["error"]["type"].get_string().get(s)) type = std::string(s);
    if (!root["error"]["reason"].get_string().get(s)) reason = std::string(s);
  }
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  if (r.status == 404) code = grpc::StatusCode::NOT_FOUND;
  else if (r.status == 409) code = grpc::StatusCode::ABORTED;
  else if (type == "resource_already_exists_exception") code = grpc::StatusCode::ALREADY_EXISTS;
  else if (r.status == 429 || r.status == 413) code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  else if (r.status >= 400 && r.status < 500) code = grpc::StatusCode::INVALID_ARGUMENT;
  else if (r.status == 503) code = grpc::StatusCode::UNAVAILABLE;
  return grpc::Status(code, type + ": " + reason);
}

std::string RefreshParam(pb::Refresh r) {
  switch (r) {
    case pb::REFRESH_IMMEDIATE: return "true";
    case pb::REFRESH_WAIT_FOR: return "wait_for";
    default: return "";
  }
}

void ConditionParams(const pb::Conditions& c, std::map<std::string, std::string>* params) {
  if (c.has_if_seq_no()) (*params)["if_seq_no"] = std::to_string(c.if_seq_no());
  if (c.has_if_primary_term()) (*params)["if_primary_term"] = std::to_string(c.if_primary_term());
  if (c.has_external_version()) {
    (*params)["version"] = std::to_string(c.external_version());
    (*params)["version_type"] = "external";
  }
}

std::uint64_t U64(simdjson::dom::element e, const char* key) {
  std::uint64_t v = 0;
  if (e[key].get_uint64().get(v)) return 0;
  return v;
}
std::string Str(simdjson::dom::element e, const char* key) {
  std::string_view s;
  if (e[key].get_string().get(s)) return "";
  return std::string(s);
}

void FillWrite(simdjson::dom::element e, pb::WriteResult* out) {
  out->set_index(Str(e, "_index"));
  out->set_id(Str(e, "_id"));
  out->set_version(U64(e, "_version"));
  out->set_seq_no(U64(e, "_seq_no"));
  out->set_primary_term(U64(e, "_primary_term"));
  out->set_result(Str(e, "result"));
}

class Service final : public pb::Stela::Service {
 public:
  explicit Service(RestHandler& rest) : rest_(rest) {}

  grpc::Status Health(grpc::ServerContext*, const pb::HealthRequest*,
                      pb::HealthResponse* out) override {
    HttpResponse r = Call("GET", "/_cluster/health", {}, "");
    if (r.status >= 300) return ToGrpc(r);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(r.body).get(e)) return grpc::Status(grpc::StatusCode::INTERNAL, "bad health");
    out->set_status(Str(e, "status"));
    out->set_number_of_indices(static_cast<std::int32_t>(U64(e, "active_primary_shards")));
    HttpResponse info = Call("GET", "/", {}, "");
    simdjson::dom::element ie;
    std::string_view v;
    if (!p.parse(info.body).get(ie) && !ie["version"]["number"].get_string().get(v)) {
      out->set_version(std::string(v));
    }
    return grpc::Status::OK;
  }

  grpc::Status CreateIndex(grpc::ServerContext*, const pb::CreateIndexRequest* in,
                           pb::CreateIndexResponse* out) override {
    HttpResponse r = Call("PUT", "/" + UrlEncode(in->index()), {}, in->body_json());
    if (r.status >= 300) return ToGrpc(r);
    out->set_acknowledged(true);
    return grpc::Status::OK;
  }

  grpc::Status DeleteIndex(grpc::ServerContext*, const pb::DeleteIndexRequest* in,
                           pb::DeleteIndexResponse* out) override {
    HttpResponse r = Call("DELETE", "/" + UrlEncode(in->index()), {}, "");
    if (r.status >= 300) return ToGrpc(r);
    out->set_acknowledged(true);
    return grpc::Status::OK;
  }

  grpc::Status Refresh(grpc::ServerContext*, const pb::RefreshRequest* in,
                       pb::RefreshResponse*) override {
    return ToGrpc(Call("POST", "/" + UrlEncode(in->index()) + "/_refresh", {}, ""));
  }

  grpc::Status IndexDocument(grpc::ServerContext*, const pb::IndexDocumentRequest* in,
                             pb::WriteResult* out) override {
    std::map<std::string, std::string> params;
    ConditionParams(in->conditions(), &params);
    if (const std::string r = RefreshParam(in->refresh()); !r.empty()) params["refresh"] = r;
    std::string path = "/" + UrlEncode(in->index());
    if (in->id().empty()) {
      path += "/_doc";
    } else {
      path += (in->create_only() ? "/_create/" : "/_doc/") + UrlEncode(in->id());
    }
    return WriteCall(in->id().empty() ? "POST" : "PUT", path, params, in->source_json(), out);
  }

  grpc::Status GetDocument(grpc::ServerContext*, const pb::GetDocumentRequest* in,
                           pb::Document* out) override {
    HttpResponse r =
        Call("GET", "/" + UrlEncode(in->index()) + "/_doc/" + UrlEncode(in->id()), {}, "");
    if (r.status == 404 && r.body.find("\"found\":false") != std::string::npos) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "document [" + in->id() + "] not found in [" + in->index() + "]");
    }
    if (r.status >= 300) return ToGrpc(r);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(r.body).get(e)) return grpc::Status(grpc::StatusCode::INTERNAL, "bad get");
    out->set_index(Str(e, "_index"));
    out->set_id(Str(e, "_id"));
    out->set_version(U64(e, "_version"));
    out->set_seq_no(U64(e, "_seq_no"));
    out->set_primary_term(U64(e, "_primary_term"));
    simdjson::dom::element src;
    if (!e["_source"].get(src)) out->set_source_json(simdjson::minify(src));
    return grpc::Status::OK;
  }

  grpc::Status DeleteDocument(grpc::ServerContext*, const pb::DeleteDocumentRequest* in,
                              pb::WriteResult* out) override {
    std::map<std::string, std::string> params;
    ConditionParams(in->conditions(), &params);
    if (const std::string r = RefreshParam(in->refresh()); !r.empty()) params["refresh"] = r;
    return WriteCall("DELETE", "/" + UrlEncode(in->index()) + "/_doc/" + UrlEncode(in->id()),
                     params, "", out);
  }

  grpc::Status Bulk(grpc::ServerContext*, grpc::ServerReader<pb::BulkItem>* reader,
                    pb::BulkResponse* out) override {
    const auto start = std::chrono::steady_clock::now();
    std::string ndjson;
    std::size_t pending = 0;
    pb::BulkItem item;
    auto flush = [&]() -> grpc::Status {
      if (pending == 0) return grpc::Status::OK;
      HttpResponse r = Call("POST", "/_bulk", {}, ndjson);
      ndjson.clear();
      pending = 0;
      if (r.status >= 300) return ToGrpc(r);
      simdjson::dom::parser p;
      simdjson::dom::element e;
      simdjson::dom::array items;
      if (p.parse(r.body).get(e) || e["items"].get_array().get(items)) {
        return grpc::Status(grpc::StatusCode::INTERNAL, "malformed bulk answer");
      }
      for (simdjson::dom::element it : items) {
        simdjson::dom::object o;
        if (it.get_object().get(o) || o.size() != 1) continue;
        simdjson::dom::element v = (*o.begin()).value;
        pb::BulkItemResult* res = out->add_items();
        res->set_status(static_cast<std::int32_t>(U64(v, "status")));
        res->set_index(Str(v, "_index"));
        res->set_id(Str(v, "_id"));
        res->set_result(Str(v, "result"));
        res->set_version(U64(v, "_version"));
        res->set_seq_no(U64(v, "_seq_no"));
        simdjson::dom::element err;
        if (!v["error"].get(err)) {
          out->set_errors(true);
          res->set_error_type(Str(err, "type"));
          res->set_error_reason(Str(err, "reason"));
        }
      }
      return grpc::Status::OK;
    };
    while (reader->Read(&item)) {
      static const char* kActions[] = {"index", "create", "update", "delete"};
      JsonWriter meta;
      meta.BeginObject().Key(kActions[item.action() & 3]).BeginObject();
      meta.Key("_index").String(item.index());
      if (!item.id().empty()) meta.Key("_id").String(item.id());
      const pb::Conditions& c = item.conditions();
      if (c.has_if_seq_no()) meta.Key("if_seq_no").Uint(c.if_seq_no());
      if (c.has_if_primary_term()) meta.Key("if_primary_term").Uint(c.if_primary_term());
      if (c.has_external_version()) {
        meta.Key("version").Uint(c.external_version()).Key("version_type").String("external");
      }
      meta.EndObject().EndObject();
      ndjson += meta.str() + "\n";
      if (item.action() == pb::BulkItem::UPDATE) {
        ndjson += "{\"doc\":" + (item.document_json().empty() ? std::string("{}") : item.document_json()) +
                  (item.doc_as_upsert() ? ",\"doc_as_upsert\":true}" : "}") + "\n";
      } else if (item.action() != pb::BulkItem::DELETE) {
        // One line per document: newlines inside JSON strings are escaped, others are spaces.
        std::string doc = item.document_json();
        for (char& ch : doc) {
          if (ch == '\n' || ch == '\r') ch = ' ';
        }
        ndjson += doc + "\n";
      }
      if (++pending >= 1000) {
        grpc::Status s = flush();
        if (!s.ok()) return s;
      }
    }
    grpc::Status s = flush();
    if (!s.ok()) return s;
    out->set_took_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count());
    return grpc::Status::OK;
  }

  grpc::Status Search(grpc::ServerContext* ctx, const pb::SearchRequest* in,
                      pb::SearchResponse* out) override {
    const std::string index = in->index().empty() ? "_all" : in->index();
    std::map<std::string, std::string> params;
    // A client deadline becomes the search's timeout, less a margin for the answer to travel:
    // the client gets the hits found so far instead of DEADLINE_EXCEEDED.
    const auto left = ctx->deadline() - std::chrono::system_clock::now();
    if (left < std::chrono::hours(24 * 365)) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
      params["timeout"] = std::to_string(std::max<std::int64_t>(0, ms - ms / 10 - 1)) + "ms";
    }
    HttpResponse r = Call("POST", "/" + UrlEncode(index) + "/_search", params, in->body_json());
    if (r.status >= 300) return ToGrpc(r);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(r.body).get(e)) return grpc::Status(grpc::StatusCode::INTERNAL, "bad search");
    std::int64_t took = 0;
    if (!e["took"].get_int64().get(took)) out->set_took_ms(took);
    bool timed_out = false;
    if (!e["timed_out"].get_bool().get(timed_out)) out->set_timed_out(timed_out);
    simdjson::dom::element hits = e["hits"];
    out->set_total(U64(hits["total"], "value"));
    out->set_total_is_lower_bound(Str(hits["total"], "relation") == "gte");
    double max_score = 0;
    if (!hits["max_score"].get_double().get(max_score)) {
      out->set_max_score(static_cast<float>(max_score));
    }
    simdjson::dom::array list;
    if (!hits["hits"].get_array().get(list)) {
      for (simdjson::dom::element h : list) {
        pb::Hit* hit = out->add_hits();
        hit->set_index(Str(h, "_index"));
        hit->set_id(Str(h, "_id"));
        double score = 0;
        if (!h["_score"].get_double().get(score)) hit->set_score(static_cast<float>(score));
        simdjson::dom::element v;
        if (!h["_source"].get(v)) hit->set_source_json(simdjson::minify(v));
        if (!h["sort"].get(v)) hit->set_sort_json(simdjson::minify(v));
        simdjson::dom::object hl;
        if (!h["highlight"].get_object().get(hl)) {
          for (auto kv : hl) {
            pb::Fragments& f = (*hit->mutable_highlight())[std::string(kv.key)];
            simdjson::dom::array frags;
            if (kv.value.get_array().get(frags)) continue;
            for (simdjson::dom::element frag : frags) {
              std::string_view s;
              if (!frag.get_string().get(s)) f.add_fragments(std::string(s));
            }
          }
        }
      }
    }
    simdjson::dom::element aggs;
    if (!e["aggregations"].get(aggs)) out->set_aggregations_json(simdjson::minify(aggs));
    return grpc::Status::OK;
  }

 private:
  HttpResponse Call(const std::string& method, const std::string& path,
                    std::map<std::string, std::string> params, const std::string& body) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.params = std::move(params);
    req.body = body;
    if (!body.empty()) req.headers["content-type"] = "application/json";
    return rest_.Handle(req);
  }

  grpc::Status WriteCall(const std::string& method, const std::string& path,
                         std::map<std::string, std::string> params, const std::string& body,
                         pb::WriteResult* out) {
    HttpResponse r = Call(method, path, std::move(params), body);
    const bool delete_missing = method == "DELETE" && r.status == 404 &&
                                r.body.find("\"result\":\"not_found\"") != std::string::npos;
    if (r.status >= 300 && !delete_missing) return ToGrpc(r);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(r.body).get(e)) return grpc::Status(grpc::StatusCode::INTERNAL, "bad answer");
    FillWrite(e, out);
    return grpc::Status::OK;
  }

  RestHandler& rest_;
};

class Server final : public GrpcServer {
 public:
  explicit Server(RestHandler& rest) : service_(rest) {}
  ~Server() override { Stop(); }

  Status Listen(const std::string& host, std::uint16_t port) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int selected = 0;
    builder.AddListeningPort(host + ":" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &selected);
    builder.RegisterService(&service_);
    builder.SetMaxReceiveMessageSize(100 << 20);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || selected == 0) {
      return Status::IOError("cannot listen for gRPC on " + host + ":" + std::to_string(port));
    }
    port_ = static_cast<std::uint16_t>(selected);
    return Status::OK();
  }
  std::uint16_t port() const override { return port_; }
  void Stop() override {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
    server_->Wait();
    server_.reset();
  }

 private:
  Service service_;
  std::unique_ptr<grpc::Server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const std::string& host,
                                                        std::uint16_t port, RestHandler& rest) {
  auto s = std::make_unique<Server>(rest);
  STELA_RETURN_IF_ERROR(s->Listen(host, port));
  return std::unique_ptr<GrpcServer>(std::move(s));
}

}  // namespace stela::api
