// Doc values: one column per (segment, field) holding each doc's values, for sorting, filtering
// and aggregations without touching _source. Numbers (longs, dates, booleans, and doubles as
// order-preserving int64 bits) are bit-packed from the column minimum; keywords are bit-packed
// ordinals into the segment's sorted dictionary. Multi-valued fields keep every value.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

namespace stela::engine::codec {

enum class DocValuesKind : std::uint8_t { kNumeric = 1, kKeyword = 2 };

// Doubles as int64 whose order is the doubles' order (and back).
std::int64_t SortableDoubleBits(double v);
double DoubleFromSortableBits(std::int64_t v);

// Builds a column. Docs must be added in increasing order; docs not added have no values.
// Not thread-safe.
class DocValuesWriter {
 public:
  explicit DocValuesWriter(DocValuesKind kind) : kind_(kind) {}
  // Adds one value of `doc` (call again for more values of the same doc).
  Status AddNumber(std::uint32_t doc, std::int64_t value);
  Status AddTerm(std::uint32_t doc, std::string_view term);
  // Appends the column for docs [0, max_doc) to `*out`; max_doc must exceed every added doc.
  Status Finish(std::uint32_t max_doc, std::string* out);
  DocValuesKind kind() const { return kind_; }

 private:
  Status Check(std::uint32_t doc);
  DocValuesKind kind_;
  std::vector<std::uint32_t> docs_;  // one entry per value
  std::vector<std::int64_t> numbers_;
  std::vector<std::string> terms_;
};

// A decoded column. Immutable after Decode; thread-safe to read.
class DocValuesColumn {
 public:
  // Returns Corruption for malformed bytes.
  static Status Decode(std::string_view in, DocValuesColumn* out);

  DocValuesKind kind() const { return kind_; }
  std::uint32_t max_doc() const { return static_cast<std::uint32_t>(offsets_.size() - 1); }
  std::uint32_t count(std::uint32_t doc) const { return offsets_[doc + 1] - offsets_[doc]; }
  // Numeric columns: the doc's values, ascending.
  std::span<const std::int64_t> numbers(std::uint32_t doc) const {
    return {numbers_.data() + offsets_[doc], count(doc)};
  }
  // Keyword columns: the doc's ordinals, ascending, into terms().
  std::span<const std::uint32_t> ordinals(std::uint32_t doc) const {
    return {ords_.data() + offsets_[doc], count(doc)};
  }
  const std::vector<std::string>& terms() const { return terms_; }

 private:
  DocValuesKind kind_ = DocValuesKind::kNumeric;
  std::vector<std::uint32_t> offsets_ = {0};
  std::vector<std::int64_t> numbers_;
  std::vector<std::uint32_t> ords_;
  std::vector<std::string> terms_;
};

}  // namespace stela::engine::codec
