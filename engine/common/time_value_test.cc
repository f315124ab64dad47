#include "engine/common/time_value.h"

#include <gtest/gtest.h>

namespace stela {
namespace {

TEST(TimeValueTest, UnitsAndErrors) {
  EXPECT_EQ(*ParseTimeValue("250ms"), 250);
  EXPECT_EQ(*ParseTimeValue("2s"), 2000);
  EXPECT_EQ(*ParseTimeValue("3m"), 180000);
  EXPECT_EQ(*ParseTimeValue("1h"), 3600000);
  EXPECT_EQ(*ParseTimeValue("1d"), 86400000);
  EXPECT_EQ(*ParseTimeValue("1500micros"), 1);
  EXPECT_EQ(*ParseTimeValue("-1"), -1);
  EXPECT_EQ(*ParseTimeValue("0"), 0);
  for (const char* bad : {"", "ms", "5", "5 s", "5parsecs", "-5s", "99999999999999999999s"}) {
    EXPECT_FALSE(ParseTimeValue(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace stela
