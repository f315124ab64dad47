// libFuzzer target: the search DSL and the Lucene query-string parser must turn any input into a
// request or a clean error — never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stela/engine/search.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  stela::engine::SearchLimits limits;
  limits.max_depth = 8;
  limits.max_clause_count = 64;
  auto request = stela::engine::ParseSearchRequest(input, limits);
  if (request.ok() && request->size > limits.max_result_window + 1000000u) __builtin_trap();
  auto query = stela::engine::ParseQuery(input, limits);
  (void)query;
  auto qs = stela::engine::ParseQueryString(input, {"title", "body"},
                                            stela::engine::Query::Operator::kOr, limits);
  (void)qs;
  return 0;
}
