#include "api/rest/json_filter.h"

#include <simdjson.h>

#include <vector>

#include "engine/common/json_escape.h"
#include "engine/search/query_util.h"

namespace stela::api {

namespace {

using Path = std::vector<std::string>;

// Does `pattern` (split on dots, * one level, ** any levels) match the path so far?
// Returns 2 for a full match, 1 when a deeper path could match, 0 otherwise.
int Match(const Path& pattern, std::size_t pi, const Path& path, std::size_t qi) {
  if (qi == path.size()) return pi == pattern.size() ? 2 : 1;
  if (pi == pattern.size()) return 0;
  if (pattern[pi] == "**") {
    int best = Match(pattern, pi + 1, path, qi);
    if (best == 2) return 2;
    const int deeper = Match(pattern, pi, path, qi + 1);
    return std::max(best, deeper == 0 ? 0 : deeper);
  }
  if (!engine::search::GlobMatch(pattern[pi], path[qi], false)) return 0;
  return Match(pattern, pi + 1, path, qi + 1);
}

Path Split(std::string_view s) {
  Path out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    out.emplace_back(s.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

struct Filters {
  std::vector<Path> include, exclude;
};

// Writes `e` at `path` if the filters keep it; returns whether anything was written.
bool Write(simdjson::dom::element e, Path& path, const Filters& f, bool included, std::string* out) {
  using T = simdjson::dom::element_type;
  if (!path.empty()) {
    for (const Path& x : f.exclude) {
      if (Match(x, 0, path, 0) == 2) return false;
    }
  }
  bool full = included || f.include.empty();
  bool partial = false;
  if (!full) {
    for (const Path& p : f.include) {
      const int m = Match(p, 0, path, 0);
      if (m == 2) full = true;
      if (m == 1) partial = true;
    }
  }
  if (!full && !partial) return false;
  if (e.type() == T::OBJECT) {
    simdjson::dom::object obj;
    if (e.get_object().get(obj)) return false;
    std::string body = "{";
    bool any = false;
    for (auto kv : obj) {
      path.emplace_back(kv.key);
      std::string part;
      if (Write(kv.value, path, f, full, &part)) {
        if (any) body.push_back(',');
        AppendJsonString(kv.key, &body);
        body.push_back(':');
        body += part;
        any = true;
      }
      path.pop_back();
    }
    if (!any && !full) return false;
    out->append(body).push_back('}');
    return true;
  }
  if (e.type() == T::ARRAY) {
    simdjson::dom::array arr;
    if (e.get_array().get(arr)) return false;
    std::string body = "[";
    bool any = false;
    for (simdjson::dom::element item : arr) {
      std::string part;
      if (Write(item, path, f, full, &part)) {
        if (any) body.push_back(',');
        body += part;
        any = true;
      }
    }
    if (!any && !full) return false;
    out->append(body).push_back(']');
    return true;
  }
  if (!full) return false;
  out->append(simdjson::minify(e));
  return true;
}

}  // namespace

StatusOr<std::string> FilterPath(std::string_view json, std::string_view filter_path) {
  Filters f;
  std::size_t start = 0;
  while (start <= filter_path.size()) {
    std::size_t comma = filter_path.find(',', start);
    if (comma == std::string_view::npos) comma = filter_path.size();
    std::string_view part = filter_path.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) continue;
    if (part[0] == '-') f.exclude.push_back(Split(part.substr(1)));
    else f.include.push_back(Split(part));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) {
    return Status::InvalidArgument("response is not JSON");
  }
  Path path;
  std::string out;
  if (!Write(root, path, f, false, &out)) out = "{}";
  return out;
}

std::string PrettyJson(std::string_view json) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out.push_back(c);
        break;
      case '{':
      case '[':
        out.push_back(c);
        if (i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) {
          out.push_back(json[++i]);
          break;
        }
        ++depth;
        newline();
        break;
      case '}':
      case ']':
        --depth;
        newline();
        out.push_back(c);
        break;
      case ',':
        out.push_back(c);
        newline();
        break;
      case ':':
        out.append(" : ");
        break;
      case ' ': case '\n': case '\t': case '\r':
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('\n');
  return out;
}

}  // namespace stela::api
