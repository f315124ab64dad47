// The _bulk body: NDJSON action/metadata lines, each followed (except delete) by a source line.
// Parsed completely before anything is applied, so a malformed request changes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

namespace stela::api {

struct BulkAction {
  std::string op;  // index, create, update, delete
  std::string index, id;
  std::string if_seq_no, if_primary_term, version, version_type;  // as given, validated later
  std::string_view source;  // the following line (not for delete); points into the body
  std::size_t line = 0;     // 1-based line of the action
};

// Returns InvalidArgument with Elasticsearch's messages ("Malformed action/metadata line [N],
// ...", "The bulk request must be terminated by a newline [\\n]") for malformed bodies. An empty
// index in the metadata falls back to `default_index`. Cost: linear in the body.
StatusOr<std::vector<BulkAction>> ParseBulk(std::string_view body, const std::string& default_index);

}  // namespace stela::api
