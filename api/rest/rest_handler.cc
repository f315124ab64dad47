// Routing, errors, index administration, cluster endpoints and metrics.
#include "api/rest/rest_handler.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <thread>

#include "api/rest/json_filter.h"
#include "api/rest/rest_call.h"

namespace stela::api {

namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(UrlDecode(path.substr(start, slash - start), false));
    start = slash + 1;
  }
  return out;
}

// "compatible-with=8" in Accept or Content-Type: the clients' vendor media type, echoed back.
std::string ResponseContentType(const HttpRequest& req) {
  for (const char* h : {"accept", "content-type"}) {
    const std::string v = req.Header(h);
    const std::size_t at = v.find("compatible-with=");
    if (v.find("vnd.elasticsearch") != std::string::npos && at != std::string::npos) {
      std::string n;
      for (std::size_t i = at + 16; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])); ++i) {
        n.push_back(v[i]);
      }
      if (!n.empty()) return "application/vnd.elasticsearch+json;compatible-with=" + n;
    }
  }
  return "application/json; charset=UTF-8";
}

bool AcceptableBodyType(const std::string& ct) {
  if (ct.empty()) return true;
  std::string lower = ct;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("json") != std::string::npos || lower.find("ndjson") != std::string::npos ||
         lower.find("x-www-form-urlencoded") != std::string::npos;
}

int StatusForType(const std::string& type, Status::Code code) {
  if (type == "index_not_found_exception" || type == "resource_not_found_exception" ||
      type == "document_missing_exception" || type == "aliases_not_found_exception" ||
      type == "search_context_missing_exception") {
    return 404;
  }
  if (type == "version_conflict_engine_exception") return 409;
  if (type == "es_rejected_execution_exception") return 429;
  switch (code) {
    case Status::Code::kNotFound: return 404;
    case Status::Code::kAborted: return 409;
    case Status::Code::kInvalidArgument:
    case Status::Code::kResourceExhausted:
    case Status::Code::kNotSupported: return 400;
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::string DefaultType(Status::Code code) {
  switch (code) {
    case Status::Code::kNotFound: return "resource_not_found_exception";
    case Status::Code::kAborted: return "version_conflict_engine_exception";
    case Status::Code::kInvalidArgument: return "illegal_argument_exception";
    case Status::Code::kResourceExhausted: return "circuit_breaking_exception";
    case Status::Code::kNotSupported: return "illegal_argument_exception";
    case Status::Code::kUnavailable: return "unavailable_shards_exception";
    case Status::Code::kDeadlineExceeded: return "timeout_exception";
    default: return "exception";
  }
}

}  // namespace

RestHandler::RestHandler(Node& node, RestOptions options)
    : node_(node), options_(std::move(options)) {}

HttpResponse RestHandler::Error(int status, const std::string& type,
                                const std::string& reason) const {
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject();
  w.Key("root_cause").BeginArray().BeginObject();
  w.Key("type").String(type).Key("reason").String(reason);
  w.EndObject().EndArray();
  w.Key("type").String(type).Key("reason").String(reason);
  const std::size_t idx = reason.find("no such index [");
  if (type == "index_not_found_exception" && idx != std::string::npos) {
    const std::string name = reason.substr(idx + 15, reason.find(']', idx + 15) - idx - 15);
    w.Key("resource.type").String("index_or_alias").Key("resource.id").String(name);
    w.Key("index_uuid").String("_na_").Key("index").String(name);
  }
  w.EndObject();
  w.Key("status").Int(status);
  w.EndObject();
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json; charset=UTF-8";
  r.body = w.Take();
  return r;
}

RestHandler::ErrorParts RestHandler::Describe(const Status& s) {
  const std::string msg(s.message());
  std::string type, reason = msg;
  const std::size_t colon = msg.find(": ");
  if (colon != std::string::npos && colon > 0 && colon < 64) {
    const std::string head = msg.substr(0, colon);
    const bool snake = std::all_of(head.begin(), head.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_';
    });
    if (snake && (head.find("exception") != std::string::npos || head.rfind("too_many", 0) == 0)) {
      type = head;
      reason = msg.substr(colon + 2);
    }
  }
  if (type.empty()) type = DefaultType(s.code());
  return {StatusForType(type, s.code()), type, reason};
}

