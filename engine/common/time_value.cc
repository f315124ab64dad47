#include "engine/common/time_value.h"

#include <cstdint>
#include <string>

namespace stela {

StatusOr<std::int64_t> ParseTimeValue(std::string_view s) {
  if (s == "-1") return -1;
  if (s == "0") return 0;  // as Elasticsearch: zero needs no unit
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (n > (INT64_MAX - 9) / 10 / 86400000) {
      return Status::InvalidArgument("illegal_argument_exception: time value [" + std::string(s) + "] is too large");
    }
    n = n * 10 + (s[i++] - '0');
  }
  const std::string_view unit = s.substr(i);
  if (i == 0) return Status::InvalidArgument("illegal_argument_exception: failed to parse time value [" + std::string(s) + "]");
  if (unit == "ms") return n;
  if (unit == "s") return n * 1000;
  if (unit == "m") return n * 60000;
  if (unit == "h") return n * 3600000;
  if (unit == "d") return n * 86400000;
  if (unit == "nanos" || unit == "micros") return n / (unit == "nanos" ? 1000000 : 1000);
  return Status::InvalidArgument("illegal_argument_exception: failed to parse setting with value [" +
                                 std::string(s) + "] as a time value: unit is missing or unrecognized");
}

}  // namespace stela
