// DocumentParser: JSON _source -> the terms each mapped field indexes (analysed text, keywords,
// sortable numbers and dates), with positions and field lengths; unseen fields are mapped
// dynamically through a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index/mapping.h"
#include "stela/analyzers/registry.h"
#include "stela/common/status.h"

namespace simdjson::dom {
class parser;
}

namespace stela::engine::index {

struct IndexedTerm {
  std::uint16_t field;
  std::uint32_t position;  // for text; 0 otherwise
  std::string term;
  std::uint32_t hash;  // HashTerm(term)
};

// One doc value: keywords as terms; longs, dates and booleans (0/1) as numbers; doubles as
// order-preserving int64 bits (codec::SortableDoubleBits).
struct DocValue {
  std::uint16_t field;
  bool is_term;
  std::int64_t number;
  std::string term;
};

// What a document put in one field.
struct FieldLength {
  std::uint16_t field;
  std::uint32_t length;  // tokens (text) or values
  bool positional;       // text fields keep positions
};

struct ParsedDocument {
  std::vector<IndexedTerm> terms;
  std::vector<DocValue> doc_values;
  // One entry per field the document has, in order of first appearance (a handful: a flat list
  // costs no allocation per field, as a map did).
  std::vector<FieldLength> fields;
  FieldLength& Field(std::uint16_t field, bool positional) {
    for (FieldLength& f : fields) {
      if (f.field == field) return f;
    }
    return fields.emplace_back(FieldLength{field, 0, positional});
  }
  const FieldLength* FindField(std::uint16_t field) const {
    for (const FieldLength& f : fields) {
      if (f.field == field) return &f;
    }
    return nullptr;
  }
};

// The JSON value kinds dynamic mapping decides on.
enum class JsonKind { kString, kDateString, kInteger, kFloat, kBoolean };

// Resolves a path to its mapping, adding a dynamic one when unseen; nullptr means "not indexed".
// Must be thread-safe (the Index locks its mappings inside).
using FieldResolver = std::function<const FieldDef*(std::string_view path, JsonKind kind)>;
// Multi-fields fed from a path. Thread-safe; the vector must stay valid.
using MultiFieldLookup = std::function<std::vector<const FieldDef*>(std::string_view path)>;

// Sortable byte encodings: byte order equals numeric order.
std::string EncodeLongTerm(std::int64_t v);
std::string EncodeDoubleTerm(double v);
// Parses "2024-05-01", "2024-05-01T10:20:30", "...30.123Z", "...+02:00" to epoch milliseconds.
// Returns InvalidArgument for anything else.
StatusOr<std::int64_t> ParseDateMillis(std::string_view s);
// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d);

// Not thread-safe (holds a JSON parser and analysis streams): one per writer thread, pooled.
class DocumentParser {
 public:
  explicit DocumentParser(const analyzers::Registry& registry);
  ~DocumentParser();

  // Parses `source` (a JSON object) into `*out`. Returns InvalidArgument with Elasticsearch's
  // exception names ("mapper_parsing_exception: ...") for malformed JSON, a non-object, or a
  // value the field's type cannot take.
  Status Parse(std::string_view source, const FieldResolver& resolve,
               const MultiFieldLookup& multi, ParsedDocument* out);

  // Shallow-merges JSON object `partial` into `source` (nested objects merge recursively;
  // everything else replaces), writing the result to `*out`.
  Status Merge(std::string_view source, std::string_view partial, std::string* out);

 private:
  const analyzers::Analyzer* AnalyzerFor(const FieldDef& f, Status* error);
  analyzers::TokenStream* StreamFor(const analyzers::Analyzer* a, Status* error);

  const analyzers::Registry& registry_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<simdjson::dom::parser> parser2_;
  std::map<const analyzers::Analyzer*, std::unique_ptr<analyzers::TokenStream>> streams_;
  std::vector<analyzers::Token> tokens_;
};

}  // namespace stela::engine::index
