// Documents: index, create, get, delete, update, _bulk, _mget.
#include <simdjson.h>

#include <charconv>
#include <set>

#include "api/rest/bulk_parser.h"
#include "api/rest/rest_call.h"
#include "engine/search/highlight.h"

namespace stela::api {

namespace {

std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Write conditions from URL parameters or bulk metadata.
struct WriteParams {
  std::string if_seq_no, if_primary_term, version, version_type, op_type;
};

StatusOr<engine::WriteOptions> ToWriteOptions(const WriteParams& p) {
  engine::WriteOptions o;
  auto num = [](const std::string& name, const std::string& v) -> StatusOr<std::uint64_t> {
    auto n = ParseU64(v);
    if (!n) {
      return Status::InvalidArgument("illegal_argument_exception: Failed to parse [" + name +
                                     "] with value [" + v + "]");
    }
    return *n;
  };
  if (!p.if_seq_no.empty()) {
    STELA_ASSIGN_OR_RETURN(o.if_seq_no, num("if_seq_no", p.if_seq_no));
  }
  if (!p.if_primary_term.empty()) {
    STELA_ASSIGN_OR_RETURN(o.if_primary_term, num("if_primary_term", p.if_primary_term));
  }
  if (o.if_seq_no.has_value() != o.if_primary_term.has_value()) {
    return Status::InvalidArgument(
        "action_request_validation_exception: Validation Failed: 1: ifSeqNo is set, but primary "
        "term is [0];");
  }
  if (!p.version.empty()) {
    if (p.version_type != "external" && p.version_type != "external_gte") {
      return Status::InvalidArgument(
          "action_request_validation_exception: Validation Failed: 1: internal versioning can not "
          "be used for optimistic concurrency control. Please use `if_seq_no` and "
          "`if_primary_term` instead;");
    }
    STELA_ASSIGN_OR_RETURN(o.external_version, num("version", p.version));
  }
  if (!p.op_type.empty()) {
    if (p.op_type != "create" && p.op_type != "index") {
      return Status::InvalidArgument("illegal_argument_exception: opType must be 'create' or "
                                     "'index', found: [" + p.op_type + "]");
    }
    o.create_only = p.op_type == "create";
  }
  return o;
}

void WriteResultBody(JsonWriter* w, const std::string& index, const std::string& id,
                     const engine::WriteResult& r, const std::string& result) {
  w->Key("_index").String(index);
  w->Key("_id").String(id);
  w->Key("_version").Uint(r.version);
  w->Key("result").String(result);
  w->Key("_shards");
  WriteShards(w);
  w->Key("_seq_no").Uint(r.seq_no);
  w->Key("_primary_term").Uint(r.primary_term);
}

// The conflict of a create: Elasticsearch reports "document already exists".
Status CreateConflict(const Status& s, const std::string& id, bool create) {
  if (create && s.code() == Status::Code::kAborted) {
    return Status::Aborted("version_conflict_engine_exception: [" + id +
                           "]: version conflict, document already exists");
  }
  return s;
}

}  // namespace

// Finds `name`, creating it with defaults when it does not exist (action.auto_create_index).
static StatusOr<std::shared_ptr<IndexHandle>> WritableIndex(Node& node, const std::string& name) {
  if (auto h = node.Find(name)) return h;
  Status s = node.CreateIndex(name, "");
  if (!s.ok() && s.message().find("resource_already_exists_exception") == std::string_view::npos) {
    return s;
  }
  auto h = node.Find(name);
  if (h == nullptr) return Status::NotFound("index_not_found_exception: no such index [" + name + "]");
  return h;
}

static Status ApplyRefresh(const std::string& refresh, engine::Index& index, std::uint64_t seq_no,
                           bool* forced) {
  if (refresh == "true" || refresh.empty()) {
    *forced = true;
    return index.Refresh();
  }
  if (refresh == "wait_for") return index.WaitForRefresh(seq_no);
  if (refresh == "false") return Status::OK();
  return Status::InvalidArgument("illegal_argument_exception: Unknown value for refresh: [" +
                                 refresh + "].");
}

HttpResponse RestHandler::IndexDoc(Call& c, const std::string& index, const std::string& id_in,
                                   bool create) {
  auto h = WritableIndex(node_, index);
  if (!h.ok()) return ErrorFrom(h.status());
  WriteParams p{c.Param("if_seq_no"), c.Param("if_primary_term"), c.Param("version"),
                c.Param("version_type"), c.Param("op_type")};
  auto options = ToWriteOptions(p);
  if (!options.ok()) return ErrorFrom(options.status());
  std::string id = id_in;
  if (id.empty()) {
    id = RandomId(20);
    options->create_only = true;
  }
  if (create) options->create_only = true;
  const bool is_create = options->create_only;
  auto r = (*h)->index->IndexDocument(id, c.req.body, *options);
  if (!r.ok()) return ErrorFrom(CreateConflict(r.status(), id, is_create));
  ++index_ops_;
  return WriteAnswer(c, **h, id, *r, r->created ? "created" : "updated",
                     r->created ? 201 : 200);
}

HttpResponse RestHandler::GetDoc(Call& c, const std::string& index, const std::string& id,
                                 bool source_only, bool head) {
  auto h = node_.Find(index);
  if (h == nullptr) {
    if (head) return c.Json(404, "");
    return ErrorFrom(Status::NotFound("index_not_found_exception: no such index [" + index + "]"));
  }
  ++get_ops_;
  auto doc = h->index->Get(id);
  if (!doc.ok() && !doc.status().IsNotFound()) return ErrorFrom(doc.status());
  if (head) return c.Json(doc.ok() ? 200 : 404, "");
  if (!doc.ok()) {
    if (source_only) {
      return Error(404, "resource_not_found_exception",
                   "Document not found [" + h->name + "]/[" + id + "]");
    }
    JsonWriter w;
    w.BeginObject().Key("_index").String(h->name).Key("_id").String(id).Key("found").Bool(false);
    w.EndObject();
    return c.Json(404, w.Take());
  }
  std::string source = doc->source;
  std::vector<std::string> includes, excludes;
  bool with_source = true;
  const std::string src = c.Param("_source");
  if (src == "false") with_source = false;
  else if (!src.empty() && src != "true") includes = SplitCommaList(src);
  for (const std::string& s : SplitCommaList(c.Param("_source_includes"))) includes.push_back(s);
  for (const std::string& s : SplitCommaList(c.Param("_source_excludes"))) excludes.push_back(s);
  if (with_source && (!includes.empty() || !excludes.empty())) {
    auto filtered = engine::search::FilterSource(source, includes, excludes);
    if (!filtered.ok()) return ErrorFrom(filtered.status());
    source = *filtered;
  }
  if (source_only) return c.Json(200, source);
  JsonWriter w;
  w.BeginObject();
  w.Key("_index").String(h->name).Key("_id").String(id);
  w.Key("_version").Uint(doc->version).Key("_seq_no").Uint(doc->seq_no);
  w.Key("_primary_term").Uint(doc->primary_term).Key("found").Bool(true);
  if (with_source) w.Key("_source").Raw(source);
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::DeleteDoc(Call& c, const std::string& index, const std::string& id) {
  auto h = node_.Find(index);
  if (h == nullptr) {
    return ErrorFrom(Status::NotFound("index_not_found_exception: no such index [" + index + "]"));
  }
  WriteParams p{c.Param("if_seq_no"), c.Param("if_primary_term"), c.Param("version"),
                c.Param("version_type"), ""};
  auto options = ToWriteOptions(p);
  if (!options.ok()) return ErrorFrom(options.status());
  auto r = h->index->DeleteDocument(id, *options);
  if (!r.ok()) return ErrorFrom(r.status());
  ++delete_ops_;
  return WriteAnswer(c, *h, id, *r, r->found ? "deleted" : "not_found", r->found ? 200 : 404);
}

namespace {

// The parts of an update body.
struct UpdateBody {
  std::string doc;
  std::string upsert;
  bool doc_as_upsert = false;
  bool has_script = false;
};

StatusOr<UpdateBody> ParseUpdate(simdjson::dom::parser& parser, std::string_view body) {
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) ||
      root.type() != simdjson::dom::element_type::OBJECT) {
    return Status::InvalidArgument("x_content_parse_exception: update body must be a JSON object");
  }
  UpdateBody u;
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {}
  for (auto kv : obj) {
    if (kv.key == "doc") {
      if (kv.value.type() != simdjson::dom::element_type::OBJECT) {
        return Status::InvalidArgument("x_content_parse_exception: [doc] must be an object");
      }
      u.doc = simdjson::minify(kv.value);
    } else if (kv.key == "upsert") {
      u.upsert = simdjson::minify(kv.value);
    } else if (kv.key == "doc_as_upsert") {
      bool b = false;
      if (kv.value.get_bool().get(b)) {}
      u.doc_as_upsert = b;
    } else if (kv.key == "script") {
      u.has_script = true;
    } else if (kv.key == "detect_noop" || kv.key == "_source" || kv.key == "scripted_upsert") {
      continue;
    } else {
      return Status::InvalidArgument("x_content_parse_exception: [UpdateRequest] unknown field [" +
                                     std::string(kv.key) + "]");
    }
  }
  if (u.has_script) {
    return Status::InvalidArgument(
        "illegal_argument_exception: scripts are not supported by Stela; send a partial [doc]");
  }
  if (u.doc.empty() && u.upsert.empty()) {
    return Status::InvalidArgument(
        "action_request_validation_exception: Validation Failed: 1: script or doc is missing;");
  }
  return u;
}

// Runs an update; *result is "updated" or "created".
StatusOr<engine::WriteResult> RunUpdate(engine::Index& index, const std::string& id,
                                        const UpdateBody& u, const engine::WriteOptions& o,
                                        std::string* result) {
  if (!u.doc.empty()) {
    auto r = index.UpdateDocument(id, u.doc, u.doc_as_upsert && u.upsert.empty(), o);
    if (r.ok()) {
      *result = r->created ? "created" : "updated";
      return r;
    }
    if (!r.status().IsNotFound() || u.upsert.empty()) return r.status();
  }
  engine::WriteOptions create = o;
  create.create_only = true;
  auto r = index.IndexDocument(id, u.upsert.empty() ? u.doc : u.upsert, create);
  if (!r.ok()) return r.status();
  *result = "created";
  return r;
}

}  // namespace

