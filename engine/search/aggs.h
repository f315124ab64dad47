// Aggregations over doc values: bucket (terms, range, date_range, histogram, date_histogram,
// filter, missing) and metric (min, max, sum, avg, stats, value_count, cardinality)
// aggregations, nested to any depth, rendered as Elasticsearch's "aggregations" JSON.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/index/snapshot_reader.h"
#include "stela/engine/search.h"

namespace stela::engine::search {

class AggNode;
struct AggContext;

// Collects the matching docs of one search. Not thread-safe.
class AggsCollector {
 public:
  // Returns InvalidArgument for aggregations the mappings cannot run (unknown or text fields).
  static StatusOr<std::unique_ptr<AggsCollector>> Create(
      const internal::SnapshotReader& reader,
      const std::vector<std::unique_ptr<Aggregation>>& aggs, const SearchLimits& limits);
  ~AggsCollector();

  // Call before the docs of segment `seg` (in segment order).
  Status SetSegment(std::size_t seg);
  // A matching live doc of the current segment. Returns ResourceExhausted
  // ("too_many_buckets_exception") past max_buckets.
  Status Collect(std::uint32_t doc);
  // {"name": {...}, ...}
  StatusOr<std::string> Render();

 private:
  AggsCollector() = default;
  std::unique_ptr<AggContext> ctx_;
  std::vector<std::unique_ptr<AggNode>> roots_;
};

}  // namespace stela::engine::search
