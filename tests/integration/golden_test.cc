// Golden token streams: tests/golden/<lang>/sentences.txt analysed with that language's chain
// must give exactly tests/golden/<lang>/sentences.expected. The expected files were generated
// and then reviewed by hand; regenerate after an intended change with STELA_UPDATE_GOLDEN=1 and
// review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "stela/analyzers/registry.h"

namespace stela::analyzers {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() { return fs::path(STELA_SOURCE_DIR) / "tests" / "golden"; }

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> GoldenLanguages() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(GoldenDir())) {
    if (fs::exists(entry.path() / "sentences.txt")) out.push_back(entry.path().filename());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One block per input line: "# line", then "term<TAB>position<TAB>start<TAB>end<TAB>type".
std::string Render(const Analyzer& analyzer, const std::string& input) {
  auto stream = analyzer.NewStream();
  EXPECT_TRUE(stream.ok());
  std::string out = "# analyzer: " + std::string(analyzer.name()) + "\n";
  std::istringstream lines(input);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    out += "\n# " + line + "\n";
    std::vector<Token> tokens;
    Status s = (*stream)->Analyze(line, &tokens);
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (const Token& t : tokens) {
      out += t.term + "\t" + std::to_string(t.position) + "\t" + std::to_string(t.start_offset) +
             "\t" + std::to_string(t.end_offset) + "\t" + std::string(TokenTypeName(t.type)) +
             "\n";
    }
  }
  return out;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, TokenStreamMatchesReviewedGolden) {
  auto registry = Registry::CreateBuiltin();
  ASSERT_TRUE(registry.ok());
  const std::string lang = GetParam();
  auto analyzer = (*registry)->ForLanguage(lang);
  ASSERT_TRUE(analyzer.ok());
  const fs::path dir = GoldenDir() / lang;
  const std::string actual = Render(**analyzer, ReadFile(dir / "sentences.txt"));
  const fs::path expected_path = dir / "sentences.expected";
  if (const char* update = std::getenv("STELA_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(expected_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path << " is missing";
  EXPECT_EQ(actual, ReadFile(expected_path)) << "golden mismatch for " << lang;
}

TEST(GoldenCoverageTest, EveryNamedLanguageHasAGolden) {
  auto registry = Registry::CreateBuiltin();
  ASSERT_TRUE(registry.ok());
  const std::vector<std::string> golden = GoldenLanguages();
  for (const std::string& code : (*registry)->languages()) {
    if (code == "ckb" || code == "bn" || code == "et" || code == "gl" || code == "lv") {
      continue;  // ICU chain without stemming, same code path as "cs"/"bg", which have goldens
    }
    EXPECT_TRUE(std::find(golden.begin(), golden.end(), code) != golden.end()) << code;
  }
}

INSTANTIATE_TEST_SUITE_P(Languages, GoldenTest, ::testing::ValuesIn(GoldenLanguages()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace stela::analyzers
