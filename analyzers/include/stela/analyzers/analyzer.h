// Analyzer and TokenStream: turn UTF-8 text into tokens (term, position, byte offsets).
//
// An Analyzer is an immutable description of a chain (tokenizer, case folding, filters, stemmer)
// and is shared by all threads. The per-thread state (ICU BreakIterator, Snowball stemmer, buffers)
// lives in a TokenStream: each worker thread creates its own with NewStream() and reuses it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/analyzers/token.h"
#include "stela/common/status.h"

namespace stela::analyzers {

// Per-thread analysis state. Not thread-safe: use one per thread, reuse it for many texts.
class TokenStream {
 public:
  virtual ~TokenStream() = default;

  // Appends the tokens of `text` to `*out` (which is not cleared). Positions start at 0 and offsets
  // are byte offsets into `text`. `language` is an ISO 639-1 code the caller knows the text is in
  // ("de"); only auto-detecting analyzers use it (instead of detection); others ignore it.
  // Returns InvalidArgument for invalid UTF-8 (naming the byte offset) and for texts of 2 GiB or
  // more; `*out` is then unchanged. Empty text yields no tokens. Cost: linear in the text length.
  virtual Status Analyze(std::string_view text, std::string_view language,
                         std::vector<Token>* out) = 0;
  Status Analyze(std::string_view text, std::vector<Token>* out) { return Analyze(text, "", out); }

  // The language the last successful Analyze() used: the configured one for a language analyzer,
  // the detected (or given) one for an auto analyzer, "" when the chain has none or detection
  // found none.
  virtual std::string_view last_language() const = 0;
};

// Immutable after construction; thread-safe.
class Analyzer {
 public:
  virtual ~Analyzer() = default;

  virtual std::string_view name() const = 0;
  // The fixed language of this analyzer ("de"), "auto" for detecting analyzers, "" for none.
  virtual std::string_view language() const = 0;
  // Creates the per-thread state. Returns Internal if ICU or Snowball cannot create their objects.
  // Cost: tens of microseconds (ICU break rules are cloned); create once per thread, not per text.
  virtual StatusOr<std::unique_ptr<TokenStream>> NewStream() const = 0;
};

enum class Tokenizer : std::uint8_t {
  kIcuWord,     // Unicode UAX #29 words with ICU dictionaries for zh, ja, th, lo, km, my
  kWhitespace,  // split on Unicode white space, keep everything else
  kLetter,      // maximal runs of letters (Elasticsearch's `simple` / `letter`)
  kKeyword,     // the whole text is one token
};

enum class CaseMode : std::uint8_t {
  kNone,          // keep the text as it is
  kLowercase,     // Unicode lowercase (root locale)
  kNfkcCaseFold,  // ICU NFKC_Casefold: compatibility forms, full case folding, ignorables removed
};

// The configuration of a chain analyzer, in the order the steps run.
struct ChainOptions {
  Tokenizer tokenizer = Tokenizer::kIcuWord;
  // Tokens longer than this many code points are split into pieces of this length (as
  // Elasticsearch's standard tokenizer does), so one huge "word" cannot make a huge term.
  std::uint32_t max_token_length = 255;
  CaseMode case_mode = CaseMode::kNfkcCaseFold;
  bool turkish_lowercase = false;    // I -> ı and İ -> i before case folding (tr, az)
  bool english_possessive = false;   // "John's" -> "John"
  std::vector<std::string> elision;  // articles removed before an apostrophe (fr: l, d, qu, ...)
  bool strip_apostrophe_suffix = false;  // "istanbul'daki" -> "istanbul" (Turkish proper nouns)
  std::string stop_words;            // language code of a built-in stop list; "" for none
  bool ascii_folding = false;        // "café" -> "cafe", "ø" -> "o"
  bool cjk_bigrams = false;          // Han/Kana/Hangul as overlapping bigrams (Elasticsearch `cjk`)
  std::string stemmer;               // Snowball algorithm ("german"); "" for none
  // Also emit the word as it was before stemming, at the same position, when the stem differs
  // (Lucene's KeywordRepeatFilter): exact forms stay findable and rank above other inflections.
  // The `auto` analyzer's chains do this; the named language analyzers do not.
  bool keep_unstemmed = false;
  std::string language;              // reported by Analyzer::language(); "" for none
};

// Builds a chain analyzer. Returns InvalidArgument for an unknown stemmer or stop-word list, or
// max_token_length 0.
StatusOr<std::unique_ptr<Analyzer>> NewChainAnalyzer(std::string name, ChainOptions options);

}  // namespace stela::analyzers
