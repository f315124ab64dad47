#include "analyzers/icu/utf8.h"

#include <gtest/gtest.h>

namespace stela::analyzers::icu {
namespace {

TEST(Utf8Test, AcceptsWellFormedTextIncludingNul) {
  EXPECT_TRUE(ValidateUtf8("").ok());
  EXPECT_TRUE(ValidateUtf8("plain ascii, long enough for the 8-byte path").ok());
  EXPECT_TRUE(ValidateUtf8("Häuser 東京 𝄞 ภาษา").ok());
  EXPECT_TRUE(ValidateUtf8(std::string_view("a\0b", 3)).ok());
}

TEST(Utf8Test, RejectsMalformedSequencesNamingTheOffset) {
  struct Case {
    std::string_view bytes;
    std::size_t offset;
  } cases[] = {
      {"abc\x80", 3},                 // lone continuation byte
      {"ab\xC3", 2},                  // truncated two-byte sequence
      {"12345678\xC0\xAF", 8},        // overlong '/'
      {"x\xED\xA0\x80y", 1},          // UTF-16 surrogate
      {"\xF4\x90\x80\x80", 0},        // above U+10FFFF
      {"ok\xFF", 2},                  // never valid
      {"\xE6\x9D\xB1\xE4\xBA", 3},    // second ideograph cut short
  };
  for (const Case& c : cases) {
    Status s = ValidateUtf8(c.bytes);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.offset;
    EXPECT_EQ(s.message(), "invalid UTF-8 at byte offset " + std::to_string(c.offset));
  }
}

TEST(Utf8Test, PrefixesByCodePoint) {
  EXPECT_EQ(PrefixBytes("Häuser", 2), 3u);
  EXPECT_EQ(PrefixBytes("東京", 1), 3u);
  EXPECT_EQ(PrefixBytes("ab", 5), 2u);
  std::size_t i = 1;
  EXPECT_EQ(NextCodePoint("Häu", &i), 0xE4);
  EXPECT_EQ(i, 3u);
}

TEST(Utf8Test, IsAsciiLooksAtEveryByte) {
  EXPECT_TRUE(IsAscii("0123456789abcdef"));
  EXPECT_FALSE(IsAscii("0123456789abcde\xC3\xA9"));
  EXPECT_FALSE(IsAscii("\xC3\xA9"));
}

}  // namespace
}  // namespace stela::analyzers::icu