HttpResponse RestHandler::ErrorFrom(const Status& s) const {
  const ErrorParts e = Describe(s);
  return Error(e.status, e.type, e.reason);
}

HttpResponse RestHandler::Handle(const HttpRequest& req) {
  Call c{req, SplitPath(req.path), ResponseContentType(req)};
  HttpResponse r;
  try {
    if (!req.body.empty() && !AcceptableBodyType(req.Header("content-type"))) {
      r = Error(406, "media_type_header_exception",
                "Content-Type header [" + req.Header("content-type") + "] is not supported");
    } else {
      r = Route(c);
    }
  } catch (const std::exception& e) {
    r = Error(500, "exception", std::string("internal error: ") + e.what());
  }
  const bool json = r.content_type.find("json") != std::string::npos && !r.body.empty();
  if (json && c.Has("filter_path")) {
    auto filtered = FilterPath(r.body, c.Param("filter_path"));
    if (filtered.ok()) r.body = std::move(filtered).value();
  }
  if (json && c.Flag("pretty")) r.body = PrettyJson(r.body);
  if (r.content_type.rfind("application/json", 0) == 0 && r.content_type != c.content_type &&
      c.content_type.find("vnd.elasticsearch") != std::string::npos) {
    r.content_type = c.content_type;
  }
  r.headers.emplace_back("X-elastic-product", "Elasticsearch");
  {
    std::lock_guard lock(metrics_mu_);
    ++responses_[req.method + " " + std::to_string(r.status)];
  }
  return r;
}

