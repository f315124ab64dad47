// Copies out of simdjson results. Ranging over the array or object inside a temporary
// simdjson_result dangles (GCC warns); these return the value. Call only after checking the
// element's type: a mismatch gives an empty default.
#pragma once

#include <simdjson.h>

namespace stela::engine::search {

inline simdjson::dom::array Arr(simdjson::dom::element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}
inline simdjson::dom::object Obj(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}

}  // namespace stela::engine::search
