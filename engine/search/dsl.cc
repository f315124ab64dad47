// The Elasticsearch search DSL: JSON -> SearchRequest / Query, with Elasticsearch's error types
// and every limit checked while parsing.
#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "engine/common/time_value.h"
#include "engine/search/date_math.h"
#include "engine/search/json_util.h"
#include "stela/engine/search.h"

namespace stela::engine {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using T = simdjson::dom::element_type;
using search::Arr;
using search::Obj;

Status ParsingError(const std::string& reason) {
  return Status::InvalidArgument("parsing_exception: " + reason);
}
Status XContentError(const std::string& reason) {
  return Status::InvalidArgument("x_content_parse_exception: " + reason);
}
Status IllegalArgument(const std::string& reason) {
  return Status::InvalidArgument("illegal_argument_exception: " + reason);
}

std::string Json(element e) { return simdjson::minify(e); }

StatusOr<QueryValue> Scalar(element e, std::string_view what) {
  QueryValue v;
  switch (e.type()) {
    case T::STRING:
      v.kind = QueryValue::Kind::kString;
      v.text = std::string(e.get_string().value_unsafe());
      return v;
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      v.kind = QueryValue::Kind::kNumber;
      v.text = Json(e);
      return v;
    case T::BOOL:
      v.kind = QueryValue::Kind::kBoolean;
      v.text = e.get_bool().value_unsafe() ? "true" : "false";
      return v;
    case T::NULL_VALUE:
      v.kind = QueryValue::Kind::kNull;
      return v;
    default:
      return ParsingError("[" + std::string(what) + "] expects a value, got " + Json(e));
  }
}

StatusOr<std::string> String(element e, std::string_view what) {
  if (e.type() == T::STRING) return std::string(e.get_string().value_unsafe());
  if (e.type() == T::INT64 || e.type() == T::UINT64 || e.type() == T::DOUBLE) return Json(e);
  if (e.type() == T::BOOL) return std::string(e.get_bool().value_unsafe() ? "true" : "false");
  return ParsingError("[" + std::string(what) + "] must be a string, got " + Json(e));
}

StatusOr<double> Number(element e, std::string_view what) {
  if (e.type() == T::INT64) return static_cast<double>(e.get_int64().value_unsafe());
  if (e.type() == T::UINT64) return static_cast<double>(e.get_uint64().value_unsafe());
  if (e.type() == T::DOUBLE) return e.get_double().value_unsafe();
  if (e.type() == T::STRING) {
    const std::string_view s = e.get_string().value_unsafe();
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && p == s.data() + s.size()) return d;
  }
  return ParsingError("[" + std::string(what) + "] must be a number, got " + Json(e));
}

StatusOr<std::int64_t> Integer(element e, std::string_view what) {
  STELA_ASSIGN_OR_RETURN(double d, Number(e, what));
  if (d != std::floor(d) || std::abs(d) > 9e15) {
    return ParsingError("[" + std::string(what) + "] must be an integer, got " + Json(e));
  }
  return static_cast<std::int64_t>(d);
}