HttpResponse RestHandler::UpdateDoc(Call& c, const std::string& index, const std::string& id) {
  auto h = WritableIndex(node_, index);
  if (!h.ok()) return ErrorFrom(h.status());
  simdjson::dom::parser parser;
  auto u = ParseUpdate(parser, c.req.body);
  if (!u.ok()) return ErrorFrom(u.status());
  WriteParams p{c.Param("if_seq_no"), c.Param("if_primary_term"), "", "", ""};
  auto options = ToWriteOptions(p);
  if (!options.ok()) return ErrorFrom(options.status());
  std::string result;
  auto r = RunUpdate(*(*h)->index, id, *u, *options, &result);
  if (!r.ok()) {
    if (r.status().IsNotFound()) {
      return Error(404, "document_missing_exception", "[" + id + "]: document missing");
    }
    return ErrorFrom(r.status());
  }
  ++index_ops_;
  return WriteAnswer(c, **h, id, *r, result, result == "created" ? 201 : 200);
}

HttpResponse RestHandler::WriteAnswer(Call& c, IndexHandle& h, const std::string& id,
                                      const engine::WriteResult& r, const std::string& result,
                                      int status) {
  bool forced = false;
  if (c.Has("refresh")) {
    Status s = ApplyRefresh(c.Param("refresh"), *h.index, r.seq_no, &forced);
    if (!s.ok()) return ErrorFrom(s);
  }
  JsonWriter w;
  w.BeginObject();
  WriteResultBody(&w, h.name, id, r, result);
  if (forced) w.Key("forced_refresh").Bool(true);
  w.EndObject();
  return c.Json(status, w.Take());
}

