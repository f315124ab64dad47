#include "analyzers/icu/case_folder.h"

#include <gtest/gtest.h>

namespace stela::analyzers::icu {
namespace {

std::string Fold(std::string_view in, CaseMode mode = CaseMode::kNfkcCaseFold,
                 bool turkish = false) {
  auto folder = CaseFolder::Create();
  EXPECT_TRUE(folder.ok());
  std::string out;
  EXPECT_TRUE(folder->Fold(in, mode, turkish, &out).ok());
  return out;
}

TEST(CaseFolderTest, NfkcCaseFoldHandlesCompatibilityAndFullFolding) {
  EXPECT_EQ(Fold("HELLO"), "hello");
  EXPECT_EQ(Fold("Straße"), "strasse");          // full case folding
  EXPECT_EQ(Fold("ＡＢＣ１２"), "abc12");          // fullwidth forms
  EXPECT_EQ(Fold("ﬁnd"), "find");                // ligature
  EXPECT_EQ(Fold("ΣΊΣΥΦΟΣ"), "σίσυφοσ");         // Greek: final sigma folds to σ
  EXPECT_EQ(Fold("ｶﾀｶﾅ"), "カタカナ");           // halfwidth katakana
  EXPECT_EQ(Fold("e\xCC\x81"), "\xC3\xA9");      // composed: e + U+0301 -> é
  EXPECT_EQ(Fold("soft\xC2\xADhyphen"), "softhyphen");  // default ignorable removed
}

TEST(CaseFolderTest, LowercaseKeepsCompatibilityForms) {
  EXPECT_EQ(Fold("Straße", CaseMode::kLowercase), "straße");
  EXPECT_EQ(Fold("ＡＢＣ", CaseMode::kLowercase), "ａｂｃ");
  EXPECT_EQ(Fold("MiXeD", CaseMode::kNone), "MiXeD");
}

TEST(CaseFolderTest, TurkishDottedAndDotlessI) {
  EXPECT_EQ(Fold("ISTANBUL", CaseMode::kNfkcCaseFold, true), "ıstanbul");
  EXPECT_EQ(Fold("İstanbul", CaseMode::kNfkcCaseFold, true), "istanbul");
  EXPECT_EQ(Fold("ISTANBUL"), "istanbul");
}

TEST(CaseFolderTest, AsciiFoldingStripsDiacriticsAndSpellsSpecialLetters) {
  auto folder = CaseFolder::Create();
  ASSERT_TRUE(folder.ok());
  std::string out;
  ASSERT_TRUE(folder->FoldToAscii("café naïve øre łódź æble", &out).ok());
  EXPECT_EQ(out, "cafe naive ore lodz aeble");
  ASSERT_TRUE(folder->FoldToAscii("東京", &out).ok());
  EXPECT_EQ(out, "東京");  // no ASCII form: unchanged
}

}  // namespace
}  // namespace stela::analyzers::icu
