#include "analyzers/chain/test_util.h"

#include <gtest/gtest.h>

namespace stela::analyzers::testing {

std::vector<Token> Analyze(const Analyzer& analyzer, std::string_view text,
                           std::string_view language) {
  auto stream = analyzer.NewStream();
  EXPECT_TRUE(stream.ok()) << stream.status().ToString();
  std::vector<Token> tokens;
  if (!stream.ok()) return tokens;
  Status s = (*stream)->Analyze(text, language, &tokens);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return tokens;
}

std::string Describe(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t.term + "@" + std::to_string(t.position) + "[" + std::to_string(t.start_offset) +
           "," + std::to_string(t.end_offset) + ")";
  }
  return out;
}

std::vector<std::string> Terms(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.push_back(t.term);
  return out;
}

}  // namespace stela::analyzers::testing
