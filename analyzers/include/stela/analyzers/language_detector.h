// Language detection of a text value (CLD2, Google's Compact Language Detector 2).
#pragma once

#include <string>
#include <string_view>

#include "stela/common/status.h"

namespace stela::analyzers {

struct Detection {
  std::string language;   // ISO 639-1 code ("de", "zh", "he"), or "" when nothing was recognised
  bool reliable = false;  // CLD2's own verdict: enough text and a clear winner
  int percent = 0;        // share of the text's letters in that language
};

// Detects the main language of UTF-8 `text`. Stateless and thread-safe. Looks at the first KiB,
// and up to the first 4 KiB when that verdict is unreliable; the rest is never read. Returns
// InvalidArgument for invalid UTF-8 in the part it reads.
StatusOr<Detection> DetectLanguage(std::string_view text);

// Maps the many spellings of a language to the code Stela uses: lower case, region dropped, and
// the aliases folded ("nb", "nn" -> "no"; "iw" -> "he"; "zh-Hant" -> "zh"; "pt-BR" -> "pt").
std::string CanonicalLanguage(std::string_view code);

}  // namespace stela::analyzers