HttpResponse RestHandler::Route(Call& c) {
  const auto& s = c.segments;
  const std::string& m = c.req.method;
  const bool get = m == "GET", head = m == "HEAD", put = m == "PUT", post = m == "POST",
             del = m == "DELETE";
  const std::size_t n = s.size();
  auto not_allowed = [&] {
    return Error(405, "illegal_argument_exception",
                 "Incorrect HTTP method for uri [" + c.req.path + "] and method [" + m +
                     "], allowed: [GET, POST, PUT, DELETE, HEAD]");
  };
  if (n == 0) {
    if (get || head) return Info(c);
    return not_allowed();
  }
  const std::string& a = s[0];
  if (a[0] == '_') {
    if (a == "_bulk" && n == 1) return post || put ? Bulk(c, "") : not_allowed();
    if (a == "_search" && n == 1) return get || post ? SearchCall(c, "_all") : not_allowed();
    if (a == "_search" && n == 2 && s[1] == "point_in_time") {
      return del ? ClosePit(c) : not_allowed();  // OpenSearch's spelling
    }
    if (a == "_search" && n >= 2 && s[1] == "scroll") {
      const std::string id = n >= 3 ? s[2] : "";
      if (del) return ClearScroll(c, id);
      return get || post ? Scroll(c, id) : not_allowed();
    }
    if (a == "_msearch" && n == 1) return get || post ? Msearch(c, "") : not_allowed();
    if (a == "_count" && n == 1) return get || post ? CountCall(c, "_all") : not_allowed();
    if (a == "_mget" && n == 1) return get || post ? Mget(c, "") : not_allowed();
    if (a == "_pit" && n == 1) return del ? ClosePit(c) : not_allowed();
    if (a == "_analyze" && n == 1) return get || post ? Analyze(c, "") : not_allowed();
    if (a == "_refresh" && n == 1) return Refresh(c, "_all", false);
    if (a == "_flush" && n == 1) return Refresh(c, "_all", true);
    if (a == "_forcemerge" && n == 1) return ForceMerge(c, "_all");
    if (a == "_mapping" && n == 1) return Mapping(c, "_all");
    if (a == "_settings" && n == 1) return Settings(c, "_all");
    if (a == "_aliases" && n == 1) return post ? Aliases(c) : GetAliases(c, "_all", "");
    if (a == "_alias" && n == 2) return GetAliases(c, "_all", s[1]);
    if (a == "_alias" && n == 1) return GetAliases(c, "_all", "");
    if (a == "_stats" && n == 1) return Stats(c, "_all");
    if (a == "_cluster" && n >= 2 && s[1] == "health") return Health(c, n >= 3 ? s[2] : "");
    if (a == "_cluster" && n == 2 && s[1] == "settings") {
      return c.Json(200, R"({"persistent":{},"transient":{}})");
    }
    if (a == "_cat" && n >= 2 && s[1] == "indices") return CatIndices(c, n >= 3 ? s[2] : "_all");
    if (a == "_cat" && n == 2 && s[1] == "health") return CatHealth(c);
    if (a == "_nodes") return Nodes(c);
    if (a == "_prometheus" && n == 2 && s[1] == "metrics") return Metrics(c);
    static const char* kEmptyNamespaces[] = {
        "_template", "_index_template", "_component_template", "_data_stream", "_ilm", "_slm",
        "_snapshot", "_ingest", "_tasks", "_security", "_transform", "_ml", "_watcher",
        "_enrich", "_rollup", "_autoscaling", "_ccr", "_searchable_snapshots"};
    for (const char* ns : kEmptyNamespaces) {
      if (a != ns) continue;
      // Stela has none of these objects: listings are empty, deletes have nothing to do, and
      // creating one is refused.
      if (get || head) return c.Json(head ? 404 : 200, head ? "" : "{}");
      if (del) return c.Json(200, R"({"acknowledged":true})");
      return Error(400, "illegal_argument_exception",
                   "[" + a + "] is not supported by Stela");
    }
    if (a == "_cat" && n == 2 && s[1] == "count") {
      std::uint64_t total = 0;
      for (const auto& h : node_.All()) total += h->index->Stats().docs;
      if (c.Param("format") == "json") {
        return c.Json(200, "[{\"count\":\"" + std::to_string(total) + "\"}]");
      }
      HttpResponse r;
      r.content_type = "text/plain; charset=UTF-8";
      r.body = std::to_string(std::time(nullptr)) + " 00:00:00 " + std::to_string(total) + "\n";
      return r;
    }
    if (a == "_all" && n >= 2) {
      // "_all/_search" and friends: fall through with the index expression "_all".
    } else {
      return Error(400, "illegal_argument_exception",
                   "request [" + m + " " + c.req.path + "] is not supported");
    }
  }
  const std::string& index = a;
  if (n == 1) {
    if (put) return CreateIndex(c, index);
    if (del) return DeleteIndex(c, index);
    if (get || head) return GetIndex(c, index, head);
    if (post) return CreateIndex(c, index);
    return not_allowed();
  }
  const std::string& op = s[1];
  if (n == 2) {
    if (op == "_doc") return post ? IndexDoc(c, index, "", false) : not_allowed();
    if (op == "_search") return get || post ? SearchCall(c, index) : not_allowed();
    if (op == "_count") return get || post ? CountCall(c, index) : not_allowed();
    if (op == "_bulk") return post || put ? Bulk(c, index) : not_allowed();
    if (op == "_mget") return get || post ? Mget(c, index) : not_allowed();
    if (op == "_msearch") return get || post ? Msearch(c, index) : not_allowed();
    if (op == "_refresh") return Refresh(c, index, false);
    if (op == "_flush") return Refresh(c, index, true);
    if (op == "_forcemerge") return ForceMerge(c, index);
    if (op == "_mapping" || op == "_mappings") return Mapping(c, index);
    if (op == "_settings") return Settings(c, index);
    if (op == "_pit") return post ? OpenPit(c, index) : not_allowed();
    if (op == "_analyze") return get || post ? Analyze(c, index) : not_allowed();
    if (op == "_delete_by_query") return post ? ByQuery(c, index, false) : not_allowed();
    if (op == "_update_by_query") return post ? ByQuery(c, index, true) : not_allowed();
    if (op == "_alias" || op == "_aliases") return GetAliases(c, index, "");
    if (op == "_stats") return Stats(c, index);
  }
  if (n == 3 && op == "_search" && s[2] == "point_in_time") {
    return post ? OpenPit(c, index) : not_allowed();  // OpenSearch's spelling
  }
  if (n == 3) {
    const std::string& id = s[2];
    if (op == "_doc") {
      if (put || post) return IndexDoc(c, index, id, false);
      if (get || head) return GetDoc(c, index, id, false, head);
      if (del) return DeleteDoc(c, index, id);
      return not_allowed();
    }
    if (op == "_create") return put || post ? IndexDoc(c, index, id, true) : not_allowed();
    if (op == "_update") return post ? UpdateDoc(c, index, id) : not_allowed();
    if (op == "_source") return get || head ? GetDoc(c, index, id, true, head) : not_allowed();
    if (op == "_alias" || op == "_aliases") {
      if (get || head) return GetAliases(c, index, id);
      return IndexAlias(c, index, id);
    }
    if (op == "_mapping" && (put || post)) return Mapping(c, index);
    if (op == "_settings") return Settings(c, index);
  }
  return Error(400, "illegal_argument_exception",
               "request [" + m + " " + c.req.path + "] is not supported");
}

