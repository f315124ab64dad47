// Token: one term produced by analysis, with its position and byte offsets into the original text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stela::analyzers {

// What kind of text a token came from, reported by `_analyze` as Elasticsearch does ("<ALPHANUM>").
enum class TokenType : std::uint8_t {
  kWord,         // letters (any script with spaces between words)
  kNumber,       // digits, possibly with separators ("3.14", "1,000")
  kHiragana,     // Hiragana word (dictionary segmentation)
  kKatakana,     // Katakana word
  kIdeographic,  // Han word from dictionary segmentation
  kDictionary,   // Thai, Lao, Khmer, Burmese word from dictionary segmentation
  kBigram,       // CJK bigram (cjk analyzer)
  kKeyword,      // whole input (keyword analyzer) or a whitespace / letter tokenizer's token
};

// Elasticsearch's name for the type, e.g. "<ALPHANUM>", "<NUM>", "<IDEOGRAPHIC>", "word".
std::string_view TokenTypeName(TokenType type);

// Immutable value type.
struct Token {
  std::string term;           // normalised (and, for language analyzers, stemmed) UTF-8
  std::uint32_t position = 0;  // 0-based; removed stop words leave gaps, as in Elasticsearch
  std::uint32_t start_offset = 0;  // byte offset of the first byte in the analysed text
  std::uint32_t end_offset = 0;    // byte offset one past the last byte
  TokenType type = TokenType::kWord;

  friend bool operator==(const Token&, const Token&) = default;
};

}  // namespace stela::analyzers
