// Small helpers of query rewriting: minimum_should_match, glob patterns, edit distance, UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stela/common/status.h"

namespace stela::engine::search {

// Elasticsearch's minimum_should_match for `n` optional clauses: "3", "-1", "75%", "-25%",
// "2<75%", "3<-1 5<50%". Empty: `fallback`. Returns InvalidArgument for malformed specs.
StatusOr<std::uint32_t> MinimumShouldMatch(std::string_view spec, std::uint32_t n,
                                           std::uint32_t fallback);

// `*` matches any run of code points, `?` one code point, `\` escapes the next character.
bool GlobMatch(std::string_view pattern, std::string_view text, bool case_insensitive);
std::string EscapeWildcard(std::string_view literal);
// The pattern's leading literal part (where a term scan can start).
std::string GlobLiteralPrefix(std::string_view pattern);
std::string AsciiLower(std::string_view s);

std::u32string DecodeUtf8(std::string_view s);  // invalid bytes become U+FFFD
std::string EncodeUtf8(std::u32string_view s);

// Levenshtein distance (with adjacent transpositions counted as one edit when asked), or
// max_edits + 1 once it is certain to exceed max_edits.
std::uint32_t BoundedEditDistance(std::u32string_view a, std::u32string_view b,
                                  std::uint32_t max_edits, bool transpositions);

}  // namespace stela::engine::search
