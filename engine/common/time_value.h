// Elasticsearch time values ("500ms", "1s", "2m", "-1").
#pragma once

#include <cstdint>
#include <string_view>

#include "stela/common/status.h"

namespace stela {

// "1s", "500ms", "2m", "1h", "1d", "10micros", "0", "-1" -> milliseconds (-1 for "-1").
// InvalidArgument (Elasticsearch's illegal_argument_exception text) otherwise.
StatusOr<std::int64_t> ParseTimeValue(std::string_view s);

}  // namespace stela
