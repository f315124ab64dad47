#include "analyzers/icu/word_segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>

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

Status WordSegmenter::Segment(std::string_view text, std::vector<WordSpan>* spans) {
  spans->clear();
  if (text.size() >= (std::size_t{1} << 31)) {
    return Status::InvalidArgument("text of " + std::to_string(text.size()) +
                                   " bytes is too long to segment (limit 2 GiB)");
  }
  UErrorCode status = U_ZERO_ERROR;
  utf16_.resize(text.size() + 1);  // UTF-16 never needs more units than UTF-8 has bytes
  std::int32_t len16 = 0;
  const bool ascii = IsAscii(text);
  if (ascii) {
    // Short values are often pure ASCII: a widening loop, and byte offsets equal UTF-16 indexes.
    for (std::size_t i = 0; i < text.size(); ++i) {
      utf16_[i] = static_cast<unsigned char>(text[i]);
    }
    len16 = static_cast<std::int32_t>(text.size());
  } else {
    u_strFromUTF8(utf16_.data(), static_cast<std::int32_t>(utf16_.size()), &len16, text.data(),
                  static_cast<std::int32_t>(text.size()), &status);
    if (status == U_INVALID_CHAR_FOUND) {
      STELA_RETURN_IF_ERROR(ValidateUtf8(text));  // names the offending byte offset
    }
    if (U_FAILURE(status)) return IcuError("converting to UTF-16", status);
  }
  // Reuses the UText allocation across calls; ICU reads the UTF-16 buffer in place.
  text_ = utext_openUChars(text_, utf16_.data(), len16, &status);
  if (U_FAILURE(status)) return IcuError("opening UTF-16 text", status);
  bi_->setText(text_, status);
  if (U_FAILURE(status)) return IcuError("setting BreakIterator text", status);

  // Boundaries come in increasing order: map UTF-16 indexes to byte offsets in one walk.
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t at8 = 0;
  std::int32_t at16 = 0;
  auto to_bytes = [&](std::int32_t b16) {
    if (ascii) return static_cast<std::uint32_t>(b16);
    while (at16 < b16) {
      const unsigned char c = bytes[at8];
      if (c < 0x80) {
        at8 += 1;
        at16 += 1;
      } else if (c < 0xE0) {
        at8 += 2;
        at16 += 1;
      } else if (c < 0xF0) {
        at8 += 3;
        at16 += 1;
      } else {
        at8 += 4;
        at16 += 2;  // a surrogate pair
      }
    }
    return static_cast<std::uint32_t>(at8);
  };

  std::int32_t start16 = bi_->first();
  for (std::int32_t end16 = bi_->next(); end16 != ::icu::BreakIterator::DONE;
       start16 = end16, end16 = bi_->next()) {
    const std::int32_t rule = bi_->getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;
    const std::uint32_t start = to_bytes(start16);
    const std::uint32_t end = to_bytes(end16);
    TokenType type;
    if (rule < UBRK_WORD_NUMBER_LIMIT) {
      type = TokenType::kNumber;
    } else if (rule < UBRK_WORD_LETTER_LIMIT) {
      type = TokenType::kWord;
      if (bytes[start] >= 0x80 && IsDictionaryScript(ScriptOf(CodePointAt16(start16)))) {
        type = TokenType::kDictionary;
      }
    } else {
      // The CJ dictionary marks its words kana or ideographic by rule; report the script of the
      // word's first character instead, so "は" is kana wherever it came from.
      const int script = ScriptOf(CodePointAt16(start16));
      type = script == USCRIPT_HIRAGANA   ? TokenType::kHiragana
             : script == USCRIPT_KATAKANA ? TokenType::kKatakana
                                          : TokenType::kIdeographic;
    }
    spans->push_back({start, end, type});
  }
  return Status::OK();
}

std::int32_t WordSegmenter::CodePointAt16(std::int32_t i) const {
  UChar32 c;
  U16_GET(utf16_.data(), 0, i, static_cast<std::int32_t>(utf16_.size()), c);
  return c;
}

}  // namespace stela::analyzers::icu
