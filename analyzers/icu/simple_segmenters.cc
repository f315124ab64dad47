#include "analyzers/icu/simple_segmenters.h"

#include <unicode/uchar.h>

#include "analyzers/icu/utf8.h"

namespace stela::analyzers::icu {

namespace {

// Appends the runs of code points for which `in_run(c, run_open)` holds.
template <typename Pred>
void SegmentRuns(std::string_view text, Pred in_run, std::vector<WordSpan>* spans) {
  spans->clear();
  bool open = false;
  std::uint32_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    const std::int32_t c = NextCodePoint(text, &i);
    const bool inside = in_run(c, open);
    if (inside && !open) {
      start = static_cast<std::uint32_t>(at);
      open = true;
    } else if (!inside && open) {
      spans->push_back({start, static_cast<std::uint32_t>(at), TokenType::kKeyword});
      open = false;
    }
  }
  if (open) spans->push_back({start, static_cast<std::uint32_t>(text.size()), TokenType::kKeyword});
}

}  // namespace

void SegmentWhitespace(std::string_view text, std::vector<WordSpan>* spans) {
  SegmentRuns(text, [](std::int32_t c, bool) { return !u_isUWhiteSpace(c); }, spans);
}

void SegmentLetters(std::string_view text, std::vector<WordSpan>* spans) {
  SegmentRuns(
      text,
      [](std::int32_t c, bool open) {
        if (u_isUAlphabetic(c)) return true;
        return open && (u_charType(c) == U_NON_SPACING_MARK ||
                        u_charType(c) == U_COMBINING_SPACING_MARK);
      },
      spans);
}

void SegmentKeyword(std::string_view text, std::vector<WordSpan>* spans) {
  spans->clear();
  if (!text.empty()) {
    spans->push_back({0, static_cast<std::uint32_t>(text.size()), TokenType::kKeyword});
  }
}

}  // namespace stela::analyzers::icu
