// Index: one shard's durable, segmented inverted index stored in RocksDB.
//
// Writes (index, update, delete) get a sequence number and are in the operation log before they
// are acknowledged; Refresh() turns buffered writes into an immutable, searchable segment; a
// reader Snapshot sees the segments of one moment. See engine/FORMAT.md for the bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stela/analyzers/registry.h"
#include "stela/common/status.h"

namespace stela::engine {

namespace internal {
class SnapshotReader;  // engine-internal (engine/index/snapshot_reader.h), for query execution
}

enum class Durability : std::uint8_t {
  kRequest,  // fsync the operation log before acknowledging (default; group commit)
  kAsync,    // fsync every sync_interval_ms; a crash may lose that much
};

struct IndexOptions {
  // Mappings as Elasticsearch writes them: {"properties": {"title": {"type": "text"}, ...}}.
  std::string mappings_json = "{}";
  Durability durability = Durability::kRequest;
  std::uint32_t sync_interval_ms = 5000;
  // Writes become searchable by a background refresh this often; 0 turns it off (Elasticsearch's
  // refresh_interval: -1), leaving Refresh() and size-triggered refreshes.
  std::uint32_t refresh_interval_ms = 1000;
  // Buffered writes larger than this force a refresh (bounds memory).
  std::size_t max_buffer_bytes = 64 << 20;
  // New fields beyond this many are kept in _source but not indexed.
  std::uint32_t max_fields = 1000;
  std::uint64_t primary_term = 1;
  // Log-structured merging in a background thread: segments fall into levels by live docs
  // (level n: up to floor_segment_docs * merge_factor^(n+1)); when a level holds merge_factor
  // segments, its smallest merge_factor merge into one of a higher level. Each document is so
  // rewritten about log_merge_factor(docs / floor_segment_docs) times, and indexing does not
  // slow down as the index grows. Segments over max_merged_segment_docs / 2 live docs are not
  // merged further, and no merge makes a bigger segment than max_merged_segment_docs: that
  // bounds a merge's memory (about 200 bytes per merged doc). A segment with more than
  // max_deleted_percent deleted docs is rewritten alone to purge them. When merges fall behind,
  // writes are throttled: past 2 * merge_factor segments in one level each write idles in
  // proportion to its own time (more the further over), past 3 * merge_factor writes wait.
  bool background_merges = true;
  std::uint32_t merge_factor = 10;
  std::uint32_t floor_segment_docs = 1000;
  std::uint32_t max_merged_segment_docs = 2000000;
  std::uint32_t max_deleted_percent = 30;
  // Merges that make a segment of at least this many docs also reorder its docs so that docs
  // sharing terms sit near each other (recursive graph bisection, engine/DESIGN.md "Document
  // order"): smaller doc id gaps, so smaller postings and fewer blocks to read per query, for
  // about 1.8x the merge's time, 170 more bytes of merge memory per doc, and temporary disk
  // space for the merged docs' stored bytes. Background merges
  // reorder from reorder_min_docs (by default only the biggest merges, so that each doc is
  // reordered about once); ForceMerge, asked for a read-optimised index, from
  // force_merge_reorder_min_docs. 0: never.
  std::uint32_t reorder_min_docs = 500000;
  std::uint32_t force_merge_reorder_min_docs = 10000;
};

// What a write did, as Elasticsearch reports it.
struct WriteResult {
  std::uint64_t seq_no = 0;
  std::uint64_t primary_term = 0;
  std::uint64_t version = 0;
  bool created = false;  // index: "created" vs "updated"; delete: unused
  bool found = true;     // delete: whether the document existed
};

struct WriteOptions {
  std::optional<std::uint64_t> if_seq_no;        // optimistic concurrency control
  std::optional<std::uint64_t> if_primary_term;
  std::optional<std::uint64_t> external_version;  // version_type=external: must be greater
  bool create_only = false;                       // _create: fail if the document exists
  // With durability kRequest: skip this write's fsync; the caller calls Index::Sync() before it
  // acknowledges (a bulk request syncs once for all its items).
  bool defer_sync = false;
};

struct StoredDocument {
  std::string id;
  std::string source;  // the JSON as indexed
  std::uint64_t version = 0;
  std::uint64_t seq_no = 0;
  std::uint64_t primary_term = 0;
};

// Statistics of one field across the snapshot's segments (for BM25).
struct FieldStats {
  std::uint64_t doc_count = 0;     // docs with the field
  std::uint64_t sum_length = 0;    // total tokens
};

// A point-in-time view: the segments of one moment, readable even after a merge dropped them.
// Immutable; thread-safe; must be released before its Index is destroyed.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Live documents (deletes subtracted).
  virtual std::uint64_t doc_count() const = 0;
  virtual std::uint64_t max_seq_no() const = 0;
  virtual std::size_t segment_count() const = 0;
  // Total docs with the term in `field` (live or not, like Lucene's docFreq) across segments.
  virtual StatusOr<std::uint64_t> DocFreq(std::string_view field, std::string_view term) const = 0;
  virtual FieldStats Stats(std::string_view field) const = 0;
  // The ids of the live docs containing `term` in `field`, in no particular order (tests, tools).
  virtual StatusOr<std::vector<std::string>> MatchingIds(std::string_view field,
                                                         std::string_view term) const = 0;
  // The doc values of `field` for every live doc that has some, by _id, rendered as text
  // (numbers in decimal, dates as epoch milliseconds, booleans as 0/1). For tests and tools.
  virtual StatusOr<std::map<std::string, std::vector<std::string>>> DocValuesById(
      std::string_view field) const = 0;
  // Every live document (check-index, tests).
  virtual Status ForEachDocument(
      const std::function<Status(const StoredDocument&)>& fn) const = 0;
  // What stela/engine/search.h executes queries on.
  virtual const internal::SnapshotReader& reader() const = 0;
};

