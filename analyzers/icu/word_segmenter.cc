#include "analyzers/icu/word_segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>

#include <string>

#include "analyzers/icu/utf8.h"

namespace stela::analyzers::icu {

namespace {

Status IcuError(const char* what, UErrorCode code) {
  return Status::Internal(std::string(what) + ": " + u_errorName(code));
}

bool IsDictionaryScript(int script) {
  return script == USCRIPT_THAI || script == USCRIPT_LAO || script == USCRIPT_KHMER ||
         script == USCRIPT_MYANMAR;
}

}  // namespace

int ScriptOf(std::int32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  return U_SUCCESS(status) ? script : USCRIPT_UNKNOWN;
}

bool IsCjkScript(std::int32_t c) {
  const int s = ScriptOf(c);
  return s == USCRIPT_HAN || s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA ||
         s == USCRIPT_HANGUL;
}

StatusOr<std::unique_ptr<WordSegmenter>> WordSegmenter::Create() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<::icu::BreakIterator> bi(
      ::icu::BreakIterator::createWordInstance(::icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || bi == nullptr) return IcuError("creating the word BreakIterator", status);
  return std::unique_ptr<WordSegmenter>(new WordSegmenter(std::move(bi)));
}

WordSegmenter::WordSegmenter(std::unique_ptr<::icu::BreakIterator> bi) : bi_(std::move(bi)) {}

WordSegmenter::~WordSegmenter() {
  if (text_ != nullptr) utext_close(text_);
}

Status WordSegmenter::SetText(std::string_view text) {
  if (text.size() >= (std::size_t{1} << 31)) {
    return Status::InvalidArgument("text of " + std::to_string(text.size()) +
                                   " bytes is too long to segment (limit 2 GiB)");
  }
  UErrorCode status = U_ZERO_ERROR;
  // Reuses the UText allocation across calls; ICU reads the UTF-8 in place (no copy).
  static constexpr char kEmpty[] = "";
  text_ = utext_openUTF8(text_, text.empty() ? kEmpty : text.data(),
                         static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) return IcuError("opening UTF-8 text", status);
  bi_->setText(text_, status);
  if (U_FAILURE(status)) return IcuError("setting BreakIterator text", status);
  return Status::OK();
}

Status WordSegmenter::Segment(std::string_view text, std::vector<WordSpan>* spans) {
  spans->clear();
  STELA_RETURN_IF_ERROR(SetText(text));
  std::int32_t start = bi_->first();
  for (std::int32_t end = bi_->next(); end != ::icu::BreakIterator::DONE;
       start = end, end = bi_->next()) {
    const std::int32_t rule = bi_->getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;
    TokenType type;
    if (rule < UBRK_WORD_NUMBER_LIMIT) {
      type = TokenType::kNumber;
    } else if (rule < UBRK_WORD_LETTER_LIMIT) {
      type = TokenType::kWord;
      if (static_cast<unsigned char>(text[start]) >= 0x80) {
        std::size_t i = static_cast<std::size_t>(start);
        if (IsDictionaryScript(ScriptOf(NextCodePoint(text, &i)))) type = TokenType::kDictionary;
      }
    } else {
      // The CJ dictionary marks its words kana or ideographic by rule; report the script of the
      // word's first character instead, so "は" is kana wherever it came from.
      std::size_t i = static_cast<std::size_t>(start);
      const int script = ScriptOf(NextCodePoint(text, &i));
      type = script == USCRIPT_HIRAGANA   ? TokenType::kHiragana
             : script == USCRIPT_KATAKANA ? TokenType::kKatakana
                                          : TokenType::kIdeographic;
    }
    spans->push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end), type});
  }
  return Status::OK();
}

StatusOr<std::size_t> WordSegmenter::CountBoundaries(std::string_view text) {
  STELA_RETURN_IF_ERROR(SetText(text));
  std::size_t count = 0;
  for (std::int32_t b = bi_->first(); b != ::icu::BreakIterator::DONE; b = bi_->next()) ++count;
  return count;
}

}  // namespace stela::analyzers::icu
