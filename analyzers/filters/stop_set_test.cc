#include "analyzers/filters/stop_set.h"

#include <gtest/gtest.h>

#include "analyzers/filters/term_hash.h"

namespace stela::analyzers {
namespace {

bool In(const StopSet& set, std::string_view w) { return set.Contains(w, TermHash(w)); }

TEST(StopSetTest, FindsExactlyTheWordsItHolds) {
  constexpr std::string_view kWords[] = {"the", "a", "of", "and", "a", "über", "longer-than-8"};
  StopSet set(kWords);
  for (std::string_view w : kWords) EXPECT_TRUE(In(set, w)) << w;
  for (std::string_view w : {"", "th", "thee", "The", "uber", "longer-than-9", "an"}) {
    EXPECT_FALSE(In(set, w)) << w;
  }
}

TEST(StopSetTest, EmptySetHoldsNothing) {
  StopSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(In(set, "the"));
}

TEST(TermHashTest, DiffersOnLengthAndEveryByte) {
  EXPECT_NE(TermHash("a"), TermHash(std::string_view("a\0", 2)));
  EXPECT_NE(TermHash("abcdefgh1"), TermHash("abcdefgh2"));
  EXPECT_NE(TermHash("1bcdefgh"), TermHash("2bcdefgh"));
  EXPECT_EQ(TermHash("stable"), TermHash(std::string("stable")));
}

}  // namespace
}  // namespace stela::analyzers