HttpResponse RestHandler::Info(Call& c) {
  JsonWriter w;
  w.BeginObject();
  w.Key("name").String(node_.options().name);
  w.Key("cluster_name").String(node_.options().cluster_name);
  w.Key("cluster_uuid").String(node_.cluster_uuid());
  w.Key("version").BeginObject();
  w.Key("number").String(options_.version_number);
  w.Key("build_flavor").String("default");
  w.Key("build_type").String("tar");
  w.Key("build_hash").String("stela");
  w.Key("build_date").String("2026-11-01T00:00:00.000Z");
  w.Key("build_snapshot").Bool(false);
  w.Key("lucene_version").String("9.12.0");
  w.Key("minimum_wire_compatibility_version").String("7.17.0");
  w.Key("minimum_index_compatibility_version").String("7.0.0");
  w.EndObject();
  w.Key("tagline").String("You Know, for Search");
  w.EndObject();
  return c.Json(200, w.Take());
}

// --- indices --------------------------------------------------------------------------------

namespace {

std::string PublicMappings(const std::string& internal) {
  const std::size_t cut = internal.find(",\"_stela_ids\"");
  if (cut == std::string::npos) return internal;
  return internal.substr(0, cut) + "}";
}

void WriteIndexSettings(const IndexHandle& h, JsonWriter* w) {
  w->BeginObject().Key("index").BeginObject();
  w->Key("number_of_shards").String(std::to_string(h.settings.number_of_shards));
  w->Key("number_of_replicas").String(std::to_string(h.settings.number_of_replicas));
  w->Key("refresh_interval").String(h.settings.refresh_interval);
  w->Key("max_result_window").String(std::to_string(h.settings.max_result_window));
  w->Key("translog").BeginObject().Key("durability").String(h.settings.durability).EndObject();
  w->Key("uuid").String(h.uuid);
  w->Key("provided_name").String(h.name);
  w->Key("creation_date").String(std::to_string(h.creation_date));
  w->Key("version").BeginObject().Key("created").String("8170099").EndObject();
  for (const auto& [k, v] : h.settings.other) w->Key(k).String(v);
  w->EndObject().EndObject();
}

}  // namespace

