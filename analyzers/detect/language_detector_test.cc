#include "stela/analyzers/language_detector.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace stela::analyzers {
namespace {

namespace fs = std::filesystem;

TEST(CanonicalLanguageTest, FoldsAliasesRegionsAndCase) {
  EXPECT_EQ(CanonicalLanguage("de"), "de");
  EXPECT_EQ(CanonicalLanguage("pt-BR"), "pt");
  EXPECT_EQ(CanonicalLanguage("zh-Hant"), "zh");
  EXPECT_EQ(CanonicalLanguage("EN_us"), "en");
  EXPECT_EQ(CanonicalLanguage("nb"), "no");
  EXPECT_EQ(CanonicalLanguage("nn"), "no");
  EXPECT_EQ(CanonicalLanguage("iw"), "he");
  EXPECT_EQ(CanonicalLanguage("un"), "");
}

TEST(DetectLanguageTest, RejectsInvalidUtf8) {
  EXPECT_TRUE(DetectLanguage("abc \xC3").status().IsInvalidArgument());
}

TEST(DetectLanguageTest, NothingToDetectGivesNoLanguage) {
  for (std::string_view text : {"", "12345 67", "!!! ???", "\xF0\x9F\x98\x80"}) {
    auto d = DetectLanguage(text);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->language, "") << text;
    EXPECT_FALSE(d->reliable);
  }
}

TEST(DetectLanguageTest, HandlesHugeTextBySampling) {
  std::string text;
  while (text.size() < 4 * 1024 * 1024) text += "Die Kinder spielten in den großen Gärten. ";
  auto d = DetectLanguage(text);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->language, "de");
  EXPECT_TRUE(d->reliable);
}

// Accuracy on short paragraphs: every golden sentence (one or two sentences per line, 40
// languages). Prints the per-language table.
TEST(DetectLanguageTest, AccuracyOnShortParagraphsPerLanguage) {
  std::map<std::string, std::pair<int, int>> per_language;  // code -> (right, total)
  int right = 0, total = 0;
  for (const auto& dir : fs::directory_iterator(fs::path(STELA_SOURCE_DIR) / "tests" / "golden")) {
    const std::string code = dir.path().filename();
    std::ifstream in(dir.path() / "sentences.txt");
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto d = DetectLanguage(line);
      ASSERT_TRUE(d.ok());
      const bool ok = d->language == code;
      per_language[code].first += ok;
      per_language[code].second += 1;
      right += ok;
      ++total;
      if (!ok) std::printf("  %s detected as [%s]: %s\n", code.c_str(), d->language.c_str(),
                           line.c_str());
    }
  }
  std::string table;
  for (const auto& [code, rt] : per_language) {
    table += code + " " + std::to_string(rt.first) + "/" + std::to_string(rt.second) + "  ";
  }
  std::printf("detection: %d of %d short paragraphs right (%.1f%%)\n  %s\n", right, total,
              100.0 * right / total, table.c_str());
  ASSERT_GT(total, 80);
  EXPECT_GE(right * 100, total * 95) << "accuracy fell below 95%";
}

}  // namespace
}  // namespace stela::analyzers
