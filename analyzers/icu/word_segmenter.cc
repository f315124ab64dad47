#include "analyzers/icu/word_segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>

#include <array>
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

// Word_Break classes of the direct path (UAX #29 section 4.1). Double_Quote counts as Other:
// it only matters next to Hebrew letters, which go to ICU.
enum WbClass : std::uint8_t {
  kOther,
  kALetter,
  kNumeric,
  kMidLetter,
  kMidNum,
  kMidNumLet,
  kSingleQuote,
  kExtendNumLet,
  kWSegSpace,
  kCR,
  kLF,
  kNewline,
  kIcuOnly,  // needs ICU: combining marks, emoji, dictionary scripts, Hebrew, Katakana, ...
};

// "Not a word" (rule status none) in the direct path; no TokenType has this value.
constexpr TokenType kNone = static_cast<TokenType>(255);

bool IsLineBreak(std::uint8_t c) { return c == kCR || c == kLF || c == kNewline; }
bool IsMidLetterQ(std::uint8_t c) {
  return c == kMidLetter || c == kMidNumLet || c == kSingleQuote;
}
bool IsMidNumQ(std::uint8_t c) { return c == kMidNum || c == kMidNumLet || c == kSingleQuote; }

WbClass ClassifyWithIcu(UChar32 c) {
  if (c >= 0xD800 && c <= 0xDFFF) return kIcuOnly;
  if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
      u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
      u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT) {
    return kIcuOnly;
  }
  // The dictionary scripts' digits are plain numbers to UAX #29, but a word starting with one
  // is typed kDictionary (SegmentWithIcu): they go to ICU with the rest of those scripts.
  const int script = ScriptOf(c);
  if (IsCjkScript(c) || IsDictionaryScript(script)) return kIcuOnly;
  switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
    case U_WB_OTHER:
    case U_WB_DOUBLE_QUOTE:
      return kOther;
    case U_WB_ALETTER:
      return kALetter;
    case U_WB_NUMERIC:
      return kNumeric;
    case U_WB_MIDLETTER:
      return kMidLetter;
    case U_WB_MIDNUM:
      return kMidNum;
    case U_WB_MIDNUMLET:
      return kMidNumLet;
    case U_WB_SINGLE_QUOTE:
      return kSingleQuote;
    case U_WB_EXTENDNUMLET:
      return kExtendNumLet;
    case U_WB_WSEGSPACE:
      return kWSegSpace;
    case U_WB_CR:
      return kCR;
    case U_WB_LF:
      return kLF;
    case U_WB_NEWLINE:
      return kNewline;
    default:
      return kIcuOnly;
  }
}

// The class of every BMP code point, computed once from ICU's properties (64 KiB; the
// supplementary planes go to ICU).
const std::array<std::uint8_t, 0x10000>& BmpClasses() {
  static const auto* table = [] {
    auto* t = new std::array<std::uint8_t, 0x10000>;
    for (UChar32 c = 0; c < 0x10000; ++c) (*t)[c] = ClassifyWithIcu(c);
    // ICU's tailorings of UAX #29 (its word.txt): the colons are not mid-letter punctuation
    // ("a:b" is two words; Swedish tailors them back), and ICU 72 counts the ASCII commercial
    // at as a letter so that e-mail addresses stay one word (CLDR-15767; later versions went
    // back to breaking there). The test comparing this path with ICU catches any other
    // tailoring of the ICU in use.
    for (UChar32 c : {0x3A, 0xFE55, 0xFF1A}) (*t)[c] = kOther;
    (*t)[0x40] = kALetter;
    return t;
  }();
  return *table;
}

}  // namespace

