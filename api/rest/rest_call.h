// The request being answered, shared by the REST handler's files.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/rest/json_writer.h"
#include "api/rest/rest_handler.h"

namespace stela::api {

struct RestHandler::Call {
  const HttpRequest& req;
  std::vector<std::string> segments;  // decoded path segments
  std::string content_type;           // for JSON answers (compatible-with echoed)
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  std::string Param(const std::string& name, const std::string& fallback = "") const {
    auto it = req.params.find(name);
    return it == req.params.end() ? fallback : it->second;
  }
  bool Has(const std::string& name) const { return req.params.count(name) != 0; }
  // Elasticsearch booleans in parameters: "" (present) and "true" are true.
  bool Flag(const std::string& name) const {
    auto it = req.params.find(name);
    return it != req.params.end() && (it->second.empty() || it->second == "true");
  }
  std::int64_t TookMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - start)
        .count();
  }
  HttpResponse Json(int status, std::string body) const {
    HttpResponse r;
    r.status = status;
    r.content_type = content_type;
    r.body = std::move(body);
    return r;
  }
};

// "a,b,,c" -> {"a", "b", "c"} (URL parameters such as _source, sort, scroll ids).
inline std::vector<std::string> SplitCommaList(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Writes {"total":1,"successful":1,"failed":0} (a single-copy write).
inline void WriteShards(JsonWriter* w, int total = 1, int successful = 1) {
  w->BeginObject();
  w->Key("total").Int(total);
  w->Key("successful").Int(successful);
  w->Key("failed").Int(0);
  w->EndObject();
}

}  // namespace stela::api