StatusOr<bool> Bool(element e, std::string_view what) {
  if (e.type() == T::BOOL) return e.get_bool().value_unsafe();
  if (e.type() == T::STRING) {
    const std::string_view s = e.get_string().value_unsafe();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return ParsingError("[" + std::string(what) + "] must be a boolean, got " + Json(e));
}

StatusOr<object> Object(element e, std::string_view what) {
  if (e.type() != T::OBJECT) {
    return ParsingError("[" + std::string(what) + "] query malformed, no start_object after query name");
  }
  return Obj(e);
}

// The single "field": body of a field-level query.
StatusOr<std::pair<std::string, element>> SingleField(object o, std::string_view query) {
  std::string field;
  element body;
  std::size_t n = 0;
  for (auto kv : o) {
    if (kv.key == "boost" || kv.key == "_name") continue;
    field = std::string(kv.key);
    body = kv.value;
    ++n;
  }
  if (n != 1) {
    return ParsingError("[" + std::string(query) + "] query doesn't support multiple fields, found [" +
                        std::to_string(n) + "] fields");
  }
  return std::make_pair(field, body);
}

class Parser {
 public:
  explicit Parser(const SearchLimits& limits) : limits_(limits) {}

  StatusOr<std::unique_ptr<Query>> ParseQuery(element e, std::uint32_t depth) {
    if (depth > limits_.max_depth) {
      return IllegalArgument("The nested depth of the query exceeds the maximum nested depth for "
                             "queries set in [indices.query.bool.max_nested_depth] (" +
                             std::to_string(limits_.max_depth) + ")");
    }
    if (e.type() != T::OBJECT) return ParsingError("[_na] query malformed, must start with start_object");
    object o = Obj(e);
    if (o.size() != 1) {
      if (o.size() == 0) {
        auto q = std::make_unique<Query>();
        q->kind = Query::Kind::kMatchAll;
        return q;
      }
      std::string first;
      std::size_t i = 0;
      for (auto kv : o) {
        if (i++ == 1) first = std::string(kv.key);
      }
      return ParsingError("[" + std::string((*o.begin()).key) +
                          "] malformed query, expected [END_OBJECT] but found [FIELD_NAME]");
    }
    auto kv = *o.begin();
    const std::string_view type = kv.key;
    element body = kv.value;
    auto q = std::make_unique<Query>();
    if (type == "match_all" || type == "match_none") {
      q->kind = type == "match_all" ? Query::Kind::kMatchAll : Query::Kind::kMatchNone;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      for (auto f : b) {
        if (f.key == "boost") {
          STELA_RETURN_IF_ERROR(Boost(f.value, q.get()));
        } else if (f.key == "_name") {
          STELA_ASSIGN_OR_RETURN(q->name, String(f.value, "_name"));
        } else {
          return ParsingError("[" + std::string(type) + "] query does not support [" +
                              std::string(f.key) + "]");
        }
      }
      return q;
    }
    if (type == "match" || type == "match_phrase" || type == "match_phrase_prefix") {
      q->kind = type == "match" ? Query::Kind::kMatch
                : type == "match_phrase" ? Query::Kind::kMatchPhrase
                                         : Query::Kind::kMatchPhrasePrefix;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      STELA_ASSIGN_OR_RETURN(auto fb, SingleField(b, type));
      q->field = fb.first;
      STELA_RETURN_IF_ERROR(MatchOptions(fb.second, type, q.get()));
      return q;
    }
    if (type == "multi_match") return MultiMatch(body);
    if (type == "bool") return BoolQuery(body, depth);
    if (type == "dis_max") {
      q->kind = Query::Kind::kDisMax;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      for (auto f : b) {
        if (f.key == "queries") {
          if (f.value.type() != T::ARRAY) return ParsingError("[dis_max] queries must be an array");
          for (element c : Arr(f.value)) {
            STELA_ASSIGN_OR_RETURN(auto cq, ParseQuery(c, depth + 1));
            q->should.push_back(std::move(cq));
          }
        } else if (f.key == "tie_breaker") {
          STELA_ASSIGN_OR_RETURN(double t, Number(f.value, "tie_breaker"));
          q->tie_breaker = static_cast<float>(t);
        } else {
          STELA_RETURN_IF_ERROR(Common(f.key, f.value, "dis_max", q.get()));
        }
      }
      return q;
    }
    if (type == "constant_score") {
      q->kind = Query::Kind::kConstantScore;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      for (auto f : b) {
        if (f.key == "filter") {
          STELA_ASSIGN_OR_RETURN(auto cq, ParseQuery(f.value, depth + 1));
          q->children.push_back(std::move(cq));
        } else {
          STELA_RETURN_IF_ERROR(Common(f.key, f.value, "constant_score", q.get()));
        }
      }
      if (q->children.empty()) return ParsingError("[constant_score] requires a 'filter' element");
      return q;
    }
    if (type == "term" || type == "prefix" || type == "wildcard" || type == "fuzzy") {
      q->kind = type == "term" ? Query::Kind::kTerm
                : type == "prefix" ? Query::Kind::kPrefix
                : type == "wildcard" ? Query::Kind::kWildcard
                                     : Query::Kind::kFuzzy;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      STELA_ASSIGN_OR_RETURN(auto fb, SingleField(b, type));
      q->field = fb.first;
      if (fb.second.type() != T::OBJECT) {
        STELA_ASSIGN_OR_RETURN(q->value, Scalar(fb.second, type));
      } else {
        bool has_value = false;
        for (auto f : Obj(fb.second)) {
          if (f.key == "value" || (type == "wildcard" && f.key == "wildcard")) {
            STELA_ASSIGN_OR_RETURN(q->value, Scalar(f.value, type));
            has_value = true;
          } else if (f.key == "case_insensitive") {
            STELA_ASSIGN_OR_RETURN(q->case_insensitive, Bool(f.value, "case_insensitive"));
          } else if (type == "fuzzy" && f.key == "fuzziness") {
            STELA_ASSIGN_OR_RETURN(q->fuzziness, String(f.value, "fuzziness"));
          } else if (type == "fuzzy" && f.key == "prefix_length") {
            STELA_ASSIGN_OR_RETURN(auto n, Integer(f.value, "prefix_length"));
            q->prefix_length = static_cast<std::uint32_t>(std::max<std::int64_t>(0, n));
          } else if (type == "fuzzy" && f.key == "max_expansions") {
            STELA_RETURN_IF_ERROR(MaxExpansions(f.value, q.get()));
          } else if (type == "fuzzy" && f.key == "transpositions") {
            STELA_ASSIGN_OR_RETURN(q->transpositions, Bool(f.value, "transpositions"));
          } else if (f.key == "rewrite") {
            continue;
          } else {
            STELA_RETURN_IF_ERROR(Common(f.key, f.value, type, q.get()));
          }
        }
        if (!has_value) return ParsingError("[" + std::string(type) + "] query requires a value");
      }
      if (q->value.kind == QueryValue::Kind::kNull) {
        return IllegalArgument("[" + std::string(type) + "] value cannot be null");
      }
      return q;
    }
    if (type == "terms") {
      q->kind = Query::Kind::kTerms;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      bool found = false;
      for (auto f : b) {
        if (f.key == "boost" || f.key == "_name") {
          STELA_RETURN_IF_ERROR(Common(f.key, f.value, "terms", q.get()));
          continue;
        }
        if (found) return ParsingError("[terms] query does not support multiple fields");
        found = true;
        q->field = std::string(f.key);
        if (f.value.type() != T::ARRAY) {
          return ParsingError("[terms] query does not support [" + q->field + "] as a lookup");
        }
        for (element v : Arr(f.value)) {
          STELA_ASSIGN_OR_RETURN(QueryValue qv, Scalar(v, "terms"));
          if (qv.kind == QueryValue::Kind::kNull) return IllegalArgument("No value specified for terms query");
          q->values.push_back(std::move(qv));
          if (q->values.size() > limits_.max_terms_count) {
            return IllegalArgument(
                "The number of terms [" + std::to_string(q->values.size()) +
                "] used in the Terms Query request has exceeded the allowed maximum of [" +
                std::to_string(limits_.max_terms_count) +
                "]. This maximum can be set by changing the [index.max_terms_count] index level "
                "setting.");
          }
        }
      }
      if (!found) return ParsingError("[terms] query requires a field");
      return q;
    }
    if (type == "range") {
      q->kind = Query::Kind::kRange;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      STELA_ASSIGN_OR_RETURN(auto fb, SingleField(b, type));
      q->field = fb.first;
      STELA_ASSIGN_OR_RETURN(object r, Object(fb.second, "range"));
      bool include_lower = true, include_upper = true;
      std::optional<QueryValue> from, to;
      for (auto f : r) {
        std::optional<QueryValue>* slot = nullptr;
        if (f.key == "gt") slot = &q->gt;
        if (f.key == "gte") slot = &q->gte;
        if (f.key == "lt") slot = &q->lt;
        if (f.key == "lte") slot = &q->lte;
        if (f.key == "from") slot = &from;
        if (f.key == "to") slot = &to;
        if (slot != nullptr) {
          STELA_ASSIGN_OR_RETURN(QueryValue v, Scalar(f.value, f.key));
          if (v.kind != QueryValue::Kind::kNull) *slot = std::move(v);
        } else if (f.key == "include_lower") {
          STELA_ASSIGN_OR_RETURN(include_lower, Bool(f.value, "include_lower"));
        } else if (f.key == "include_upper") {
          STELA_ASSIGN_OR_RETURN(include_upper, Bool(f.value, "include_upper"));
        } else if (f.key == "format" || f.key == "time_zone" || f.key == "relation") {
          continue;
        } else {
          STELA_RETURN_IF_ERROR(Common(f.key, f.value, "range", q.get()));
        }
      }
      if (from) (include_lower ? q->gte : q->gt) = from;
      if (to) (include_upper ? q->lte : q->lt) = to;
      return q;
    }
    if (type == "exists") {
      q->kind = Query::Kind::kExists;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      for (auto f : b) {
        if (f.key == "field") {
          STELA_ASSIGN_OR_RETURN(q->field, String(f.value, "field"));
        } else {
          STELA_RETURN_IF_ERROR(Common(f.key, f.value, "exists", q.get()));
        }
      }
      if (q->field.empty()) return ParsingError("[exists] must be provided with a [field]");
      return q;
    }
    if (type == "ids") {
      q->kind = Query::Kind::kIds;
      STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
      for (auto f : b) {
        if (f.key == "values") {
          if (f.value.type() != T::ARRAY) return ParsingError("[ids] values must be an array");
          for (element v : Arr(f.value)) {
            STELA_ASSIGN_OR_RETURN(QueryValue qv, Scalar(v, "values"));
            q->values.push_back(std::move(qv));
          }
        } else if (f.key == "type") {
          continue;
        } else {
          STELA_RETURN_IF_ERROR(Common(f.key, f.value, "ids", q.get()));
        }
      }
      return q;
    }
    if (type == "query_string" || type == "simple_query_string") {
      return QueryStringQuery(body, type == "simple_query_string");
    }
    return ParsingError("unknown query [" + std::string(type) + "]");
  }

  StatusOr<std::unique_ptr<Aggregation>> ParseAgg(std::string_view name, element e,
                                                  std::uint32_t depth) {
    if (depth > limits_.max_depth) {
      return IllegalArgument("aggregations nested deeper than " +
                             std::to_string(limits_.max_depth));
    }
    if (e.type() != T::OBJECT) {
      return ParsingError("Expected [START_OBJECT] under [" + std::string(name) +
                          "], but got a value");
    }
    auto agg = std::make_unique<Aggregation>();
    agg->name = std::string(name);
    bool typed = false;
    for (auto kv : Obj(e)) {
      if (kv.key == "aggs" || kv.key == "aggregations") {
        if (kv.value.type() != T::OBJECT) return ParsingError("[aggs] must be an object");
        for (auto sub : Obj(kv.value)) {
          STELA_ASSIGN_OR_RETURN(auto s, ParseAgg(sub.key, sub.value, depth + 1));
          agg->subs.push_back(std::move(s));
        }
        continue;
      }
      if (kv.key == "meta") continue;
      if (typed) {
        return ParsingError("Found two aggregation type definitions in [" + std::string(name) +
                            "]: [" + std::string(kv.key) + "]");
      }
      typed = true;
      STELA_RETURN_IF_ERROR(AggBody(kv.key, kv.value, agg.get(), depth));
    }
    if (!typed) return ParsingError("Missing definition for aggregation [" + std::string(name) + "]");
    return agg;
  }

  Status Request(element root, SearchRequest* r) {
    if (root.type() != T::OBJECT) return ParsingError("request body must be a JSON object");
    for (auto kv : Obj(root)) {
      const std::string_view key = kv.key;
      element v = kv.value;
      if (key == "query") {
        STELA_ASSIGN_OR_RETURN(r->query, ParseQuery(v, 0));
      } else if (key == "post_filter") {
        STELA_ASSIGN_OR_RETURN(r->post_filter, ParseQuery(v, 0));
      } else if (key == "from" || key == "size") {
        STELA_ASSIGN_OR_RETURN(std::int64_t n, Integer(v, key));
        if (n < 0) {
          return XContentError("[" + std::string(key) + "] parameter cannot be negative, found [" +
                               std::to_string(n) + "]");
        }
        const auto clamped = static_cast<std::uint32_t>(std::min<std::int64_t>(n, UINT32_MAX / 2));
        (key == "from" ? r->from : r->size) = clamped;
      } else if (key == "sort") {
        STELA_RETURN_IF_ERROR(Sort(v, r));
      } else if (key == "track_total_hits") {
        if (v.type() == T::BOOL) {
          r->track_total_hits = v.get_bool().value_unsafe() ? -1 : 0;
        } else {
          STELA_ASSIGN_OR_RETURN(std::int64_t n, Integer(v, key));
          if (n < -1) return IllegalArgument("[track_total_hits] parameter must be positive or equals to -1, got " + std::to_string(n));
          r->track_total_hits = n == INT32_MAX ? -1 : n;
        }
      } else if (key == "track_scores") {
        STELA_ASSIGN_OR_RETURN(r->track_scores, Bool(v, key));
      } else if (key == "min_score") {
        STELA_ASSIGN_OR_RETURN(double d, Number(v, key));
        r->min_score = static_cast<float>(d);
      } else if (key == "search_after") {
        if (v.type() != T::ARRAY) return ParsingError("[search_after] must be an array");
        for (element x : Arr(v)) {
          SortValue sv;
          if (x.type() == T::INT64) {
            sv.kind = SortValue::Kind::kLong;
            sv.l = x.get_int64().value_unsafe();
          } else if (x.type() == T::UINT64) {
            sv.kind = SortValue::Kind::kLong;
            sv.l = static_cast<std::int64_t>(std::min<std::uint64_t>(x.get_uint64().value_unsafe(), INT64_MAX));
          } else if (x.type() == T::DOUBLE) {
            sv.kind = SortValue::Kind::kDouble;
            sv.d = x.get_double().value_unsafe();
          } else if (x.type() == T::STRING) {
            sv.kind = SortValue::Kind::kString;
            sv.s = std::string(x.get_string().value_unsafe());
          } else if (x.type() == T::BOOL) {
            sv.kind = SortValue::Kind::kLong;
            sv.l = x.get_bool().value_unsafe() ? 1 : 0;
          } else if (x.type() != T::NULL_VALUE) {
            return ParsingError("[search_after] values must be scalars");
          }
          r->search_after.push_back(std::move(sv));
        }
      } else if (key == "_source") {
        STELA_RETURN_IF_ERROR(Source(v, r));
      } else if (key == "aggs" || key == "aggregations") {
        if (v.type() != T::OBJECT) return ParsingError("[aggs] must be an object");
        for (auto a : Obj(v)) {
          STELA_ASSIGN_OR_RETURN(auto agg, ParseAgg(a.key, a.value, 0));
          r->aggs.push_back(std::move(agg));
        }
      } else if (key == "highlight") {
        STELA_RETURN_IF_ERROR(Highlight(v, r));
      } else if (key == "explain") {
        STELA_ASSIGN_OR_RETURN(r->explain, Bool(v, key));
      } else if (key == "version") {
        STELA_ASSIGN_OR_RETURN(r->version, Bool(v, key));
      } else if (key == "seq_no_primary_term") {
        STELA_ASSIGN_OR_RETURN(r->seq_no_primary_term, Bool(v, key));
      } else if (key == "pit") {
        if (v.type() != T::OBJECT) return ParsingError("[pit] must be an object");
        for (auto p : Obj(v)) {
          if (p.key == "id") {
            STELA_ASSIGN_OR_RETURN(r->pit_id, String(p.value, "id"));
          } else if (p.key == "keep_alive") {
            STELA_ASSIGN_OR_RETURN(r->pit_keep_alive, String(p.value, "keep_alive"));
          }
        }
        r->tiebreak_by_doc = true;
      } else if (key == "terminate_after") {
        STELA_ASSIGN_OR_RETURN(std::int64_t n, Integer(v, key));
        r->terminate_after = static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 0, UINT32_MAX));
      } else if (key == "timeout") {
        STELA_ASSIGN_OR_RETURN(std::string t, String(v, key));
        auto ms = ParseTimeValue(t);
        if (!ms.ok()) return ParsingError("[timeout] " + std::string(ms.status().message()));
        r->timeout_ms = *ms;
      } else if (key == "stored_fields" || key == "docvalue_fields" ||
                 key == "fields" || key == "profile" || key == "stats" || key == "indices_boost" ||
                 key == "runtime_mappings" || key == "ext" || key == "batched_reduce_size") {
        continue;  // accepted; they do not change which hits are returned
      } else {
        return ParsingError("Unknown key for a " +
                            std::string(v.type() == T::OBJECT ? "START_OBJECT"
                                        : v.type() == T::ARRAY ? "START_ARRAY"
                                                               : "VALUE") +
                            " in [" + std::string(key) + "].");
      }
    }
    return Status::OK();
  }

 private:
  Status Boost(element v, Query* q) {
    STELA_ASSIGN_OR_RETURN(double b, Number(v, "boost"));
    if (b < 0) return IllegalArgument("negative [boost] are not allowed.");
    q->boost = static_cast<float>(b);
    return Status::OK();
  }

  Status Common(std::string_view key, element v, std::string_view query, Query* q) {
    if (key == "boost") return Boost(v, q);
    if (key == "_name") {
      STELA_ASSIGN_OR_RETURN(q->name, String(v, "_name"));
      return Status::OK();
    }
    return ParsingError("[" + std::string(query) + "] query does not support [" +
                        std::string(key) + "]");
  }

  Status MaxExpansions(element v, Query* q) {
    STELA_ASSIGN_OR_RETURN(auto n, Integer(v, "max_expansions"));
    if (n <= 0) return IllegalArgument("[max_expansions] must be greater than 0");
    if (n > limits_.max_expansions) {
      return IllegalArgument("[max_expansions] must not exceed " +
                             std::to_string(limits_.max_expansions));
    }
    q->max_expansions = static_cast<std::uint32_t>(n);
    return Status::OK();
  }

  Status MatchOption(std::string_view key, element v, std::string_view query, Query* q) {
    if (key == "query") {
      STELA_ASSIGN_OR_RETURN(q->value, Scalar(v, "query"));
      if (q->value.kind == QueryValue::Kind::kNull) {
        return IllegalArgument("[" + std::string(query) + "] requires query value");
      }
    } else if (key == "operator") {
      STELA_ASSIGN_OR_RETURN(std::string op, String(v, "operator"));
      for (char& c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (op == "and") q->op = Query::Operator::kAnd;
      else if (op == "or") q->op = Query::Operator::kOr;
      else return IllegalArgument("No enum constant for operator [" + op + "]");
    } else if (key == "minimum_should_match") {
      STELA_ASSIGN_OR_RETURN(q->minimum_should_match, String(v, key));
    } else if (key == "fuzziness") {
      STELA_ASSIGN_OR_RETURN(q->fuzziness, String(v, key));
    } else if (key == "prefix_length") {
      STELA_ASSIGN_OR_RETURN(auto n, Integer(v, key));
      q->prefix_length = static_cast<std::uint32_t>(std::max<std::int64_t>(0, n));
    } else if (key == "max_expansions") {
      return MaxExpansions(v, q);
    } else if (key == "fuzzy_transpositions") {
      STELA_ASSIGN_OR_RETURN(q->transpositions, Bool(v, key));
    } else if (key == "slop") {
      STELA_ASSIGN_OR_RETURN(auto n, Integer(v, key));
      if (n < 0) return IllegalArgument("No negative slop allowed.");
      q->slop = static_cast<std::uint32_t>(std::min<std::int64_t>(n, 1 << 20));
    } else if (key == "analyzer") {
      STELA_ASSIGN_OR_RETURN(q->analyzer, String(v, key));
    } else if (key == "language") {
      STELA_ASSIGN_OR_RETURN(q->language, String(v, key));
    } else if (key == "zero_terms_query") {
      STELA_ASSIGN_OR_RETURN(std::string z, String(v, key));
      if (z != "none" && z != "all") return ParsingError("Unsupported zero_terms_query value [" + z + "]");
      q->zero_terms_all = z == "all";
    } else if (key == "lenient" || key == "auto_generate_synonyms_phrase_query" ||
               key == "fuzzy_rewrite" || key == "cutoff_frequency") {
      return Status::OK();
    } else {
      return Common(key, v, query, q);
    }
    return Status::OK();
  }

  Status MatchOptions(element body, std::string_view type, Query* q) {
    if (body.type() != T::OBJECT) {
      STELA_ASSIGN_OR_RETURN(q->value, Scalar(body, type));
      if (q->value.kind == QueryValue::Kind::kNull) {
        return IllegalArgument("[" + std::string(type) + "] requires query value");
      }
      return Status::OK();
    }
    bool has_query = false;
    for (auto f : Obj(body)) {
      if (f.key == "query") has_query = true;
      STELA_RETURN_IF_ERROR(MatchOption(f.key, f.value, type, q));
    }
    if (!has_query) return ParsingError("[" + std::string(type) + "] requires query value");
    return Status::OK();
  }

  StatusOr<std::unique_ptr<Query>> MultiMatch(element body) {
    auto q = std::make_unique<Query>();
    q->kind = Query::Kind::kMultiMatch;
    STELA_ASSIGN_OR_RETURN(object b, Object(body, "multi_match"));
    bool has_query = false;
    for (auto f : b) {
      if (f.key == "fields") {
        if (f.value.type() == T::STRING) {
          q->fields.emplace_back(f.value.get_string().value_unsafe());
        } else if (f.value.type() == T::ARRAY) {
          for (element x : Arr(f.value)) {
            STELA_ASSIGN_OR_RETURN(std::string s, String(x, "fields"));
            q->fields.push_back(std::move(s));
          }
        } else {
          return ParsingError("[multi_match] fields must be a string or an array");
        }
      } else if (f.key == "type") {
        STELA_ASSIGN_OR_RETURN(std::string t, String(f.value, "type"));
        if (t == "best_fields") q->multi_match_type = Query::MultiMatchType::kBestFields;
        else if (t == "most_fields") q->multi_match_type = Query::MultiMatchType::kMostFields;
        else if (t == "phrase") q->multi_match_type = Query::MultiMatchType::kPhrase;
        else if (t == "phrase_prefix") q->multi_match_type = Query::MultiMatchType::kPhrasePrefix;
        else if (t == "cross_fields" || t == "bool_prefix") {
          // Scored as best_fields (documented difference).
          q->multi_match_type = Query::MultiMatchType::kBestFields;
        } else {
          return ParsingError("failed to parse [multi_match] query type [" + t + "]. unknown type.");
        }
      } else if (f.key == "tie_breaker") {
        STELA_ASSIGN_OR_RETURN(double t, Number(f.value, "tie_breaker"));
        q->tie_breaker = static_cast<float>(t);
      } else {
        if (f.key == "query") has_query = true;
        STELA_RETURN_IF_ERROR(MatchOption(f.key, f.value, "multi_match", q.get()));
      }
    }
    if (!has_query) return ParsingError("No text specified for multi_match query");
    return q;
  }

  StatusOr<std::unique_ptr<Query>> BoolQuery(element body, std::uint32_t depth) {
    auto q = std::make_unique<Query>();
    q->kind = Query::Kind::kBool;
    STELA_ASSIGN_OR_RETURN(object b, Object(body, "bool"));
    for (auto f : b) {
      std::vector<std::unique_ptr<Query>>* list = nullptr;
      if (f.key == "must") list = &q->must;
      if (f.key == "should") list = &q->should;
      if (f.key == "must_not" || f.key == "mustNot") list = &q->must_not;
      if (f.key == "filter") list = &q->filter;
      if (list != nullptr) {
        if (f.value.type() == T::ARRAY) {
          for (element c : Arr(f.value)) {
            STELA_ASSIGN_OR_RETURN(auto cq, ParseQuery(c, depth + 1));
            list->push_back(std::move(cq));
          }
        } else {
          STELA_ASSIGN_OR_RETURN(auto cq, ParseQuery(f.value, depth + 1));
          list->push_back(std::move(cq));
        }
        const std::size_t n = q->must.size() + q->should.size() + q->must_not.size() + q->filter.size();
        if (n > limits_.max_clause_count) {
          return Status::ResourceExhausted(
              "too_many_nested_clauses: Query contains too many nested clauses; maxClauseCount "
              "is set to " + std::to_string(limits_.max_clause_count));
        }
      } else if (f.key == "minimum_should_match") {
        STELA_ASSIGN_OR_RETURN(q->minimum_should_match, String(f.value, "minimum_should_match"));
      } else if (f.key == "adjust_pure_negative") {
        continue;
      } else {
        STELA_RETURN_IF_ERROR(Common(f.key, f.value, "bool", q.get()));
      }
    }
    return q;
  }

  StatusOr<std::unique_ptr<Query>> QueryStringQuery(element body, bool simple) {
    const std::string_view type = simple ? "simple_query_string" : "query_string";
    STELA_ASSIGN_OR_RETURN(object b, Object(body, type));
    std::string text;
    bool has_query = false;
    std::vector<std::string> fields;
    Query::Operator op = Query::Operator::kOr;
    float boost = 1;
    for (auto f : b) {
      if (f.key == "query") {
        STELA_ASSIGN_OR_RETURN(text, String(f.value, "query"));
        has_query = true;
      } else if (f.key == "default_field") {
        STELA_ASSIGN_OR_RETURN(std::string d, String(f.value, "default_field"));
        fields.push_back(std::move(d));
      } else if (f.key == "fields") {
        if (f.value.type() != T::ARRAY) return ParsingError("[" + std::string(type) + "] fields must be an array");
        for (element x : Arr(f.value)) {
          STELA_ASSIGN_OR_RETURN(std::string s, String(x, "fields"));
          fields.push_back(std::move(s));
        }
      } else if (f.key == "default_operator") {
        STELA_ASSIGN_OR_RETURN(std::string o, String(f.value, "default_operator"));
        for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (o == "and") op = Query::Operator::kAnd;
        else if (o == "or") op = Query::Operator::kOr;
        else return IllegalArgument("No enum constant for default_operator [" + o + "]");
      } else if (f.key == "boost") {
        STELA_ASSIGN_OR_RETURN(double d, Number(f.value, "boost"));
        boost = static_cast<float>(d);
      } else {
        continue;  // analyze_wildcard, lenient, flags, ...: accepted
      }
    }
    if (!has_query) return ParsingError("[" + std::string(type) + "] must be provided with a [query]");
    StatusOr<std::unique_ptr<Query>> q = ParseQueryString(text, fields, op, limits_);
    if (!q.ok()) {
      if (simple) {  // simple_query_string never fails: fall back to the words
        auto m = std::make_unique<Query>();
        m->kind = Query::Kind::kMultiMatch;
        m->fields = fields;
        m->value.text = text;
        m->boost = boost;
        return m;
      }
      return q.status();
    }
    (*q)->boost *= boost;
    return q;
  }

  Status Sort(element v, SearchRequest* r) {
    auto one = [&](element e) -> Status {
      SortField s;
      std::string name;
      element opts;
      bool has_opts = false;
      if (e.type() == T::STRING) {
        name = std::string(e.get_string().value_unsafe());
      } else if (e.type() == T::OBJECT) {
        object o = Obj(e);
        if (o.size() != 1) return ParsingError("[sort] expects one field per object");
        auto kv = *o.begin();
        name = std::string(kv.key);
        opts = kv.value;
        has_opts = true;
      } else {
        return ParsingError("[sort] malformed: " + Json(e));
      }
      // "field:desc" is how URI sorts arrive.
      if (e.type() == T::STRING) {
        if (auto colon = name.rfind(':'); colon != std::string::npos) {
          const std::string dir = name.substr(colon + 1);
          if (dir == "asc" || dir == "desc") {
            name = name.substr(0, colon);
            s.descending = dir == "desc";
            has_opts = false;
            if (name == "_score") s.by = SortField::By::kScore;
            else if (name == "_doc" || name == "_shard_doc") s.by = SortField::By::kDoc;
            else { s.by = SortField::By::kField; s.field = name; }
            r->sort.push_back(std::move(s));
            return Status::OK();
          }
        }
      }
      if (name == "_score") {
        s.by = SortField::By::kScore;
        s.descending = true;
      } else if (name == "_doc" || name == "_shard_doc") {
        s.by = SortField::By::kDoc;
        s.descending = false;
      } else {
        s.by = SortField::By::kField;
        s.field = name;
        s.descending = false;
      }
      if (has_opts) {
        auto order = [&](element x) -> Status {
          STELA_ASSIGN_OR_RETURN(std::string d, String(x, "order"));
          if (d == "asc") s.descending = false;
          else if (d == "desc") s.descending = true;
          else return IllegalArgument("Unknown SortOrder [" + d + "]");
          return Status::OK();
        };
        if (opts.type() == T::STRING) {
          STELA_RETURN_IF_ERROR(order(opts));
        } else if (opts.type() == T::OBJECT) {
          for (auto o : Obj(opts)) {
            if (o.key == "order") {
              STELA_RETURN_IF_ERROR(order(o.value));
            } else if (o.key == "missing") {
              STELA_ASSIGN_OR_RETURN(std::string m, String(o.value, "missing"));
              if (m == "_first") s.missing_first = true;
              else if (m == "_last") s.missing_first = false;
              else return IllegalArgument("missing as a custom value is not supported: [" + m + "]");
            } else if (o.key == "mode") {
              STELA_ASSIGN_OR_RETURN(std::string m, String(o.value, "mode"));
              if (m == "min") s.mode = SortField::Mode::kMin;
              else if (m == "max") s.mode = SortField::Mode::kMax;
              else return IllegalArgument("sort mode [" + m + "] is not supported");
            } else if (o.key == "unmapped_type") {
              STELA_ASSIGN_OR_RETURN(s.unmapped_type, String(o.value, "unmapped_type"));
            } else if (o.key == "format" || o.key == "numeric_type") {
              continue;
            } else {
              return ParsingError("[field_sort] unknown field [" + std::string(o.key) + "]");
            }
          }
        } else {
          return ParsingError("[sort] malformed options for [" + name + "]");
        }
      }
      r->sort.push_back(std::move(s));
      return Status::OK();
    };
    if (v.type() == T::ARRAY) {
      for (element e : Arr(v)) STELA_RETURN_IF_ERROR(one(e));
      return Status::OK();
    }
    return one(v);
  }

  Status Source(element v, SearchRequest* r) {
    auto list = [](element e, std::vector<std::string>* out) -> Status {
      if (e.type() == T::STRING) {
        out->emplace_back(e.get_string().value_unsafe());
        return Status::OK();
      }
      if (e.type() != T::ARRAY) return ParsingError("[_source] patterns must be strings");
      for (element x : Arr(e)) {
        if (x.type() != T::STRING) return ParsingError("[_source] patterns must be strings");
        out->emplace_back(x.get_string().value_unsafe());
      }
      return Status::OK();
    };
    if (v.type() == T::BOOL) {
      r->source_enabled = v.get_bool().value_unsafe();
      return Status::OK();
    }
    if (v.type() == T::OBJECT) {
      for (auto kv : Obj(v)) {
        if (kv.key == "includes" || kv.key == "include") {
          STELA_RETURN_IF_ERROR(list(kv.value, &r->source_includes));
        } else if (kv.key == "excludes" || kv.key == "exclude") {
          STELA_RETURN_IF_ERROR(list(kv.value, &r->source_excludes));
        } else if (kv.key == "enabled") {
          STELA_ASSIGN_OR_RETURN(r->source_enabled, Bool(kv.value, "enabled"));
        } else {
          return ParsingError("Unknown key [" + std::string(kv.key) + "] in [_source]");
        }
      }
      return Status::OK();
    }
    return list(v, &r->source_includes);
  }

  Status Highlight(element v, SearchRequest* r) {
    if (v.type() != T::OBJECT) return ParsingError("[highlight] must be an object");
    HighlightSpec spec;
    HighlightField defaults;
    std::vector<std::pair<std::string, element>> fields;
    auto tags = [](element e, std::vector<std::string>* out) -> Status {
      out->clear();
      if (e.type() == T::STRING) {
        out->emplace_back(e.get_string().value_unsafe());
        return Status::OK();
      }
      if (e.type() != T::ARRAY) return ParsingError("[highlight] tags must be an array of strings");
      for (element x : Arr(e)) {
        if (x.type() != T::STRING) return ParsingError("[highlight] tags must be strings");
        out->emplace_back(x.get_string().value_unsafe());
      }
      return Status::OK();
    };
    auto field_opts = [&](std::string_view key, element x, HighlightField* hf) -> StatusOr<bool> {
      if (key == "fragment_size") {
        STELA_ASSIGN_OR_RETURN(auto n, Integer(x, key));
        hf->fragment_size = static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 1, 1 << 20));
      } else if (key == "number_of_fragments") {
        STELA_ASSIGN_OR_RETURN(auto n, Integer(x, key));
        hf->number_of_fragments = static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 0, 1000));
      } else if (key == "no_match_size") {
        STELA_ASSIGN_OR_RETURN(auto n, Integer(x, key));
        hf->no_match_size = static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 0, 1 << 20));
      } else {
        return false;
      }
      return true;
    };
    for (auto kv : Obj(v)) {
      STELA_ASSIGN_OR_RETURN(bool used, field_opts(kv.key, kv.value, &defaults));
      if (used) continue;
      if (kv.key == "pre_tags") {
        STELA_RETURN_IF_ERROR(tags(kv.value, &spec.pre_tags));
      } else if (kv.key == "post_tags") {
        STELA_RETURN_IF_ERROR(tags(kv.value, &spec.post_tags));
      } else if (kv.key == "order") {
        STELA_ASSIGN_OR_RETURN(std::string o, String(kv.value, "order"));
        spec.order_by_score = o == "score";
      } else if (kv.key == "require_field_match") {
        STELA_ASSIGN_OR_RETURN(spec.require_field_match, Bool(kv.value, "require_field_match"));
      } else if (kv.key == "encoder") {
        STELA_ASSIGN_OR_RETURN(spec.encoder, String(kv.value, "encoder"));
      } else if (kv.key == "fields") {
        if (kv.value.type() == T::OBJECT) {
          for (auto f : Obj(kv.value)) fields.emplace_back(std::string(f.key), f.value);
        } else if (kv.value.type() == T::ARRAY) {
          for (element x : Arr(kv.value)) {
            if (x.type() != T::OBJECT) return ParsingError("[highlight] fields entries must be objects");
            for (auto f : Obj(x)) fields.emplace_back(std::string(f.key), f.value);
          }
        } else {
          return ParsingError("[highlight] fields must be an object or an array");
        }
      } else {
        continue;  // type, boundary_scanner, tags_schema, ...: accepted
      }
    }
    for (auto& [name, opts] : fields) {
      HighlightField hf = defaults;
      hf.field = name;
      if (opts.type() == T::OBJECT) {
        for (auto kv : Obj(opts)) {
          STELA_ASSIGN_OR_RETURN(bool used, field_opts(kv.key, kv.value, &hf));
          (void)used;
        }
      }
      spec.fields.push_back(std::move(hf));
    }
    r->highlight = std::move(spec);
    return Status::OK();
  }

  StatusOr<double> AggDate(element e, std::string_view what) {
    if (e.type() == T::STRING) {
      auto ms = search::ParseDateMath(e.get_string().value_unsafe(), search::NowMillis(), false);
      if (!ms.ok()) return ParsingError("[" + std::string(what) + "] " + std::string(ms.status().message()));
      return static_cast<double>(*ms);
    }
    return Number(e, what);
  }

  Status AggBody(std::string_view type, element body, Aggregation* a, std::uint32_t depth) {
    using K = Aggregation::Kind;
    static const std::pair<std::string_view, K> kTypes[] = {
        {"terms", K::kTerms},         {"range", K::kRange},
        {"date_range", K::kDateRange}, {"histogram", K::kHistogram},
        {"date_histogram", K::kDateHistogram}, {"min", K::kMin},
        {"max", K::kMax},             {"sum", K::kSum},
        {"avg", K::kAvg},             {"stats", K::kStats},
        {"value_count", K::kValueCount}, {"cardinality", K::kCardinality},
        {"filter", K::kFilter},       {"missing", K::kMissing}};
    bool known = false;
    for (const auto& [name, kind] : kTypes) {
      if (name == type) {
        a->kind = kind;
        known = true;
      }
    }
    if (!known) return ParsingError("Unknown aggregation type [" + std::string(type) + "] did you mean [terms]?");
    if (a->kind == K::kFilter) {
      STELA_ASSIGN_OR_RETURN(a->filter, ParseQuery(body, depth + 1));
      return Status::OK();
    }
    if (body.type() != T::OBJECT) return ParsingError("[" + std::string(type) + "] must be an object");
    if (a->kind == K::kHistogram || a->kind == K::kDateHistogram) a->min_doc_count = 0;
    for (auto kv : Obj(body)) {
      const std::string_view key = kv.key;
      element v = kv.value;
      if (key == "field") {
        STELA_ASSIGN_OR_RETURN(a->field, String(v, key));
      } else if (key == "size" && a->kind == K::kTerms) {
        STELA_ASSIGN_OR_RETURN(auto n, Integer(v, key));
        if (n <= 0) return IllegalArgument("[size] must be greater than 0. Found [" + std::to_string(n) + "] in [" + a->name + "]");
        a->size = static_cast<std::uint32_t>(std::min<std::int64_t>(n, UINT32_MAX));
      } else if (key == "min_doc_count") {
        STELA_ASSIGN_OR_RETURN(auto n, Integer(v, key));
        a->min_doc_count = static_cast<std::uint64_t>(std::max<std::int64_t>(0, n));
      } else if (key == "order") {
        element o = v;
        if (v.type() == T::ARRAY) {
          auto arr = Arr(v);
          if (arr.size() == 0) continue;
          o = *arr.begin();
        }
        if (o.type() != T::OBJECT || Obj(o).size() != 1) {
          return ParsingError("[order] must be an object with one key");
        }
        auto ord = *Obj(o).begin();
        STELA_ASSIGN_OR_RETURN(std::string dir, String(ord.value, "order"));
        a->order_ascending = dir == "asc";
        if (ord.key == "_key" || ord.key == "_term") a->order_by_key = true;
        else if (ord.key != "_count") return IllegalArgument("Invalid aggregation order path [" + std::string(ord.key) + "]");
      } else if (key == "ranges") {
        if (v.type() != T::ARRAY) return ParsingError("[ranges] must be an array");
        for (element x : Arr(v)) {
          if (x.type() != T::OBJECT) return ParsingError("[ranges] entries must be objects");
          Aggregation::Range range;
          for (auto rk : Obj(x)) {
            if (rk.key == "from" && rk.value.type() != T::NULL_VALUE) {
              STELA_ASSIGN_OR_RETURN(double d, a->kind == K::kDateRange ? AggDate(rk.value, "from") : Number(rk.value, "from"));
              range.from = d;
            } else if (rk.key == "to" && rk.value.type() != T::NULL_VALUE) {
              STELA_ASSIGN_OR_RETURN(double d, a->kind == K::kDateRange ? AggDate(rk.value, "to") : Number(rk.value, "to"));
              range.to = d;
            } else if (rk.key == "key") {
              STELA_ASSIGN_OR_RETURN(range.key, String(rk.value, "key"));
            }
          }
          a->ranges.push_back(std::move(range));
        }
      } else if (key == "keyed") {
        STELA_ASSIGN_OR_RETURN(a->keyed, Bool(v, key));
      } else if (key == "interval" && a->kind == K::kHistogram) {
        STELA_ASSIGN_OR_RETURN(a->interval, Number(v, key));
        if (!(a->interval > 0)) return IllegalArgument("[interval] must be >0 for histogram aggregation [" + a->name + "]");
      } else if (key == "offset") {
        STELA_ASSIGN_OR_RETURN(a->offset, Number(v, key));
      } else if (key == "calendar_interval" ||
                 (key == "interval" && a->kind == K::kDateHistogram)) {
        STELA_ASSIGN_OR_RETURN(std::string iv, String(v, key));
        static const char* kCalendar[] = {"minute", "1m", "hour", "1h", "day", "1d", "week", "1w",
                                          "month", "1M", "quarter", "1q", "year", "1y", "second", "1s"};
        bool ok = false;
        for (const char* c : kCalendar) ok = ok || iv == c;
        if (ok) {
          a->calendar_interval = iv;
        } else if (key == "interval") {
          STELA_RETURN_IF_ERROR(FixedInterval(iv, a));
        } else {
          return IllegalArgument("The supplied interval [" + iv + "] could not be parsed as a calendar interval.");
        }
      } else if (key == "fixed_interval") {
        STELA_ASSIGN_OR_RETURN(std::string iv, String(v, key));
        STELA_RETURN_IF_ERROR(FixedInterval(iv, a));
      } else if (key == "extended_bounds" || key == "hard_bounds") {
        if (v.type() != T::OBJECT) return ParsingError("[extended_bounds] must be an object");
        for (auto b : Obj(v)) {
          if (b.value.type() == T::NULL_VALUE) continue;
          const bool date = a->kind == K::kDateHistogram;
          STELA_ASSIGN_OR_RETURN(double d, date ? AggDate(b.value, b.key) : Number(b.value, b.key));
          if (b.key == "min") a->extended_min = d;
          if (b.key == "max") a->extended_max = d;
        }
      } else if (key == "precision_threshold") {
        STELA_ASSIGN_OR_RETURN(auto n, Integer(v, key));
        a->precision_threshold = static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 0, 40000));
      } else if (key == "missing") {
        STELA_ASSIGN_OR_RETURN(double d, Number(v, key));
        a->missing = d;
      } else if (key == "format" || key == "time_zone" || key == "shard_size" ||
                 key == "show_term_doc_count_error" || key == "execution_hint" ||
                 key == "collect_mode") {
        continue;
      } else {
        return ParsingError("[" + std::string(type) + "] unknown field [" + std::string(key) + "]");
      }
    }
    if (a->field.empty() && a->kind != K::kFilter) {
      return IllegalArgument("Required one of fields [field, script], but none were specified.");
    }
    if (a->kind == K::kHistogram && !(a->interval > 0)) {
      return IllegalArgument("[interval] must be >0 for histogram aggregation [" + a->name + "]");
    }
    if (a->kind == K::kDateHistogram && a->calendar_interval.empty() && !(a->interval > 0)) {
      return IllegalArgument("Invalid interval specified, must be non-null and non-empty");
    }
    if ((a->kind == K::kRange || a->kind == K::kDateRange) && a->ranges.empty()) {
      return IllegalArgument("No [ranges] specified for the [" + a->name + "] aggregation");
    }
    return Status::OK();
  }

  Status FixedInterval(const std::string& iv, Aggregation* a) {
    std::size_t i = 0;
    double n = 0;
    while (i < iv.size() && std::isdigit(static_cast<unsigned char>(iv[i]))) n = n * 10 + (iv[i++] - '0');
    const std::string unit = iv.substr(i);
    double ms = 0;
    if (unit == "ms") ms = 1;
    else if (unit == "s") ms = 1000;
    else if (unit == "m") ms = 60000;
    else if (unit == "h") ms = 3600000;
    else if (unit == "d") ms = 86400000;
    if (i == 0 || ms == 0 || n <= 0) {
      return IllegalArgument("failed to parse setting [date_histogram.fixedInterval] with value [" + iv + "] as a time value");
    }
    a->interval = n * ms;
    return Status::OK();
  }

  const SearchLimits& limits_;
};

