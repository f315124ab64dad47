#include "stela/common/status.h"

#include <gtest/gtest.h>

namespace stela {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  STELA_ASSIGN_OR_RETURN(int h, Half(x));
  STELA_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::OK();
}

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, ErrorCarriesCodeAndMessageThroughCopies) {
  Status s = Status::NotFound("no such analyzer [x]");
  Status copy = s;
  EXPECT_TRUE(copy.IsNotFound());
  EXPECT_EQ(copy.ToString(), "NotFound: no such analyzer [x]");
  copy = Status::OK();
  EXPECT_TRUE(copy.ok());
  EXPECT_TRUE(s.IsNotFound());
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  int out = -1;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "odd");
}

TEST(StatusDeathTest, ValueOfAnErrorAborts) {
  StatusOr<int> v = Status::Corruption("bad block");
  EXPECT_DEATH((void)v.value(), "Corruption: bad block");
}

}  // namespace
}  // namespace stela
