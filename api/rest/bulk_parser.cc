#include "api/rest/bulk_parser.h"

#include <simdjson.h>

namespace stela::api {

StatusOr<std::vector<BulkAction>> ParseBulk(std::string_view body,
                                            const std::string& default_index) {
  std::vector<BulkAction> out;
  simdjson::dom::parser parser;
  std::size_t pos = 0, line_no = 0;
  auto next_line = [&](std::string_view* line) {
    while (pos < body.size()) {
      std::size_t nl = body.find('\n', pos);
      if (nl == std::string_view::npos) nl = body.size();
      *line = body.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      while (!line->empty() && (line->back() == '\r' || line->back() == ' ' || line->back() == '\t')) {
        line->remove_suffix(1);
      }
      if (!line->empty()) return true;
    }
    return false;
  };
  std::string_view line;
  while (next_line(&line)) {
    simdjson::dom::element action;
    simdjson::dom::object obj;
    if (parser.parse(line.data(), line.size()).get(action) || action.get_object().get(obj) ||
        obj.size() != 1) {
      return Status::InvalidArgument(
          "illegal_argument_exception: Malformed action/metadata line [" +
          std::to_string(line_no) + "], expected START_OBJECT or END_OBJECT but found [" +
          (line.empty() ? std::string("nothing") : std::string(line.substr(0, 40))) + "]");
    }
    auto kv = *obj.begin();
    BulkAction a;
    a.op = std::string(kv.key);
    a.line = line_no;
    if (a.op != "index" && a.op != "create" && a.op != "update" && a.op != "delete") {
      return Status::InvalidArgument(
          "illegal_argument_exception: Malformed action/metadata line [" +
          std::to_string(line_no) +
          "], expected field [create], [delete], [index] or [update] but found [" + a.op + "]");
    }
    a.index = default_index;
    simdjson::dom::object meta;
    if (kv.value.get_object().get(meta)) {
      return Status::InvalidArgument("illegal_argument_exception: Malformed action/metadata line [" +
                                     std::to_string(line_no) + "], expected an object after [" +
                                     a.op + "]");
    }
    for (auto m : meta) {
      std::string value;
      std::string_view sv;
      if (!m.value.get_string().get(sv)) {
        value = std::string(sv);
      } else {
        value = simdjson::minify(m.value);
      }
      if (m.key == "_index") a.index = value;
      else if (m.key == "_id") a.id = value;
      else if (m.key == "if_seq_no") a.if_seq_no = value;
      else if (m.key == "if_primary_term") a.if_primary_term = value;
      else if (m.key == "version") a.version = value;
      else if (m.key == "version_type") a.version_type = value;
      else if (m.key == "routing" || m.key == "pipeline" || m.key == "require_alias" ||
               m.key == "retry_on_conflict" || m.key == "_source" || m.key == "dynamic_templates") {
        continue;
      } else {
        return Status::InvalidArgument("illegal_argument_exception: Action/metadata line [" +
                                       std::to_string(line_no) + "] contains an unknown parameter [" +
                                       std::string(m.key) + "]");
      }
    }
    if (a.op != "delete") {
      std::string_view source;
      if (!next_line(&source)) {
        return Status::InvalidArgument(
            "illegal_argument_exception: The bulk request must be terminated by a newline [\\n]");
      }
      a.source = source;
    }
    out.push_back(std::move(a));
  }
  if (out.empty()) {
    return Status::InvalidArgument(
        "action_request_validation_exception: Validation Failed: 1: no requests added;");
  }
  return out;
}

}  // namespace stela::api
