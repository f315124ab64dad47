#include "stela/analyzers/token.h"

namespace stela::analyzers {

std::string_view TokenTypeName(TokenType type) {
  switch (type) {
    case TokenType::kWord: return "<ALPHANUM>";
    case TokenType::kNumber: return "<NUM>";
    case TokenType::kHiragana: return "<HIRAGANA>";
    case TokenType::kKatakana: return "<KATAKANA>";
    case TokenType::kIdeographic: return "<IDEOGRAPHIC>";
    case TokenType::kDictionary: return "<SOUTHEAST_ASIAN>";
    case TokenType::kBigram: return "<DOUBLE>";
    case TokenType::kKeyword: return "word";
  }
  return "word";
}

}  // namespace stela::analyzers
