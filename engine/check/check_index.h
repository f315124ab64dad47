// CheckIndex: an offline verifier of every invariant of a shard's on-disk index (commit point,
// segments, postings order and counts, norms and statistics, stored documents, the id map, the
// operation log). Used by `stela check-index` and by the tests (Lucene's CheckIndex).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stela/common/status.h"

namespace stela::engine {

struct CheckReport {
  std::vector<std::string> problems;  // empty when the index is sound
  std::uint64_t segments = 0;
  std::uint64_t live_docs = 0;
  std::uint64_t terms = 0;
  std::uint64_t postings = 0;
  std::uint64_t doc_value_columns = 0;
  std::uint64_t pending_ops = 0;  // operations above the commit point (replayed on open)
  // Postings bytes by part, over every term of every committed segment.
  std::uint64_t doc_bytes = 0, freq_bytes = 0, position_bytes = 0, header_bytes = 0;
  // The information-theoretic floor for the doc ids, in bits: for each list of df docs out of a
  // segment's max_doc, log2(max_doc choose df) (what any codec needs when docs are in no
  // particular order), summed. Compared with doc_bytes plus the skip data that locates docs.
  double doc_id_entropy_bits = 0;
  // On-disk (compressed) bytes: stored documents, and everything else (postings, norms, ...).
  std::uint64_t stored_disk_bytes = 0, index_disk_bytes = 0;

  bool ok() const { return problems.empty(); }
  // A few lines for people: the counts, then each problem.
  std::string Summary() const;
};

// Checks the shard at `path`, which must not be open in another process (RocksDB locks it).
// Returns IOError if it cannot be opened; a readable but broken index gives a report whose
// problems say what is wrong.
StatusOr<CheckReport> CheckIndex(const std::string& path);

}  // namespace stela::engine