HttpResponse RestHandler::CreateIndex(Call& c, const std::string& index) {
  Status s = node_.CreateIndex(index, c.req.body);
  if (!s.ok()) return ErrorFrom(s);
  JsonWriter w;
  w.BeginObject().Key("acknowledged").Bool(true).Key("shards_acknowledged").Bool(true);
  w.Key("index").String(index).EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::DeleteIndex(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  if (names->empty() && index.find('*') == std::string::npos && index != "_all") {
    return ErrorFrom(Status::NotFound("index_not_found_exception: no such index [" + index + "]"));
  }
  for (const std::string& name : *names) {
    Status s = node_.DeleteIndex(name);
    if (!s.ok()) return ErrorFrom(s);
  }
  return c.Json(200, R"({"acknowledged":true})");
}

HttpResponse RestHandler::GetIndex(Call& c, const std::string& index, bool head) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) {
    if (head) return c.Json(404, "");
    return ErrorFrom(names.status());
  }
  if (head) return c.Json(names->empty() ? 404 : 200, "");
  JsonWriter w;
  w.BeginObject();
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    w.Key(name).BeginObject();
    w.Key("aliases").BeginObject();
    for (const std::string& a : h->aliases) w.Key(a).BeginObject().EndObject();
    w.EndObject();
    w.Key("mappings").Raw(PublicMappings(h->index->MappingsJson()));
    w.Key("settings");
    WriteIndexSettings(*h, &w);
    w.EndObject();
  }
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Mapping(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  if (c.req.method == "PUT" || c.req.method == "POST") {
    for (const std::string& name : *names) {
      auto h = node_.Find(name);
      if (h == nullptr) continue;
      Status s = h->index->PutMappings(c.req.body);
      if (!s.ok()) return ErrorFrom(s);
    }
    return c.Json(200, R"({"acknowledged":true})");
  }
  JsonWriter w;
  w.BeginObject();
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    w.Key(name).BeginObject().Key("mappings").Raw(PublicMappings(h->index->MappingsJson()));
    w.EndObject();
  }
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Settings(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  if (c.req.method == "PUT" || c.req.method == "POST") {
    for (const std::string& name : *names) {
      Status s = node_.UpdateSettings(name, c.req.body);
      if (!s.ok()) return ErrorFrom(s);
    }
    return c.Json(200, R"({"acknowledged":true})");
  }
  JsonWriter w;
  w.BeginObject();
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    w.Key(name).BeginObject().Key("settings");
    WriteIndexSettings(*h, &w);
    w.EndObject();
  }
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Refresh(Call& c, const std::string& index, bool flush) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    Status s = flush ? h->index->Flush() : h->index->Refresh();
    if (!s.ok()) return ErrorFrom(s);
  }
  JsonWriter w;
  const int n = static_cast<int>(names->size());
  w.BeginObject().Key("_shards");
  WriteShards(&w, n, n);
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::ForceMerge(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  std::uint32_t max_segments = 1;
  if (c.Has("max_num_segments")) {
    max_segments = static_cast<std::uint32_t>(std::max(1, std::atoi(c.Param("max_num_segments").c_str())));
  }
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    Status s = h->index->Refresh();
    if (s.ok()) s = h->index->ForceMerge(max_segments);
    if (!s.ok()) return ErrorFrom(s);
  }
  JsonWriter w;
  const int n = static_cast<int>(names->size());
  w.BeginObject().Key("_shards");
  WriteShards(&w, n, n);
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Aliases(Call& c) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(c.req.body).get(root)) {
    return Error(400, "parse_exception", "request body is required and must be JSON");
  }
  simdjson::dom::array actions;
  if (root["actions"].get_array().get(actions)) {
    return Error(400, "action_request_validation_exception",
                 "Validation Failed: 1: no aliases to add or remove;");
  }
  for (simdjson::dom::element action : actions) {
    simdjson::dom::object obj;
    if (action.get_object().get(obj) || obj.size() != 1) {
      return Error(400, "parsing_exception", "each alias action must be an object with one key");
    }
    auto kv = *obj.begin();
    const std::string_view kind = kv.key;
    std::vector<std::string> indices, aliases;
    auto collect = [&](const char* one, const char* many, std::vector<std::string>* out) {
      std::string_view s;
      if (!kv.value[one].get_string().get(s)) out->emplace_back(s);
      simdjson::dom::array arr;
      if (!kv.value[many].get_array().get(arr)) {
        for (simdjson::dom::element e : arr) {
          if (!e.get_string().get(s)) out->emplace_back(s);
        }
      }
    };
    collect("index", "indices", &indices);
    collect("alias", "aliases", &aliases);
    for (const std::string& expr : indices) {
      auto names = node_.Resolve(expr);
      if (!names.ok()) return ErrorFrom(names.status());
      for (const std::string& name : *names) {
        Status s;
        if (kind == "add") s = node_.UpdateAliases(name, aliases, {});
        else if (kind == "remove") s = node_.UpdateAliases(name, {}, aliases);
        else if (kind == "remove_index") s = node_.DeleteIndex(name);
        else return Error(400, "parsing_exception", "unknown alias action [" + std::string(kind) + "]");
        if (!s.ok()) return ErrorFrom(s);
      }
    }
  }
  return c.Json(200, R"({"acknowledged":true,"errors":false})");
}

