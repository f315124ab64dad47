#include "engine/common/json_escape.h"

#include <gtest/gtest.h>

namespace stela {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Json("l1\nl2\t"), R"("l1\nl2\t")");
  EXPECT_EQ(Json(std::string_view("\0\x1f", 2)), R"("\u0000\u001f")");
}

TEST(JsonEscapeTest, CopiesUtf8Unchanged) { EXPECT_EQ(Json("Häuser 東京"), "\"Häuser 東京\""); }

}  // namespace
}  // namespace stela
