// Search endpoints: _search (body and URI), scroll, point in time, _msearch, _count,
// _delete_by_query, _update_by_query, _analyze.
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "api/rest/rest_call.h"
#include "engine/index/snapshot_reader.h"

namespace stela::api {

namespace {

// `sort=a:desc,b` as URI searches give it, through the body parser's sort rules.
StatusOr<std::vector<engine::SortField>> ParseUriSort(const std::string& param,
                                                      const engine::SearchLimits& limits) {
  std::string sort_json = "{\"sort\":[";
  bool first = true;
  for (const std::string& s : SplitCommaList(param)) {
    JsonWriter item;
    item.String(s);
    sort_json += (first ? "" : ",") + item.str();
    first = false;
  }
  STELA_ASSIGN_OR_RETURN(auto sorted, engine::ParseSearchRequest(sort_json + "]}", limits));
  return std::move(sorted.sort);
}

void WriteSortValue(const engine::SortValue& v, JsonWriter* w) {
  switch (v.kind) {
    case engine::SortValue::Kind::kNull: w->Null(); break;
    case engine::SortValue::Kind::kLong: w->Int(v.l); break;
    case engine::SortValue::Kind::kDouble: w->Double(v.d); break;
    case engine::SortValue::Kind::kString: w->String(v.s); break;
  }
}

int CompareSort(const std::vector<engine::SortField>& sort, const std::vector<engine::SortValue>& a,
                const std::vector<engine::SortValue>& b) {
  using K = engine::SortValue::Kind;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool an = a[i].kind == K::kNull, bn = b[i].kind == K::kNull;
    if (an || bn) {
      if (an && bn) continue;
      return an ? 1 : -1;
    }
    int c = 0;
    if (a[i].kind == K::kString || b[i].kind == K::kString) {
      c = a[i].s < b[i].s ? -1 : a[i].s > b[i].s ? 1 : 0;
    } else {
      const double x = a[i].kind == K::kDouble ? a[i].d : static_cast<double>(a[i].l);
      const double y = b[i].kind == K::kDouble ? b[i].d : static_cast<double>(b[i].l);
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    const bool desc = i < sort.size() ? sort[i].descending : false;
    if (c != 0) return desc ? -c : c;
  }
  return 0;
}

struct IndexedHit {
  std::string index;
  engine::SearchHit hit;
};

}  // namespace

StatusOr<std::string> RestHandler::RunSearch(Call& c, const std::vector<std::string>& indices_in,
                                             std::string_view body, bool uri_params, int* status) {
  *status = 200;
  const auto& params = c.req.params;
  auto param = [&](const char* name) -> std::string {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  };
  auto has = [&](const char* name) { return uri_params && params.count(name) != 0; };
  engine::SearchLimits limits = options_.limits;
  STELA_ASSIGN_OR_RETURN(engine::SearchRequest req, engine::ParseSearchRequest(body, limits));
  if (has("q")) {
    std::vector<std::string> fields;
    if (!param("df").empty()) fields.push_back(param("df"));
    const std::string op = param("default_operator");
    STELA_ASSIGN_OR_RETURN(req.query, engine::ParseQueryString(
                                          param("q"), fields,
                                          op == "AND" || op == "and" ? engine::Query::Operator::kAnd
                                                                     : engine::Query::Operator::kOr,
                                          limits));
  }
  auto uint_param = [&](const char* name, std::uint32_t* out) -> Status {
    if (!has(name)) return Status::OK();
    char* end = nullptr;
    const long v = std::strtol(param(name).c_str(), &end, 10);
    if (end == nullptr || *end != 0 || v < 0) {
      return Status::InvalidArgument("illegal_argument_exception: Failed to parse int parameter [" +
                                     std::string(name) + "] with value [" + param(name) + "]");
    }
    *out = static_cast<std::uint32_t>(std::min<long>(v, INT32_MAX));
    return Status::OK();
  };
  STELA_RETURN_IF_ERROR(uint_param("from", &req.from));
  STELA_RETURN_IF_ERROR(uint_param("size", &req.size));
  if (has("sort")) {
    STELA_ASSIGN_OR_RETURN(req.sort, ParseUriSort(param("sort"), limits));
  }
  if (has("_source")) {
    const std::string s = param("_source");
    if (s == "false") req.source_enabled = false;
    else if (s != "true" && !s.empty()) req.source_includes = SplitCommaList(s);
  }
  if (has("_source_includes")) req.source_includes = SplitCommaList(param("_source_includes"));
  if (has("_source_excludes")) req.source_excludes = SplitCommaList(param("_source_excludes"));
  if (has("track_total_hits")) {
    const std::string t = param("track_total_hits");
    req.track_total_hits = t == "true" || t.empty() ? -1 : t == "false" ? 0 : std::atoll(t.c_str());
  }
  if (has("track_scores")) req.track_scores = param("track_scores") != "false";
  STELA_RETURN_IF_ERROR(uint_param("terminate_after", &req.terminate_after));
  if (has("timeout")) {  // the earlier of the URI's and the body's
    STELA_ASSIGN_OR_RETURN(std::int64_t ms, ParseTimeValue(param("timeout")));
    if (ms >= 0 && (req.timeout_ms < 0 || ms < req.timeout_ms)) req.timeout_ms = ms;
  }
  if (req.timeout_ms < 0) req.timeout_ms = options_.default_search_timeout_ms;
  if (has("seq_no_primary_term")) req.seq_no_primary_term = param("seq_no_primary_term") != "false";
  if (has("version")) req.version = param("version") != "false";
  const bool total_as_int = param("rest_total_hits_as_int") == "true" || (params.count("rest_total_hits_as_int") && param("rest_total_hits_as_int").empty());
  const bool scroll = uri_params && params.count("scroll") != 0;

  // The snapshots to search: a point in time, or each index's current one.
  struct Target {
    std::shared_ptr<IndexHandle> handle;
    std::shared_ptr<const engine::Snapshot> snapshot;
  };
  std::vector<Target> targets;
  std::shared_ptr<Cursor> pit;
  if (!req.pit_id.empty()) {
    pit = node_.FindCursor(req.pit_id);
    if (pit == nullptr) {
      return Status::NotFound("search_context_missing_exception: No search context found for id [" +
                              req.pit_id + "]");
    }
    if (!req.pit_keep_alive.empty()) {
      STELA_ASSIGN_OR_RETURN(std::int64_t ms, ParseTimeValue(req.pit_keep_alive));
      std::lock_guard lock(pit->mu);
      pit->expires = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    }
    targets.push_back({pit->handle, pit->snapshot});
  } else {
    for (const std::string& name : indices_in) {
      auto h = node_.Find(name);
      if (h == nullptr) continue;
      targets.push_back({h, h->index->AcquireSnapshot()});
    }
  }
  if (scroll) {
    if (targets.size() > 1) {
      return Status::InvalidArgument(
          "illegal_argument_exception: a scroll over several indices is not supported; scroll "
          "one index or use a point in time per index");
    }
    if (req.from != 0) {
      return Status::InvalidArgument(
          "illegal_argument_exception: using [from] is not allowed in a scroll context");
    }
    req.tiebreak_by_doc = true;
  }
  if (!targets.empty()) limits.max_result_window = targets[0].handle->settings.max_result_window;
  if (targets.size() > 1 && !req.aggs.empty()) {
    return Status::InvalidArgument(
        "illegal_argument_exception: aggregations over several indices are not supported yet");
  }
  // Each index returns its best from + size; they merge in sort order.
  const std::uint32_t from = req.from;
  if (targets.size() > 1) {
    req.size = req.from + req.size;
    req.from = 0;
  }
  std::vector<IndexedHit> hits;
  std::uint64_t total = 0;
  bool lower_bound = false, tracked = true;
  std::optional<float> max_score;
  std::string aggs;
  bool timed_out = false, terminated_early = false;
  for (const Target& t : targets) {
    const auto t0 = std::chrono::steady_clock::now();
    STELA_ASSIGN_OR_RETURN(engine::SearchResponse r, engine::Search(*t.snapshot, req, limits));
    ++searches_;
    search_micros_ += static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count());
    total += r.total;
    lower_bound = lower_bound || r.total_is_lower_bound;
    tracked = r.total_tracked;
    if (r.max_score) max_score = max_score ? std::max(*max_score, *r.max_score) : *r.max_score;
    aggs = r.aggregations_json;
    timed_out = timed_out || r.timed_out;
    terminated_early = terminated_early || r.terminated_early;
    for (engine::SearchHit& h : r.hits) hits.push_back({t.handle->name, std::move(h)});
  }
  if (targets.size() > 1) {
    std::vector<engine::SortField> sort = req.sort;
    const bool by_score = sort.empty();
    std::stable_sort(hits.begin(), hits.end(), [&](const IndexedHit& a, const IndexedHit& b) {
      if (by_score) return a.hit.score.value_or(0) > b.hit.score.value_or(0);
      return CompareSort(sort, a.hit.sort, b.hit.sort) < 0;
    });
    std::vector<IndexedHit> page;
    for (std::size_t i = from; i < hits.size() && page.size() < req.size - from; ++i) {
      page.push_back(std::move(hits[i]));
    }
    hits = std::move(page);
  }

