// WordSegmenter: ICU's UAX #29 word BreakIterator (with its dictionaries for Chinese, Japanese,
// Thai, Lao, Khmer and Burmese), yielding word spans as byte offsets into the UTF-8 text.
//
// The text is converted to UTF-16 once and iterated there: ICU's UTF-8 UText converts chunk by
// chunk behind every access and measured about 20% slower; boundaries are mapped back to byte
// offsets by one forward walk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/analyzers/token.h"
#include "stela/common/status.h"

struct UText;

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class BreakIterator;
U_NAMESPACE_END

namespace stela::analyzers::icu {

struct WordSpan {
  std::uint32_t start;  // byte offsets into the text
  std::uint32_t end;
  TokenType type;
};

// Not thread-safe (a BreakIterator is stateful): one per thread.
class WordSegmenter {
 public:
  // Returns Internal if ICU's break rules or dictionaries cannot be loaded.
  static StatusOr<std::unique_ptr<WordSegmenter>> Create();
  ~WordSegmenter();
  WordSegmenter(const WordSegmenter&) = delete;
  WordSegmenter& operator=(const WordSegmenter&) = delete;

  // Replaces `*spans` with the words of UTF-8 `text` (shorter than 2 GiB): the segments whose
  // rule status is a number, letter, kana or ideograph; spaces and punctuation are skipped.
  // Returns InvalidArgument "invalid UTF-8 at byte offset N" for malformed input.
  //
  // Text made only of "simple" characters (see ClassifyWithIcu in the .cc: letters, digits,
  // spaces and punctuation of the scripts without dictionaries, combining marks, emoji or
  // Hebrew's quote rules) is segmented by a direct implementation of UAX #29's rules, giving
  // the spans ICU gives (word_segmenter_test compares them on random and real text); anything
  // else goes to ICU's BreakIterator.
  Status Segment(std::string_view text, std::vector<WordSpan>* spans);
  // The same through ICU's BreakIterator always (the reference for the direct path).
  Status SegmentWithIcu(std::string_view text, std::vector<WordSpan>* spans);
  // The direct path alone: false (spans unspecified) when `text` holds anything it does not
  // handle, including malformed UTF-8.
  bool SegmentDirect(std::string_view text, std::vector<WordSpan>* spans);

 private:
  explicit WordSegmenter(std::unique_ptr<::icu::BreakIterator> bi);
  std::int32_t CodePointAt16(std::int32_t i) const;
  std::unique_ptr<::icu::BreakIterator> bi_;
  UText* text_ = nullptr;
  std::u16string utf16_;  // reused conversion buffer
  std::vector<std::uint8_t> classes_;  // SegmentDirect's scratch: a class per code point
  std::vector<std::uint32_t> starts_;  // and its byte offset (one more for the end)
};

// The ICU script code (UScriptCode) of a code point.
int ScriptOf(std::int32_t c);
// True for Han, Hiragana, Katakana and Hangul: what the cjk analyzer turns into bigrams.
bool IsCjkScript(std::int32_t c);

}  // namespace stela::analyzers::icu
