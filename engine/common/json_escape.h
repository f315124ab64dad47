// Writing JSON string literals: the one escaper every JSON writer in Stela uses.
#pragma once

#include <string>
#include <string_view>

namespace stela {

// Appends `s` (UTF-8) to `*out` as a quoted JSON string: '"' and '\' escaped, control characters
// as \n, \t, ... or \u00XX. Bytes >= 0x80 are copied as they are.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace stela
