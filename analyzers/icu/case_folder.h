// CaseFolder: per-token ICU normalisation (NFKC_Casefold or lowercase) and ASCII folding on UTF-8.
#pragma once

#include <string>
#include <string_view>

#include "stela/analyzers/analyzer.h"
#include "stela/common/status.h"

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class Normalizer2;
U_NAMESPACE_END

namespace stela::analyzers::icu {

// Holds pointers to ICU's immutable normaliser singletons and a scratch buffer.
// Not thread-safe (the scratch buffer): one per TokenStream.
class CaseFolder {
 public:
  // Returns Internal if ICU's normalisation data cannot be loaded.
  static StatusOr<CaseFolder> Create();

  // Replaces `*out` with `in` folded as `mode` says. With `turkish`, 'I' becomes 'ı' and 'İ'
  // becomes 'i' first. `in` must be valid UTF-8. ASCII input takes a fast path.
  Status Fold(std::string_view in, CaseMode mode, bool turkish, std::string* out);

  // Replaces `*out` with `in` without diacritics and with letters such as ø, æ, ł, đ spelled in
  // ASCII; characters with no ASCII form stay. `in` must be valid UTF-8.
  Status FoldToAscii(std::string_view in, std::string* out);

 private:
  CaseFolder(const ::icu::Normalizer2* nfkc_cf, const ::icu::Normalizer2* nfd)
      : nfkc_cf_(nfkc_cf), nfd_(nfd) {}

  const ::icu::Normalizer2* nfkc_cf_;  // owned by ICU
  const ::icu::Normalizer2* nfd_;      // owned by ICU
  std::string scratch_;
};

}  // namespace stela::analyzers::icu