Status ParseJson(simdjson::dom::parser& parser, std::string_view json, element* root) {
  auto err = parser.parse(json.data(), json.size()).get(*root);
  if (err != simdjson::SUCCESS) {
    return XContentError(std::string("failed to parse the request body: ") +
                         simdjson::error_message(err));
  }
  return Status::OK();
}

}  // namespace

StatusOr<SearchRequest> ParseSearchRequest(std::string_view json, const SearchLimits& limits) {
  SearchRequest r;
  std::size_t i = 0;
  while (i < json.size() && std::isspace(static_cast<unsigned char>(json[i]))) ++i;
  if (i == json.size()) return r;
  if (json.size() > limits.max_body_bytes) {
    return IllegalArgument("request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  simdjson::dom::parser parser;
  element root;
  STELA_RETURN_IF_ERROR(ParseJson(parser, json, &root));
  Parser p(limits);
  STELA_RETURN_IF_ERROR(p.Request(root, &r));
  return r;
}

StatusOr<std::unique_ptr<Query>> ParseQuery(std::string_view json, const SearchLimits& limits) {
  simdjson::dom::parser parser;
  element root;
  STELA_RETURN_IF_ERROR(ParseJson(parser, json, &root));
  Parser p(limits);
  return p.ParseQuery(root, 0);
}

}  // namespace stela::engine
