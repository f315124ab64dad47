// libFuzzer target: the _bulk NDJSON parser must turn any body into actions or a clean error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/rest/bulk_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto actions = stela::api::ParseBulk(body, "default");
  if (actions.ok()) {
    for (const auto& a : *actions) {
      // Sources point into the body; actions other than delete always have one line after.
      if (a.op != "delete" && (a.source.data() < body.data() ||
                               a.source.data() + a.source.size() > body.data() + body.size())) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
