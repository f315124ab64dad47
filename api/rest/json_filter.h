// Response post-processing Elasticsearch offers on every endpoint: `filter_path` (keep only the
// named paths, with * and ** wildcards, or drop them with a leading -) and `pretty`.
#pragma once

#include <string>
#include <string_view>

#include "stela/common/status.h"

namespace stela::api {

// Filters JSON `json` by a comma-separated filter_path. Returns InvalidArgument for bad JSON.
StatusOr<std::string> FilterPath(std::string_view json, std::string_view filter_path);
// Re-indents JSON (two spaces), as `?pretty` does. Strings are copied untouched.
std::string PrettyJson(std::string_view json);

}  // namespace stela::api
