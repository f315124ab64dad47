// Mappings: the fields of an index, their types and analysis, parsed from and written back to
// Elasticsearch's mapping JSON, with dynamic mapping of unseen fields.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

namespace stela::engine::index {

enum class FieldType : std::uint8_t { kText, kKeyword, kLong, kInteger, kDouble, kFloat, kDate,
                                       kBoolean };

StatusOr<FieldType> ParseFieldType(std::string_view name);
std::string_view FieldTypeName(FieldType type);

struct FieldDef {
  std::string path;          // "title", "author.name", multi-field "title.keyword"
  std::string source_path;   // where the value comes from: the parent's path for multi-fields
  FieldType type = FieldType::kText;
  std::uint16_t id = 0;      // stable number used in keys
  std::string analyzer;      // text: analyzer name; "" means by `language`
  std::string language = "auto";  // text: language code or "auto"
  std::uint32_t ignore_above = 0;  // keyword: longer values are not indexed (0: no limit)
  bool is_multi_field = false;
};

// Not thread-safe; the Index guards it. FieldDef pointers stay valid for the object's lifetime.
class Mappings {
 public:
  // Parses {"properties": {...}} (nested objects, "fields" multi-fields). Returns
  // InvalidArgument ("mapper_parsing_exception") for unknown types or malformed JSON.
  static StatusOr<std::unique_ptr<Mappings>> Parse(std::string_view json, std::uint32_t max_fields);

  const FieldDef* Find(std::string_view path) const;
  // The multi-fields fed from `path` (e.g. "title.keyword" for "title").
  const std::vector<const FieldDef*>& MultiFields(std::string_view path) const;
  const FieldDef* ById(std::uint16_t id) const;

  // Maps an unseen field. Strings become text with a keyword multi-field (ignore_above 256),
  // as in Elasticsearch. Returns nullptr when max_fields is reached: the value then stays in
  // _source only.
  const FieldDef* AddDynamic(std::string_view path, FieldType type);

  // Adds the fields of `update` ({"properties": ...}) that are new. Returns InvalidArgument
  // ("illegal_argument_exception: mapper [f] cannot be changed from type [a] to [b]") when a
  // field exists with another type, and leaves the mappings unchanged then.
  Status Merge(std::string_view update);

  std::string ToJson() const;
  std::size_t size() const { return fields_.size(); }
  std::uint64_t unmapped() const { return unmapped_; }
  // Every field, in the order they were added.
  const std::deque<FieldDef>& fields() const { return fields_; }

 private:
  Status AddParsed(FieldDef def);
  std::deque<FieldDef> fields_;
  std::map<std::string, const FieldDef*, std::less<>> by_path_;
  std::map<std::string, std::vector<const FieldDef*>, std::less<>> multi_;
  std::uint32_t max_fields_ = 1000;
  std::uint64_t unmapped_ = 0;
};

}  // namespace stela::engine::index
