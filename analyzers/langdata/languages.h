// The per-language facts the analysis chains need: Elasticsearch analyzer name, Snowball
// stemmer, stop-word list, elided articles.
#pragma once

#include <span>
#include <string_view>

namespace stela::analyzers::langdata {

struct LanguageInfo {
  std::string_view code;      // ISO 639-1 (or 639-3 where there is no two-letter code)
  std::string_view analyzer;  // Elasticsearch analyzer name: "german"
  std::string_view stemmer;   // libstemmer algorithm, "" for none
  std::string_view stop_words;  // code of a built-in stop list, "" for none
  std::span<const std::string_view> elision;  // articles elided before an apostrophe
  bool english_possessive = false;
  bool turkish_lowercase = false;  // also strips the suffix after an apostrophe
};

// Every language with a named analyzer, sorted by code.
std::span<const LanguageInfo> Languages();

// The entry for a canonical code, or nullptr.
const LanguageInfo* FindLanguage(std::string_view code);

// The code whose chain serves `code` when it has none of its own: languages close enough to
// share a stemmer ("hr", "bs" -> "sr"; "ms" -> "id"). Returns `code` itself otherwise.
std::string_view ChainLanguage(std::string_view code);

// The stop words of a language, already NFKC-case-folded; empty if there is no list.
std::span<const std::string_view> StopWords(std::string_view code);

// True if there is a stop list for `code`.
bool HasStopWords(std::string_view code);

}  // namespace stela::analyzers::langdata