struct IndexStats {
  std::uint64_t docs = 0;            // live, searchable
  std::uint64_t deleted_docs = 0;    // deleted or replaced, still in segments until merged away
  std::uint64_t disk_bytes = 0;      // the shard's files (SSTs of every column family)
  std::uint64_t buffered_ops = 0;    // not yet refreshed
  std::uint64_t segments = 0;
  std::uint64_t max_seq_no = 0;      // highest assigned
  std::uint64_t committed_seq_no = 0;  // all ops at or below are in segments
  std::uint64_t unmapped_fields = 0;   // fields over max_fields, kept only in _source
  std::uint64_t merges = 0;            // merges completed since open
  std::uint64_t merged_docs = 0;       // live docs those merges rewrote
  std::uint64_t merges_running = 0;    // merges under way now
  // Indexing throttle (merges behind): time writers spent idle or waiting for merges, writes
  // that idled, and whether writes are throttled now.
  std::uint64_t throttle_ms = 0;
  std::uint64_t throttled_writes = 0;
  bool throttled = false;
};

// Thread-safe: writes from many threads, searches concurrent with writes.
class Index {
 public:
  // Opens the index at `path`, creating it with `options` if it does not exist, and replays the
  // operation log above the last committed segment. `registry` must outlive the index.
  static StatusOr<std::unique_ptr<Index>> Open(const std::string& path, IndexOptions options,
                                               const analyzers::Registry& registry);
  virtual ~Index() = default;

  // Creates or replaces document `id` with JSON `source`. Returns InvalidArgument for bad JSON
  // or ids, Aborted ("version_conflict_engine_exception") when WriteOptions' conditions fail.
  virtual StatusOr<WriteResult> IndexDocument(std::string_view id, std::string_view source,
                                              const WriteOptions& options = {}) = 0;
  // Merges JSON object `partial` into the document (Elasticsearch's partial update). With
  // `upsert`, a missing document is created from `partial`; otherwise NotFound.
  virtual StatusOr<WriteResult> UpdateDocument(std::string_view id, std::string_view partial,
                                               bool upsert, const WriteOptions& options = {}) = 0;
  virtual StatusOr<WriteResult> DeleteDocument(std::string_view id,
                                               const WriteOptions& options = {}) = 0;
  // Realtime get (sees unrefreshed writes). NotFound if absent.
  virtual StatusOr<StoredDocument> Get(std::string_view id) const = 0;

  // Makes every write so far searchable (and committed) as a new segment.
  virtual Status Refresh() = 0;
  // Blocks until the write with `seq_no` is searchable (refresh=wait_for): at the next periodic
  // refresh, or by refreshing now when periodic refresh is off.
  virtual Status WaitForRefresh(std::uint64_t seq_no) = 0;
  // Refresh plus a full fsync of the store.
  virtual Status Flush() = 0;
  // Makes every logged operation durable (fsync of the operation log); for defer_sync writes.
  virtual Status Sync() = 0;
  // Merges (in the calling thread) until at most `max_segments` segments remain, purging
  // deleted docs from every segment it rewrites (Elasticsearch's _forcemerge).
  virtual Status ForceMerge(std::uint32_t max_segments) = 0;
  virtual std::shared_ptr<const Snapshot> AcquireSnapshot() const = 0;
  virtual IndexStats Stats() const = 0;
  // The mappings as JSON, including dynamically added fields.
  virtual std::string MappingsJson() const = 0;
  // Adds new fields ({"properties": {...}}); existing fields cannot change type
  // (InvalidArgument). Takes effect for documents written afterwards; durable at the next refresh.
  virtual Status PutMappings(std::string_view json) = 0;
};

}  // namespace stela::engine
