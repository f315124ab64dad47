#include "api/server/flags.h"

#include <gtest/gtest.h>

namespace stela::api {
namespace {

constexpr FlagSpec kSpecs[] = {{"analyzer", true, ""}, {"http-port", true, ""}, {"verbose", false, ""}};

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(FlagsTest, ParsesBothValueSpellingsAndPositionals) {
  std::vector<std::string> args = {"--analyzer", "german", "Die", "--http-port=9201", "Häuser"};
  auto flags = Flags::Parse(args, kSpecs, FakeEnv({}));
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->Get("analyzer"), "german");
  EXPECT_EQ(flags->Get("http-port"), "9201");
  EXPECT_EQ(flags->positional(), (std::vector<std::string>{"Die", "Häuser"}));
  EXPECT_FALSE(flags->IsSet("verbose"));
}

TEST(FlagsTest, EnvironmentFillsWhatTheCommandLineLeavesOut) {
  std::vector<std::string> args = {"--analyzer=english"};
  auto flags = Flags::Parse(args, kSpecs, FakeEnv({{"STELA_HTTP_PORT", "9300"},
                                                   {"STELA_ANALYZER", "french"},
                                                   {"STELA_VERBOSE", "1"}}));
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->Get("analyzer"), "english");
  EXPECT_EQ(flags->Get("http-port"), "9300");
  EXPECT_TRUE(flags->IsSet("verbose"));
  EXPECT_EQ(Flags::EnvName("http-port"), "STELA_HTTP_PORT");
}

TEST(FlagsTest, DoubleDashEndsFlags) {
  std::vector<std::string> args = {"--", "--analyzer"};
  auto flags = Flags::Parse(args, kSpecs, FakeEnv({}));
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->positional(), std::vector<std::string>{"--analyzer"});
  EXPECT_FALSE(flags->Get("analyzer").has_value());
}

TEST(FlagsTest, RejectsUnknownFlagsAndMissingValues) {
  std::vector<std::string> unknown = {"--colour", "x"};
  EXPECT_TRUE(Flags::Parse(unknown, kSpecs, FakeEnv({})).status().IsInvalidArgument());
  std::vector<std::string> missing = {"--analyzer"};
  auto s = Flags::Parse(missing, kSpecs, FakeEnv({})).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("needs a value"), std::string_view::npos);
  std::vector<std::string> bool_with_value = {"--verbose=yes"};
  EXPECT_TRUE(Flags::Parse(bool_with_value, kSpecs, FakeEnv({})).status().IsInvalidArgument());
}

}  // namespace
}  // namespace stela::api