  std::string scroll_id;
  if (scroll) {
    STELA_ASSIGN_OR_RETURN(std::int64_t ms, ParseTimeValue(param("scroll")));
    auto cur = std::make_shared<Cursor>();
    if (!targets.empty()) {
      cur->handle = targets[0].handle;
      cur->snapshot = targets[0].snapshot;
    }
    cur->expires = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    cur->request_body = std::string(body);
    cur->params = params;
    if (!hits.empty()) cur->after = hits.back().hit.sort;
    cur->total = total;
    cur->total_is_lower_bound = lower_bound;
    scroll_id = node_.OpenCursor(std::move(cur));
  }
  const bool show_sort = !req.sort.empty() || (!req.pit_id.empty());

  JsonWriter w;
  w.BeginObject();
  if (!scroll_id.empty()) w.Key("_scroll_id").String(scroll_id);
  if (!req.pit_id.empty()) w.Key("pit_id").String(req.pit_id);
  w.Key("took").Int(c.TookMs());
  w.Key("timed_out").Bool(timed_out);
  if (req.terminate_after > 0) w.Key("terminated_early").Bool(terminated_early);
  w.Key("_shards").BeginObject();
  w.Key("total").Int(static_cast<std::int64_t>(std::max<std::size_t>(targets.size(), 1)));
  w.Key("successful").Int(static_cast<std::int64_t>(std::max<std::size_t>(targets.size(), 1)));
  w.Key("skipped").Int(0).Key("failed").Int(0).EndObject();
  w.Key("hits").BeginObject();
  if (tracked) {
    if (total_as_int) {
      w.Key("total").Uint(total);
    } else {
      w.Key("total").BeginObject().Key("value").Uint(total);
      w.Key("relation").String(lower_bound ? "gte" : "eq").EndObject();
    }
  }
  if (max_score) w.Key("max_score").Double(*max_score); else w.Key("max_score").Null();
  w.Key("hits").BeginArray();
  for (const IndexedHit& ih : hits) {
    const engine::SearchHit& h = ih.hit;
    w.BeginObject();
    w.Key("_index").String(ih.index);
    w.Key("_id").String(h.id);
    if (h.score) w.Key("_score").Double(*h.score); else w.Key("_score").Null();
    if (req.version) w.Key("_version").Uint(h.version);
    if (req.seq_no_primary_term) {
      w.Key("_seq_no").Uint(h.seq_no).Key("_primary_term").Uint(h.primary_term);
    }
    if (req.source_enabled) w.Key("_source").Raw(h.source.empty() ? "{}" : h.source);
    if (show_sort && !h.sort.empty()) {
      w.Key("sort").BeginArray();
      for (const engine::SortValue& v : h.sort) WriteSortValue(v, &w);
      w.EndArray();
    }
    if (!h.highlight.empty()) {
      w.Key("highlight").BeginObject();
      for (const auto& [field, frags] : h.highlight) {
        w.Key(field).BeginArray();
        for (const std::string& f : frags) w.String(f);
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  if (!aggs.empty()) w.Key("aggregations").Raw(aggs);
  w.EndObject();
  return w.Take();
}

HttpResponse RestHandler::SearchCall(Call& c, const std::string& index) {
  node_.ExpireCursors();
  std::vector<std::string> indices;
  if (index != "_all" || c.req.body.find("\"pit\"") == std::string::npos) {
    auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
    if (!names.ok()) return ErrorFrom(names.status());
    indices = *names;
  }
  int status = 200;
  auto out = RunSearch(c, indices, c.req.body, true, &status);
  if (!out.ok()) return ErrorFrom(out.status());
  return c.Json(status, std::move(out).value());
}

HttpResponse RestHandler::Scroll(Call& c, const std::string& id_in) {
  std::string id = id_in.empty() ? c.Param("scroll_id") : id_in;
  std::string keep_alive = c.Param("scroll");
  if (!c.req.body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(c.req.body).get(root)) return Error(400, "parse_exception", "malformed body");
    std::string_view s;
    if (!root["scroll_id"].get_string().get(s)) id = std::string(s);
    if (!root["scroll"].get_string().get(s)) keep_alive = std::string(s);
  }
  auto cur = node_.FindCursor(id);
  if (cur == nullptr || cur->snapshot == nullptr) {
    return Error(404, "search_context_missing_exception", "No search context found for id [" + id + "]");
  }
  // Pages of one scroll are served one at a time (a client sending the same id twice at once
  // gets consecutive pages).
  std::lock_guard cursor_lock(cur->mu);
  if (!keep_alive.empty()) {
    auto ms = ParseTimeValue(keep_alive);
    if (!ms.ok()) return ErrorFrom(ms.status());
    cur->expires = std::chrono::steady_clock::now() + std::chrono::milliseconds(*ms);
  }
  auto req = engine::ParseSearchRequest(cur->request_body, options_.limits);
  if (!req.ok()) return ErrorFrom(req.status());
  // Re-apply the first request's URI parameters that shape pages.
  if (auto it = cur->params.find("size"); it != cur->params.end()) {
    req->size = static_cast<std::uint32_t>(std::max(0, std::atoi(it->second.c_str())));
  }
  if (auto it = cur->params.find("q"); it != cur->params.end()) {
    std::vector<std::string> fields;
    if (auto df = cur->params.find("df"); df != cur->params.end()) fields.push_back(df->second);
    auto q = engine::ParseQueryString(it->second, fields, engine::Query::Operator::kOr, options_.limits);
    if (!q.ok()) return ErrorFrom(q.status());
    req->query = std::move(q).value();
  }
  if (auto it = cur->params.find("sort"); it != cur->params.end()) {
    auto sorted = ParseUriSort(it->second, options_.limits);
    if (sorted.ok()) req->sort = std::move(sorted).value();
  }
  const bool show_sort = !req->sort.empty();
  req->tiebreak_by_doc = true;
  req->from = 0;
  req->track_total_hits = 0;
  req->aggs.clear();
  if (cur->after.empty() && cur->total > 0) {
    req->size = 0;  // the first page was already the last
  }
  req->search_after = cur->after;
  auto r = engine::Search(*cur->snapshot, *req, options_.limits);
  if (!r.ok()) return ErrorFrom(r.status());
  if (!r->hits.empty()) cur->after = r->hits.back().sort;
  const bool total_as_int = c.Flag("rest_total_hits_as_int") ||
                            cur->params.count("rest_total_hits_as_int") != 0;
  JsonWriter w;
  w.BeginObject();
  w.Key("_scroll_id").String(id);
  w.Key("took").Int(c.TookMs()).Key("timed_out").Bool(r->timed_out);
  w.Key("_shards").BeginObject().Key("total").Int(1).Key("successful").Int(1).Key("skipped").Int(0);
  w.Key("failed").Int(0).EndObject();
  w.Key("hits").BeginObject();
  if (total_as_int) {
    w.Key("total").Uint(cur->total);
  } else {
    w.Key("total").BeginObject().Key("value").Uint(cur->total);
    w.Key("relation").String(cur->total_is_lower_bound ? "gte" : "eq").EndObject();
  }
  if (r->max_score) w.Key("max_score").Double(*r->max_score); else w.Key("max_score").Null();
  w.Key("hits").BeginArray();
  for (const engine::SearchHit& h : r->hits) {
    w.BeginObject().Key("_index").String(cur->handle->name).Key("_id").String(h.id);
    if (h.score) w.Key("_score").Double(*h.score); else w.Key("_score").Null();
    if (req->source_enabled) w.Key("_source").Raw(h.source.empty() ? "{}" : h.source);
    if (show_sort) {
      w.Key("sort").BeginArray();
      for (std::size_t i = 0; i + 1 < h.sort.size(); ++i) WriteSortValue(h.sort[i], &w);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray().EndObject().EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::ClearScroll(Call& c, const std::string& id_in) {
  std::vector<std::string> ids;
  if (!id_in.empty()) ids = SplitCommaList(id_in);
  if (!c.req.body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (!parser.parse(c.req.body).get(root)) {
      std::string_view s;
      simdjson::dom::array arr;
      if (!root["scroll_id"].get_string().get(s)) ids.emplace_back(s);
      else if (!root["scroll_id"].get_array().get(arr)) {
        for (simdjson::dom::element e : arr) {
          if (!e.get_string().get(s)) ids.emplace_back(s);
        }
      }
    }
  }
  std::size_t freed = 0;
  if (ids.size() == 1 && ids[0] == "_all") {
    freed = node_.CloseAllCursors();
  } else {
    for (const std::string& id : ids) freed += node_.CloseCursor(id) ? 1 : 0;
  }
  JsonWriter w;
  w.BeginObject().Key("succeeded").Bool(true).Key("num_freed").Uint(freed).EndObject();
  return c.Json(freed > 0 || ids.empty() ? 200 : 404, w.Take());
}

HttpResponse RestHandler::OpenPit(Call& c, const std::string& index) {
  if (!c.Has("keep_alive")) {
    return Error(400, "action_request_validation_exception",
                 "Validation Failed: 1: [keep_alive] is not specified;");
  }
  auto ms = ParseTimeValue(c.Param("keep_alive"));
  if (!ms.ok()) return ErrorFrom(ms.status());
  auto names = node_.Resolve(index);
  if (!names.ok()) return ErrorFrom(names.status());
  if (names->size() != 1) {
    return Error(400, "illegal_argument_exception",
                 "a point in time covers exactly one index in Stela; open one per index");
  }
  auto h = node_.Find((*names)[0]);
  auto cur = std::make_shared<Cursor>();
  cur->handle = h;
  cur->snapshot = h->index->AcquireSnapshot();
  cur->expires = std::chrono::steady_clock::now() + std::chrono::milliseconds(*ms);
  const std::string id = node_.OpenCursor(std::move(cur));
  JsonWriter w;
  const bool opensearch = c.segments.size() == 3;  // /index/_search/point_in_time
  w.BeginObject().Key(opensearch ? "pit_id" : "id").String(id);
  if (opensearch) {
    w.Key("creation_time").Int(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  }
  w.Key("_shards").BeginObject().Key("total").Int(1).Key("successful").Int(1).Key("skipped").Int(0);
  w.Key("failed").Int(0).EndObject().EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::ClosePit(Call& c) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::vector<std::string> ids;
  const bool opensearch = c.segments.size() == 2 && c.segments[0] == "_search";
  if (!parser.parse(c.req.body).get(root)) {
    std::string_view id;
    simdjson::dom::array arr;
    if (!root["id"].get_string().get(id)) ids.emplace_back(id);
    if (!root["pit_id"].get_string().get(id)) ids.emplace_back(id);
    if (!root["pit_id"].get_array().get(arr)) {
      for (simdjson::dom::element e : arr) {
        if (!e.get_string().get(id)) ids.emplace_back(id);
      }
    }
  }
  if (ids.empty()) {
    return Error(400, "action_request_validation_exception", "Validation Failed: 1: no pit ids specified;");
  }
  JsonWriter w;
  int freed = 0;
  w.BeginObject();
  if (opensearch) w.Key("pits").BeginArray();
  for (const std::string& id : ids) {
    const bool ok = node_.CloseCursor(id);
    freed += ok ? 1 : 0;
    if (opensearch) w.BeginObject().Key("pit_id").String(id).Key("successful").Bool(ok).EndObject();
  }
  if (opensearch) {
    w.EndArray();
  } else {
    w.Key("succeeded").Bool(true).Key("num_freed").Int(freed);
  }
  w.EndObject();
  return c.Json(freed > 0 ? 200 : 404, w.Take());
}

HttpResponse RestHandler::Msearch(Call& c, const std::string& default_index) {
  const std::string& body = c.req.body;
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    std::string_view line = std::string_view(body).substr(pos, nl - pos);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    pos = nl + 1;
  }
  if (lines.size() % 2 != 0) {
    return Error(400, "illegal_argument_exception",
                 "The msearch request must be terminated by a newline [\\n] and pair each header "
                 "with a body");
  }
  JsonWriter w;
  w.BeginObject().Key("took").Int(0).Key("responses").BeginArray();
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < lines.size(); i += 2) {
    std::string index = default_index.empty() ? "_all" : default_index;
    simdjson::dom::element header;
    if (parser.parse(lines[i].data(), lines[i].size()).get(header)) {
      return Error(400, "illegal_argument_exception", "msearch header is not JSON");
    }
    std::string_view s;
    simdjson::dom::array arr;
    if (!header["index"].get_string().get(s)) {
      index = std::string(s);
    } else if (!header["index"].get_array().get(arr)) {
      std::string joined;
      for (simdjson::dom::element e : arr) {
        if (!e.get_string().get(s)) joined += (joined.empty() ? "" : ",") + std::string(s);
      }
      index = joined;
    }
    auto names = node_.Resolve(index);
    int status = 200;
    StatusOr<std::string> out = names.ok() ? RunSearch(c, *names, lines[i + 1], false, &status)
                                           : StatusOr<std::string>(names.status());
    if (!out.ok()) {
      HttpResponse e = ErrorFrom(out.status());
      std::string err = e.body;
      // {"error":...,"status":N} is already the item's shape.
      w.Raw(err);
      continue;
    }
    std::string item = std::move(out).value();
    item.pop_back();
    item += ",\"status\":" + std::to_string(status) + "}";
    w.Raw(item);
  }
  w.EndArray().EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::CountCall(Call& c, const std::string& index) {
  auto names = node_.Resolve(index, c.Flag("ignore_unavailable"));
  if (!names.ok()) return ErrorFrom(names.status());
  std::unique_ptr<engine::Query> query;
  if (c.Has("q")) {
    std::vector<std::string> fields;
    if (c.Has("df")) fields.push_back(c.Param("df"));
    auto q = engine::ParseQueryString(c.Param("q"), fields, engine::Query::Operator::kOr, options_.limits);
    if (!q.ok()) return ErrorFrom(q.status());
    query = std::move(q).value();
  } else if (c.req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto req = engine::ParseSearchRequest(c.req.body, options_.limits);
    if (!req.ok()) return ErrorFrom(req.status());
    query = std::move(req->query);
  }
  std::uint64_t total = 0;
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    auto n = engine::Count(*h->index->AcquireSnapshot(), query.get(), options_.limits);
    if (!n.ok()) return ErrorFrom(n.status());
    total += *n;
  }
  JsonWriter w;
  const auto shards = static_cast<std::int64_t>(names->size());
  w.BeginObject().Key("count").Uint(total);
  w.Key("_shards").BeginObject().Key("total").Int(shards).Key("successful").Int(shards);
  w.Key("skipped").Int(0).Key("failed").Int(0).EndObject().EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::ByQuery(Call& c, const std::string& index, bool update) {
  auto names = node_.Resolve(index);
  if (!names.ok()) return ErrorFrom(names.status());
  std::unique_ptr<engine::Query> query;
  if (c.Has("q")) {
    auto q = engine::ParseQueryString(c.Param("q"), {}, engine::Query::Operator::kOr, options_.limits);
    if (!q.ok()) return ErrorFrom(q.status());
    query = std::move(q).value();
  } else if (!c.req.body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(c.req.body).get(root)) return Error(400, "parse_exception", "malformed body");
    simdjson::dom::element q, script;
    if (!root["script"].get(script)) {
      return Error(400, "illegal_argument_exception",
                   "scripts are not supported by Stela; _update_by_query re-indexes documents as "
                   "they are");
    }
    if (!root["query"].get(q)) {
      auto parsed = engine::ParseQuery(simdjson::minify(q), options_.limits);
      if (!parsed.ok()) return ErrorFrom(parsed.status());
      query = std::move(parsed).value();
    }
  } else if (!update) {
    return Error(400, "action_request_validation_exception",
                 "Validation Failed: 1: query is missing;");
  }
  const bool proceed = c.Param("conflicts") == "proceed";
  std::uint64_t total = 0, done = 0, conflicts = 0;
  for (const std::string& name : *names) {
    auto h = node_.Find(name);
    if (h == nullptr) continue;
    Status s = h->index->Refresh();
    if (!s.ok()) return ErrorFrom(s);
    auto ids = engine::MatchingIds(*h->index->AcquireSnapshot(), query.get(), options_.limits);
    if (!ids.ok()) return ErrorFrom(ids.status());
    total += ids->size();
    engine::WriteOptions o;
    o.defer_sync = true;
    for (const std::string& id : *ids) {
      Status ws;
      if (update) {
        auto doc = h->index->Get(id);
        if (!doc.ok()) continue;
        engine::WriteOptions cond = o;
        cond.if_seq_no = doc->seq_no;
        cond.if_primary_term = doc->primary_term;
        ws = h->index->IndexDocument(id, doc->source, cond).status();
      } else {
        ws = h->index->DeleteDocument(id, o).status();
      }
      if (ws.ok()) {
        ++done;
      } else if (ws.code() == Status::Code::kAborted) {
        ++conflicts;
        if (!proceed) return ErrorFrom(ws);
      } else {
        return ErrorFrom(ws);
      }
    }
    s = h->index->Sync();
    if (s.ok() && (c.Flag("refresh"))) s = h->index->Refresh();
    if (!s.ok()) return ErrorFrom(s);
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("took").Int(c.TookMs()).Key("timed_out").Bool(false).Key("total").Uint(total);
  w.Key(update ? "updated" : "deleted").Uint(done);
  w.Key("batches").Int(total > 0 ? 1 : 0).Key("version_conflicts").Uint(conflicts);
  w.Key("noops").Int(0);
  w.Key("retries").BeginObject().Key("bulk").Int(0).Key("search").Int(0).EndObject();
  w.Key("throttled_millis").Int(0).Key("requests_per_second").Double(-1.0);
  w.Key("throttled_until_millis").Int(0).Key("failures").BeginArray().EndArray();
  w.EndObject();
  return c.Json(200, w.Take());
}

HttpResponse RestHandler::Analyze(Call& c, const std::string& index) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string analyzer = c.Param("analyzer"), field = c.Param("field"), language;
  std::vector<std::string> texts;
  if (c.Has("text")) texts.push_back(c.Param("text"));
  if (!c.req.body.empty()) {
    if (parser.parse(c.req.body).get(root)) return Error(400, "parse_exception", "malformed body");
    std::string_view s;
    simdjson::dom::array arr;
    if (!root["analyzer"].get_string().get(s)) analyzer = std::string(s);
    if (!root["field"].get_string().get(s)) field = std::string(s);
    if (!root["language"].get_string().get(s)) language = std::string(s);
    if (!root["text"].get_string().get(s)) {
      texts.emplace_back(s);
    } else if (!root["text"].get_array().get(arr)) {
      for (simdjson::dom::element e : arr) {
        if (!e.get_string().get(s)) texts.emplace_back(s);
      }
    }
  }
  if (texts.empty()) {
    return Error(400, "action_request_validation_exception",
                 "Validation Failed: 1: text is missing;");
  }
  const analyzers::Analyzer* a = nullptr;
  if (!field.empty() && analyzer.empty()) {
    auto h = node_.Find(index);
    if (h == nullptr) {
      return ErrorFrom(Status::NotFound("index_not_found_exception: no such index [" + index + "]"));
    }
    // The field's analyzer, from the mappings.
    const auto snapshot = h->index->AcquireSnapshot();
    const engine::index::FieldDef* f = snapshot->reader().mappings().Find(field);
    if (f != nullptr && f->type == engine::index::FieldType::kText) {
      auto found = f->analyzer.empty() ? node_.registry().ForLanguage(f->language)
                                       : node_.registry().Find(f->analyzer);
      if (!found.ok()) return ErrorFrom(found.status());
      a = *found;
    } else if (f != nullptr) {
      auto found = node_.registry().Find("keyword");
      if (!found.ok()) return ErrorFrom(found.status());
      a = *found;
    }
  }
  if (a == nullptr) {
    auto found = !language.empty() && analyzer.empty()
                     ? node_.registry().ForLanguage(language)
                     : node_.registry().Find(analyzer.empty() ? "standard" : analyzer);
    if (!found.ok()) {
      return Error(400, "illegal_argument_exception", std::string(found.status().message()));
    }
    a = *found;
  }
  auto stream = a->NewStream();
  if (!stream.ok()) return ErrorFrom(stream.status());
  JsonWriter w;
  w.BeginObject().Key("tokens").BeginArray();
  std::uint32_t position_base = 0, offset_base = 0;
  for (const std::string& text : texts) {
    std::vector<analyzers::Token> tokens;
    Status s = (*stream)->Analyze(text, language, &tokens);
    if (!s.ok()) return ErrorFrom(s);
    std::uint32_t last = position_base;
    for (const analyzers::Token& t : tokens) {
      w.BeginObject();
      w.Key("token").String(t.term);
      w.Key("start_offset").Uint(offset_base + t.start_offset);
      w.Key("end_offset").Uint(offset_base + t.end_offset);
      w.Key("type").String(analyzers::TokenTypeName(t.type));
      w.Key("position").Uint(position_base + t.position);
      w.EndObject();
      last = position_base + t.position;
    }
    position_base = last + 101;
    offset_base += static_cast<std::uint32_t>(text.size()) + 1;
  }
  w.EndArray().EndObject();
  return c.Json(200, w.Take());
}

}  // namespace stela::api
