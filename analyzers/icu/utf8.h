// UTF-8 helpers built on ICU's macros: validation with the offending offset, code point walking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stela/common/status.h"

namespace stela::analyzers::icu {

// OK if `text` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF);
// otherwise InvalidArgument "invalid UTF-8 at byte offset N". NUL bytes are valid (U+0000).
Status ValidateUtf8(std::string_view text);

// True if every byte is below 0x80.
bool IsAscii(std::string_view text);

// Byte length of the first `n` code points of valid UTF-8 `text` (all of it if it has fewer).
std::size_t PrefixBytes(std::string_view text, std::size_t n);

// Decodes the code point at byte `*i` of valid UTF-8 `text` and advances `*i` past it.
std::int32_t NextCodePoint(std::string_view text, std::size_t* i);

}  // namespace stela::analyzers::icu
