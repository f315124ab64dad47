// Query: the query tree the Elasticsearch query DSL parses into (stela/engine/search.h), before
// analysis. Text is analysed and multi-term queries are expanded when a search runs, against the
// snapshot's mappings and term dictionaries.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace stela::engine {

// A JSON scalar as the DSL gave it: strings verbatim, numbers and booleans as their JSON text.
struct QueryValue {
  enum class Kind : std::uint8_t { kString, kNumber, kBoolean, kNull };
  Kind kind = Kind::kString;
  std::string text;
};

struct Query {
  enum class Kind : std::uint8_t {
    kMatchAll,
    kMatchNone,
    kTerm,         // field, value (exact, not analysed)
    kTerms,        // field, values (constant score)
    kMatch,        // field, text: analysed; operator, minimum_should_match, fuzziness
    kMatchPhrase,  // field, text, slop
    kMatchPhrasePrefix,  // field, text, slop, max_expansions
    kMultiMatch,   // fields (with ^boosts), text, type, tie_breaker, operator
    kBool,         // must, should, must_not, filter, minimum_should_match
    kDisMax,       // should (the "queries"), tie_breaker
    kConstantScore,  // filter: children[0]
    kRange,        // field, gt/gte/lt/lte
    kPrefix,       // field, value
    kWildcard,     // field, value (* and ?)
    kFuzzy,        // field, value, fuzziness, prefix_length, max_expansions, transpositions
    kExists,       // field
    kIds,          // values
  };
  enum class Operator : std::uint8_t { kOr, kAnd };
  enum class MultiMatchType : std::uint8_t { kBestFields, kMostFields, kPhrase, kPhrasePrefix };

  Kind kind = Kind::kMatchAll;
  float boost = 1.0f;
  std::string field;
  QueryValue value;                  // term, prefix, wildcard, fuzzy; match text
  std::vector<QueryValue> values;    // terms, ids
  std::vector<std::string> fields;   // multi_match: "title^3", patterns allowed ("*", "title*")
  Operator op = Operator::kOr;
  // As Elasticsearch writes it ("2", "-1", "75%", "3<90%"); empty means the default.
  std::string minimum_should_match;
  std::string fuzziness;             // "", "AUTO", "0", "1", "2"
  std::uint32_t prefix_length = 0;
  std::uint32_t max_expansions = 50;
  bool transpositions = true;
  std::uint32_t slop = 0;
  std::string analyzer;              // match: analyzer override
  std::string language;              // match: our extension, analyse as this language
  float tie_breaker = 0.0f;
  MultiMatchType multi_match_type = MultiMatchType::kBestFields;
  bool zero_terms_all = false;       // match: zero_terms_query = all
  // range: bounds as given; dates may use `format`-free ISO or epoch millis
  std::optional<QueryValue> gt, gte, lt, lte;
  bool case_insensitive = false;     // term, prefix, wildcard

  std::vector<std::unique_ptr<Query>> must, should, must_not, filter;  // bool; dis_max: should
  std::vector<std::unique_ptr<Query>> children;                        // constant_score: [filter]

  std::string name;  // _name (reported in matched_queries)
};

}  // namespace stela::engine
