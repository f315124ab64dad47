#include "api/server/analyze_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace stela::api {
namespace {

class AnalyzeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = analyzers::Registry::CreateBuiltin();
    ASSERT_TRUE(r.ok());
    registry_ = std::move(r).value();
  }
  Status Run(std::vector<std::string> args, std::string* out) {
    auto flags = Flags::Parse(args, AnalyzeFlags(), nullptr);
    if (!flags.ok()) return flags.status();
    return RunAnalyze(*flags, *registry_, out);
  }
  std::unique_ptr<analyzers::Registry> registry_;
};

TEST_F(AnalyzeCommandTest, PrintsOneJsonLinePerToken) {
  std::string out;
  ASSERT_TRUE(Run({"--analyzer", "german", "Die", "Häuser"}, &out).ok());
  EXPECT_EQ(out,
            "{\"token\":\"haus\",\"start_offset\":4,\"end_offset\":11,\"type\":\"<ALPHANUM>\","
            "\"position\":1}\n");
}

TEST_F(AnalyzeCommandTest, AutoAddsTheDetectedLanguage) {
  std::string out;
  ASSERT_TRUE(Run({"--language", "auto", "Les enfants jouaient dans les jardins."}, &out).ok());
  EXPECT_NE(out.find("\"token\":\"enfant\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"language\":\"fr\""), std::string::npos) << out;
}

TEST_F(AnalyzeCommandTest, ReadsTheTextFromAFile) {
  const auto path = std::filesystem::path(::testing::TempDir()) / "analyze_command_input.txt";
  std::ofstream(path) << "Running\n";
  std::string out;
  ASSERT_TRUE(Run({"--analyzer=english", "--file", path.string()}, &out).ok());
  EXPECT_NE(out.find("\"token\":\"run\""), std::string::npos) << out;
  std::filesystem::remove(path);
  EXPECT_TRUE(Run({"--file", path.string()}, &out).code() == Status::Code::kIOError);
}

TEST_F(AnalyzeCommandTest, ReportsBadRequestsClearly) {
  std::string out;
  Status s = Run({"--analyzer", "klingon", "x"}, &out);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "failed to find analyzer [klingon]");
  EXPECT_TRUE(Run({"--analyzer", "english", "--language", "de", "x"}, &out).IsInvalidArgument());
  EXPECT_TRUE(Run({"--language", "1x", "x"}, &out).IsInvalidArgument());
  EXPECT_TRUE(Run({"bad \xFF byte"}, &out).IsInvalidArgument());
  EXPECT_TRUE(Run({"--file", "a", "b"}, &out).IsInvalidArgument());
}

TEST_F(AnalyzeCommandTest, EscapesTokensForJson) {
  std::string out;
  ASSERT_TRUE(Run({"--analyzer", "whitespace", "say\"hi\\"}, &out).ok());
  EXPECT_NE(out.find(R"("token":"say\"hi\\")"), std::string::npos) << out;
}

}  // namespace
}  // namespace stela::api
