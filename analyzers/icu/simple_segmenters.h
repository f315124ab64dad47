// The segmenters that need no break rules: white space, letter runs, and the whole text.
#pragma once

#include <string_view>
#include <vector>

#include "analyzers/icu/word_segmenter.h"

namespace stela::analyzers::icu {

// Replaces `*spans` with the maximal runs of non-white-space code points (Unicode White_Space).
void SegmentWhitespace(std::string_view text, std::vector<WordSpan>* spans);

// Replaces `*spans` with the maximal runs of letters (Unicode Alphabetic, plus combining marks
// inside a run, so "é" written as e + U+0301 stays in its word).
void SegmentLetters(std::string_view text, std::vector<WordSpan>* spans);

// Replaces `*spans` with one span covering the whole text, or none if it is empty.
void SegmentKeyword(std::string_view text, std::vector<WordSpan>* spans);

}  // namespace stela::analyzers::icu