HttpResponse RestHandler::Bulk(Call& c, const std::string& default_index) {
  auto actions = ParseBulk(c.req.body, default_index);
  if (!actions.ok()) return ErrorFrom(actions.status());
  simdjson::dom::parser doc_parser;
  bool errors = false;
  JsonWriter iw;
  iw.BeginArray();
  std::map<std::string, std::pair<std::shared_ptr<IndexHandle>, std::uint64_t>> touched;
  for (BulkAction& a : *actions) {
    const std::string& op = a.op;
    std::string& index = a.index;
    std::string& id = a.id;
    WriteParams p{a.if_seq_no, a.if_primary_term, a.version, a.version_type, ""};
    const std::string_view source = a.source;
    ++bulk_items_;
    iw.BeginObject().Key(op).BeginObject();
    auto fail = [&](const Status& s) {
      const ErrorParts e = Describe(s);
      iw.Key("_index").String(index).Key("_id").String(id);
      iw.Key("status").Int(e.status);
      iw.Key("error").BeginObject().Key("type").String(e.type).Key("reason").String(e.reason);
      iw.Key("index").String(index).EndObject();
      errors = true;
    };
    if (index.empty()) {
      fail(Status::InvalidArgument("action_request_validation_exception: Validation Failed: 1: index is missing;"));
      iw.EndObject().EndObject();
      continue;
    }
    auto h = op == "delete" ? StatusOr<std::shared_ptr<IndexHandle>>(node_.Find(index))
                            : WritableIndex(node_, index);
    if (h.ok() && *h == nullptr) {
      h = Status::NotFound("index_not_found_exception: no such index [" + index + "]");
    }
    if (!h.ok()) {
      fail(h.status());
      iw.EndObject().EndObject();
      continue;
    }
    auto options = ToWriteOptions(p);
    if (!options.ok()) {
      fail(options.status());
      iw.EndObject().EndObject();
      continue;
    }
    options->defer_sync = true;
    engine::Index& ix = *(*h)->index;
    StatusOr<engine::WriteResult> r = Status::OK();
    std::string result;
    int status = 200;
    if (op == "index" || op == "create") {
      if (id.empty()) {
        id = RandomId(20);
        options->create_only = true;
      }
      if (op == "create") options->create_only = true;
      r = ix.IndexDocument(id, source, *options);
      if (!r.ok()) r = CreateConflict(r.status(), id, options->create_only);
      if (r.ok()) {
        result = r->created ? "created" : "updated";
        status = r->created ? 201 : 200;
      }
    } else if (op == "delete") {
      r = ix.DeleteDocument(id, *options);
      if (r.ok()) {
        result = r->found ? "deleted" : "not_found";
        status = r->found ? 200 : 404;
      }
    } else {
      auto u = ParseUpdate(doc_parser, source);
      if (!u.ok()) {
        r = u.status();
      } else {
        r = RunUpdate(ix, id, *u, *options, &result);
        if (r.ok()) status = result == "created" ? 201 : 200;
        if (!r.ok() && r.status().IsNotFound()) {
          r = Status::NotFound("document_missing_exception: [" + id + "]: document missing");
        }
      }
    }
    if (!r.ok()) {
      fail(r.status());
    } else {
      WriteResultBody(&iw, (*h)->name, id, *r, result);
      iw.Key("status").Int(status);
      auto& t = touched[(*h)->name];
      t.first = *h;
      t.second = std::max(t.second, r->seq_no);
    }
    iw.EndObject().EndObject();
  }
  iw.EndArray();
  // One fsync per index for the whole request, before anything is acknowledged.
  for (auto& [name, t] : touched) {
    Status s = t.first->index->Sync();
    if (!s.ok()) return ErrorFrom(s);
  }
  if (c.Has("refresh")) {
    for (auto& [name, t] : touched) {
      bool forced = false;
      Status s = ApplyRefresh(c.Param("refresh"), *t.first->index, t.second, &forced);
      if (!s.ok()) return ErrorFrom(s);
    }
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("took").Int(c.TookMs());
  w.Key("errors").Bool(errors);
  w.Key("items").Raw(iw.str());
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Mget(Call& c, const std::string& default_index) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(c.req.body).get(root)) {
    return Error(400, "parse_exception", "request body is required");
  }
  struct Item {
    std::string index, id;
  };
  std::vector<Item> items;
  simdjson::dom::array docs, ids;
  if (!root["docs"].get_array().get(docs)) {
    for (simdjson::dom::element d : docs) {
      Item it{default_index, ""};
      std::string_view s;
      if (!d["_index"].get_string().get(s)) it.index = std::string(s);
      if (!d["_id"].get_string().get(s)) it.id = std::string(s);
      items.push_back(std::move(it));
    }
  } else if (!root["ids"].get_array().get(ids)) {
    for (simdjson::dom::element d : ids) {
      std::string_view s;
      if (!d.get_string().get(s)) items.push_back({default_index, std::string(s)});
      else items.push_back({default_index, simdjson::minify(d)});
    }
  } else {
    return Error(400, "action_request_validation_exception",
                 "Validation Failed: 1: no documents to get;");
  }
  JsonWriter w;
  w.BeginObject().Key("docs").BeginArray();
  for (const Item& it : items) {
    w.BeginObject();
    w.Key("_index").String(it.index).Key("_id").String(it.id);
    auto h = it.index.empty() ? nullptr : node_.Find(it.index);
    if (h == nullptr) {
      w.Key("error").BeginObject().Key("root_cause").BeginArray().BeginObject();
      w.Key("type").String("index_not_found_exception").Key("reason").String("no such index [" + it.index + "]");
      w.EndObject().EndArray().Key("type").String("index_not_found_exception");
      w.Key("reason").String("no such index [" + it.index + "]").EndObject();
      w.EndObject();
      continue;
    }
    auto doc = h->index->Get(it.id);
    if (doc.ok()) {
      w.Key("_version").Uint(doc->version).Key("_seq_no").Uint(doc->seq_no);
      w.Key("_primary_term").Uint(doc->primary_term).Key("found").Bool(true);
      w.Key("_source").Raw(doc->source);
    } else {
      w.Key("found").Bool(false);
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return c.Json(200, w.Take());
}

}  // namespace stela::api