bool WordSegmenter::SegmentDirect(std::string_view text, std::vector<WordSpan>* spans) {
  const std::array<std::uint8_t, 0x10000>& table = BmpClasses();
  classes_.clear();
  starts_.clear();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size;) {
    const unsigned char b = bytes[i];
    std::uint32_t c;
    std::size_t len;
    if (b < 0x80) {
      c = b;
      len = 1;
    } else if (b >= 0xC2 && b < 0xE0 && i + 1 < size && (bytes[i + 1] & 0xC0) == 0x80) {
      c = ((b & 0x1Fu) << 6) | (bytes[i + 1] & 0x3Fu);
      len = 2;
    } else if (b >= 0xE0 && b < 0xF0 && i + 2 < size && (bytes[i + 1] & 0xC0) == 0x80 &&
               (bytes[i + 2] & 0xC0) == 0x80) {
      c = ((b & 0x0Fu) << 12) | ((bytes[i + 1] & 0x3Fu) << 6) | (bytes[i + 2] & 0x3Fu);
      if (c < 0x800) return false;  // overlong: ICU's path reports it
      len = 3;
    } else {
      return false;  // 4-byte sequences (supplementary planes) and malformed input
    }
    const std::uint8_t cls = table[c];  // surrogates are kIcuOnly
    if (cls == kIcuOnly) return false;
    classes_.push_back(cls);
    starts_.push_back(static_cast<std::uint32_t>(i));
    i += len;
  }
  starts_.push_back(static_cast<std::uint32_t>(size));
  const std::uint8_t* k = classes_.data();
  const std::size_t n = classes_.size();
  // Whether UAX #29 keeps code points i-1 and i together (rules WB3 to WB13b; WB4's Extend and
  // Format, WB3c's ZWJ, WB13's Katakana and the Hebrew and regional indicator rules cannot
  // occur here).
  auto joined = [&](std::size_t i) {
    const std::uint8_t a = k[i - 1], b = k[i];
    if (a == kCR && b == kLF) return true;                // WB3
    if (IsLineBreak(a) || IsLineBreak(b)) return false;   // WB3a, WB3b
    if (a == kWSegSpace && b == kWSegSpace) return true;  // WB3d
    if (a == kALetter && b == kALetter) return true;      // WB5
    if (a == kALetter && IsMidLetterQ(b) && i + 1 < n && k[i + 1] == kALetter) return true;
    if (i >= 2 && k[i - 2] == kALetter && IsMidLetterQ(a) && b == kALetter) return true;
    if ((a == kNumeric || a == kALetter) && (b == kNumeric || b == kALetter)) {
      return true;  // WB8, WB9, WB10
    }
    if (i >= 2 && k[i - 2] == kNumeric && IsMidNumQ(a) && b == kNumeric) return true;  // WB11
    if (a == kNumeric && IsMidNumQ(b) && i + 1 < n && k[i + 1] == kNumeric) return true;
    if ((a == kALetter || a == kNumeric || a == kExtendNumLet) && b == kExtendNumLet) {
      return true;  // WB13a
    }
    if (a == kExtendNumLet && (b == kALetter || b == kNumeric)) return true;  // WB13b
    return false;                                                             // WB999
  };
  // ICU's word rules chain, and a segment's rule status is the tag of the rule that made its
  // last join (so "q4" is a number and "4q" a word), or of its one code point. A join ending
  // in a letter is a letter rule; in a digit, a number rule; in a connector (WB13a), a number
  // rule after a digit and a letter rule otherwise ("__" is a word, "_" alone is not).
  auto single_tag = [](std::uint8_t c) {
    return c == kALetter ? TokenType::kWord : c == kNumeric ? TokenType::kNumber : kNone;
  };
  auto join_tag = [](std::uint8_t a, std::uint8_t b, TokenType before) {
    switch (b) {
      case kALetter:
        return TokenType::kWord;
      case kNumeric:
        return TokenType::kNumber;
      case kExtendNumLet:
        return a == kNumeric ? TokenType::kNumber : TokenType::kWord;
      default:
        return before;  // WB3, WB3d, or the first half of a mid-word join
    }
  };
  spans->clear();
  std::size_t begin = 0;
  TokenType tag = kNone;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > begin && joined(i)) {
      tag = join_tag(k[i - 1], k[i], tag);
      continue;
    }
    if (i > begin && tag != kNone) spans->push_back({starts_[begin], starts_[i], tag});
    begin = i;
    tag = single_tag(k[i]);
  }
  if (n > begin && tag != kNone) spans->push_back({starts_[begin], starts_[n], tag});
  return true;
}

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
  if (text.size() < (std::size_t{1} << 31) && SegmentDirect(text, spans)) return Status::OK();
  return SegmentWithIcu(text, spans);
}

Status WordSegmenter::SegmentWithIcu(std::string_view text, std::vector<WordSpan>* spans) {
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