HttpResponse RestHandler::IndexAlias(Call& c, const std::string& index, const std::string& alias) {
  auto names = node_.Resolve(index);
  if (!names.ok()) return ErrorFrom(names.status());
  for (const std::string& name : *names) {
    Status s = c.req.method == "DELETE" ? node_.UpdateAliases(name, {}, {alias})
                                        : node_.UpdateAliases(name, {alias}, {});
    if (!s.ok()) return ErrorFrom(s);
  }
  return c.Json(200, R"({"acknowledged":true})");
}

HttpResponse RestHandler::GetAliases(Call& c, const std::string& index, const std::string& alias) {
  auto names = node_.Resolve(index, true);
  if (!names.ok()) return ErrorFrom(names.status());
  JsonWriter w;
  w.BeginObject();
  bool found = alias.empty();
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    std::vector<std::string> matching;
    for (const std::string& a : h->aliases) {
      if (alias.empty() || a == alias) matching.push_back(a);
    }
    if (!alias.empty() && matching.empty()) continue;
    found = found || !matching.empty();
    w.Key(name).BeginObject().Key("aliases").BeginObject();
    for (const std::string& a : matching) w.Key(a).BeginObject().EndObject();
    w.EndObject().EndObject();
  }
  w.EndObject();
  if (c.req.method == "HEAD") return c.Json(found ? 200 : 404, "");
  if (!found) {
    return Error(404, "aliases_not_found_exception", "alias [" + alias + "] missing");
  }
  return c.Json(200, w.Take());
}

// --- cluster --------------------------------------------------------------------------------

HttpResponse RestHandler::Health(Call& c, const std::string& index) {
  std::vector<std::shared_ptr<IndexHandle>> handles;
  if (!index.empty()) {
    auto names = node_.Resolve(index);
    if (!names.ok()) {
      JsonWriter w;
      w.BeginObject().Key("cluster_name").String(node_.options().cluster_name);
      w.Key("status").String("red").Key("timed_out").Bool(true).EndObject();
      return c.Json(408, w.Take());
    }
    for (const std::string& n : *names) {
      if (auto h = node_.Find(n)) handles.push_back(h);
    }
  } else {
    handles = node_.All();
  }
  int shards = 0;
  int unassigned = 0;
  for (const auto& h : handles) {
    shards += 1;
    unassigned += static_cast<int>(h->settings.number_of_replicas);
  }
  const std::string status = unassigned > 0 ? "yellow" : "green";
  JsonWriter w;
  w.BeginObject();
  w.Key("cluster_name").String(node_.options().cluster_name);
  w.Key("status").String(status);
  w.Key("timed_out").Bool(false);
  w.Key("number_of_nodes").Int(1);
  w.Key("number_of_data_nodes").Int(1);
  w.Key("active_primary_shards").Int(shards);
  w.Key("active_shards").Int(shards);
  w.Key("relocating_shards").Int(0);
  w.Key("initializing_shards").Int(0);
  w.Key("unassigned_shards").Int(unassigned);
  w.Key("unassigned_primary_shards").Int(0);
  w.Key("delayed_unassigned_shards").Int(0);
  w.Key("number_of_pending_tasks").Int(0);
  w.Key("number_of_in_flight_fetch").Int(0);
  w.Key("task_max_waiting_in_queue_millis").Int(0);
  w.Key("active_shards_percent_as_number")
      .Double(shards + unassigned == 0 ? 100.0 : 100.0 * shards / (shards + unassigned));
  w.EndObject();
  return c.Json(200, w.Take());
}

namespace {

std::string HumanBytes(std::uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1fgb", b / double(1ull << 30));
  else if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1fmb", b / double(1ull << 20));
  else if (b >= 1024) std::snprintf(buf, sizeof buf, "%.1fkb", b / 1024.0);
  else std::snprintf(buf, sizeof buf, "%llub", static_cast<unsigned long long>(b));
  return buf;
}

}  // namespace

