#include "analyzers/icu/utf8.h"

#include <unicode/utf8.h>

#include <cstring>
#include <string>

namespace stela::analyzers::icu {

namespace {
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
}  // namespace

bool IsAscii(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (word & kHighBits) return false;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) return false;
  }
  return true;
}

Status ValidateUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::int64_t n = static_cast<std::int64_t>(text.size());
  std::int64_t i = 0;
  while (i < n) {
    // Skip ASCII eight bytes at a time: most text is mostly ASCII.
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const std::int64_t at = i;
    UChar32 c;
    // U8_NEXT works on int32 indexes; walk from a window start so huge texts are fine.
    const std::int32_t len = static_cast<std::int32_t>(std::min<std::int64_t>(n - i, 4));
    std::int32_t j = 0;
    U8_NEXT(s + i, j, len, c);
    if (c < 0) {
      return Status::InvalidArgument("invalid UTF-8 at byte offset " + std::to_string(at));
    }
    i += j;
  }
  return Status::OK();
}

std::size_t PrefixBytes(std::string_view text, std::size_t n) {
  std::size_t i = 0;
  while (i < text.size() && n > 0) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    --n;
  }
  return i;
}

std::int32_t NextCodePoint(std::string_view text, std::size_t* i) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data() + *i);
  const std::int32_t len = static_cast<std::int32_t>(std::min<std::size_t>(text.size() - *i, 4));
  std::int32_t j = 0;
  UChar32 c;
  U8_NEXT(s, j, len, c);
  *i += j;
  return c;
}

}  // namespace stela::analyzers::icu
