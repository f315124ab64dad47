// Highlighting by re-analysis: a hit's field values are analysed as they were at index time and
// the tokens whose terms the query matched are wrapped in tags, in fragments cut at word
// boundaries (byte offsets, so CJK and other multi-byte text cut cleanly).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index/snapshot_reader.h"
#include "engine/search/plan.h"
#include "stela/engine/search.h"

namespace stela::engine::search {

// Not thread-safe (holds analysis streams); one per search.
class Highlighter {
 public:
  Highlighter(const internal::SnapshotReader& reader, const HighlightSpec& spec,
              const HighlightTerms& terms);
  ~Highlighter();
  // Fragments per field for one document's _source.
  Status Highlight(std::string_view source, std::map<std::string, std::vector<std::string>>* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// _source filtering: keeps the paths `includes` name (patterns with *; empty keeps all), then
// drops `excludes`. Returns the filtered JSON object.
StatusOr<std::string> FilterSource(std::string_view json, const std::vector<std::string>& includes,
                                   const std::vector<std::string>& excludes);

}  // namespace stela::engine::search