HttpResponse RestHandler::CatIndices(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  const std::vector<std::string> columns = {"health", "status", "index", "uuid", "pri", "rep",
                                            "docs.count", "docs.deleted", "store.size",
                                            "pri.store.size"};
  std::vector<std::vector<std::string>> rows;
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    const engine::IndexStats st = h->index->Stats();
    rows.push_back({h->settings.number_of_replicas > 0 ? "yellow" : "green", "open", name, h->uuid,
                    std::to_string(h->settings.number_of_shards),
                    std::to_string(h->settings.number_of_replicas), std::to_string(st.docs),
                    std::to_string(st.deleted_docs), HumanBytes(st.disk_bytes),
                    HumanBytes(st.disk_bytes)});
  }
  if (c.Param("format") == "json") {
    JsonWriter w;
    w.BeginArray();
    for (const auto& row : rows) {
      w.BeginObject();
      for (std::size_t i = 0; i < columns.size(); ++i) w.Key(columns[i]).String(row[i]);
      w.EndObject();
    }
    w.EndArray();
    return c.Json(200, w.Take());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? " " : "") + cells[i];
    out += "\n";
  };
  if (c.Flag("v")) line(columns);
  for (const auto& row : rows) line(row);
  HttpResponse r;
  r.content_type = "text/plain; charset=UTF-8";
  r.body = out;
  return r;
}

HttpResponse RestHandler::CatHealth(Call& c) {
  const auto all = node_.All();
  int unassigned = 0;
  for (const auto& h : all) unassigned += static_cast<int>(h->settings.number_of_replicas);
  const std::string status = unassigned > 0 ? "yellow" : "green";
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (c.Param("format") == "json") {
    JsonWriter w;
    w.BeginArray().BeginObject();
    w.Key("epoch").String(std::to_string(now)).Key("cluster").String(node_.options().cluster_name);
    w.Key("status").String(status).Key("node.total").String("1").Key("node.data").String("1");
    w.Key("shards").String(std::to_string(all.size())).Key("pri").String(std::to_string(all.size()));
    w.Key("unassign").String(std::to_string(unassigned));
    w.EndObject().EndArray();
    return c.Json(200, w.Take());
  }
  HttpResponse r;
  r.content_type = "text/plain; charset=UTF-8";
  r.body = std::to_string(now) + " " + node_.options().cluster_name + " " + status + " 1 1 " +
           std::to_string(all.size()) + " " + std::to_string(all.size()) + " 0 0 " +
           std::to_string(unassigned) + "\n";
  return r;
}

