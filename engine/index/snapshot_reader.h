// SnapshotReader: the engine-internal view of a Snapshot that query execution reads: its segments
// (postings, term dictionary, norms, doc values, stored documents, live docs), the mappings and
// the analyzers. Implemented in index_impl.cc; used by engine/search.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/codec/doc_values.h"
#include "engine/index/mapping.h"
#include "stela/analyzers/registry.h"
#include "stela/common/status.h"
#include "stela/engine/index.h"

namespace stela::engine::internal {

// One segment as a snapshot sees it. Thread-safe; decoded norms and doc values are cached per
// segment (segments are immutable) and shared by every snapshot that holds the segment.
class SegmentReader {
 public:
  virtual ~SegmentReader() = default;

  virtual std::uint32_t id() const = 0;
  virtual std::uint32_t max_doc() const = 0;
  virtual bool IsLive(std::uint32_t docno) const = 0;
  virtual bool has_deletions() const = 0;

  // The encoded postings of `term` in field `field` (codec::PostingsIterator reads them);
  // *found = false when the segment lacks the term.
  virtual Status Postings(std::uint16_t field, std::string_view term, std::string* out,
                          bool* found) const = 0;
  // Calls fn(term, encoded postings) for the terms of `field` from `start` on, in byte order,
  // until fn returns false or the field's terms end.
  virtual Status ScanTerms(
      std::uint16_t field, std::string_view start,
      const std::function<bool(std::string_view term, std::string_view postings)>& fn) const = 0;
  // Field lengths quantised to one byte per doc as Lucene stores norms (bm25.h); nullptr when
  // no doc of the segment has the field.
  virtual StatusOr<std::shared_ptr<const std::vector<std::uint8_t>>> Norms(
      std::uint16_t field) const = 0;
  // The doc-values column of `field`; nullptr when the segment has none.
  virtual StatusOr<std::shared_ptr<const codec::DocValuesColumn>> DocValues(
      std::uint16_t field) const = 0;
  virtual StatusOr<StoredDocument> Document(std::uint32_t docno) const = 0;
};

// Immutable; thread-safe; lives as long as its Snapshot.
class SnapshotReader {
 public:
  virtual ~SnapshotReader() = default;
  // In global doc order: segment order, then docno.
  virtual const std::vector<const SegmentReader*>& segments() const = 0;
  virtual const index::Mappings& mappings() const = 0;
  virtual const analyzers::Registry& registry() const = 0;
  // Where the live copy of `id` is: (index into segments(), docno), or nullopt.
  virtual StatusOr<std::optional<std::pair<std::size_t, std::uint32_t>>> Locate(
      std::string_view id) const = 0;
  // Per-field statistics over every segment (deleted docs included, as Lucene counts them).
  virtual FieldStats Stats(std::string_view field) const = 0;
  // A pooled token stream of `analyzer` (creating one costs tens of microseconds); give it back
  // with ReleaseStream. Returns Internal when the stream cannot be created.
  virtual StatusOr<std::unique_ptr<analyzers::TokenStream>> AcquireStream(
      const analyzers::Analyzer* analyzer) const = 0;
  virtual void ReleaseStream(const analyzers::Analyzer* analyzer,
                             std::unique_ptr<analyzers::TokenStream> stream) const = 0;
};

}  // namespace stela::engine::internal