HttpResponse RestHandler::Nodes(Call& c) {
  JsonWriter w;
  w.BeginObject();
  w.Key("_nodes").BeginObject().Key("total").Int(1).Key("successful").Int(1).Key("failed").Int(0).EndObject();
  w.Key("cluster_name").String(node_.options().cluster_name);
  w.Key("nodes").BeginObject().Key(node_.node_id()).BeginObject();
  w.Key("name").String(node_.options().name);
  w.Key("transport_address").String(options_.listen_address);
  w.Key("host").String("127.0.0.1").Key("ip").String("127.0.0.1");
  w.Key("version").String(options_.version_number);
  w.Key("build_flavor").String("default").Key("build_type").String("tar");
  w.Key("roles").BeginArray().String("data").String("ingest").String("master").EndArray();
  w.Key("os").BeginObject().Key("name").String("Linux").Key("available_processors")
      .Int(static_cast<std::int64_t>(std::thread::hardware_concurrency())).EndObject();
  w.Key("plugins").BeginArray().EndArray().Key("modules").BeginArray().EndArray();
  w.Key("attributes").BeginObject().EndObject();
  w.Key("http").BeginObject().Key("publish_address").String(options_.listen_address);
  w.Key("bound_address").BeginArray().String(options_.listen_address).EndArray().EndObject();
  w.EndObject().EndObject();
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Stats(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, true);
  if (!names.ok()) return ErrorFrom(names.status());
  JsonWriter w;
  std::uint64_t total_docs = 0;
  w.BeginObject().Key("_shards");
  WriteShards(&w, static_cast<int>(names->size()), static_cast<int>(names->size()));
  w.Key("indices").BeginObject();
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    const engine::IndexStats st = h->index->Stats();
    total_docs += st.docs;
    w.Key(name).BeginObject().Key("uuid").String(h->uuid);
    for (const char* part : {"primaries", "total"}) {
      w.Key(part).BeginObject().Key("docs").BeginObject().Key("count").Uint(st.docs);
      w.Key("deleted").Uint(st.deleted_docs).EndObject();
      w.Key("store").BeginObject().Key("size_in_bytes").Uint(st.disk_bytes).EndObject();
      w.Key("segments").BeginObject().Key("count").Uint(st.segments).EndObject();
      w.Key("indexing").BeginObject().Key("is_throttled").Bool(st.throttled);
      w.Key("throttle_time_in_millis").Uint(st.throttle_ms).EndObject();
      w.Key("merges").BeginObject().Key("current").Uint(st.merges_running);
      w.Key("total").Uint(st.merges).Key("total_docs").Uint(st.merged_docs).EndObject();
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
  w.Key("_all").BeginObject().Key("primaries").BeginObject().Key("docs").BeginObject();
  w.Key("count").Uint(total_docs).EndObject().EndObject().EndObject();
  w.EndObject();
  return c.Json(200, w.Take());
}

namespace {

// This process's resident memory, from /proc/self/statm (0 where that is unreadable).
std::uint64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long pages_total = 0, pages_resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &pages_total, &pages_resident);
  std::fclose(f);
  return n == 2 ? pages_resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

bool RestHandler::IsWrite(const HttpRequest& req) {
  if (req.method == "GET" || req.method == "HEAD") return false;  // gets and searches
  for (const std::string& part : SplitPath(req.path)) {
    if (part == "_bulk" || part == "_doc" || part == "_create" || part == "_update" ||
        part == "_delete_by_query" || part == "_update_by_query") {
      return true;
    }
  }
  return false;
}

HttpResponse RestHandler::Metrics(Call& c) {
  std::string out;
  auto metric = [&](const std::string& name, const std::string& type, const std::string& help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  metric("stela_http_responses_total", "counter", "HTTP responses by method and status.");
  {
    std::lock_guard lock(metrics_mu_);
    for (const auto& [key, n] : responses_) {
      const std::size_t sp = key.find(' ');
      out += "stela_http_responses_total{method=\"" + key.substr(0, sp) + "\",status=\"" +
             key.substr(sp + 1) + "\"} " + std::to_string(n) + "\n";
    }
  }
  metric("stela_searches_total", "counter", "Search requests executed.");
  out += "stela_searches_total " + std::to_string(searches_.load()) + "\n";
  metric("stela_search_seconds_total", "counter", "Time spent executing searches.");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(search_micros_.load()) / 1e6);
  out += std::string("stela_search_seconds_total ") + buf + "\n";
  metric("stela_index_operations_total", "counter", "Documents indexed, updated or deleted.");
  out += "stela_index_operations_total " + std::to_string(index_ops_.load() + delete_ops_.load()) + "\n";
  metric("stela_bulk_items_total", "counter", "Items of bulk requests.");
  out += "stela_bulk_items_total " + std::to_string(bulk_items_.load()) + "\n";
  metric("stela_get_operations_total", "counter", "Realtime gets.");
  out += "stela_get_operations_total " + std::to_string(get_ops_.load()) + "\n";
  metric("stela_open_search_contexts", "gauge", "Open scrolls and points in time.");
  out += "stela_open_search_contexts " + std::to_string(node_.open_cursors()) + "\n";
  metric("stela_index_docs", "gauge", "Searchable documents per index.");
  metric("stela_index_segments", "gauge", "Segments per index.");
  for (const auto& h : node_.All()) {
    const engine::IndexStats st = h->index->Stats();
    out += "stela_index_docs{index=\"" + h->name + "\"} " + std::to_string(st.docs) + "\n";
    out += "stela_index_segments{index=\"" + h->name + "\"} " + std::to_string(st.segments) + "\n";
  }
  metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out += "process_resident_memory_bytes " + std::to_string(ResidentBytes()) + "\n";
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = out;
  (void)c;
  return r;
}

}  // namespace stela::api
