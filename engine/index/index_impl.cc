// The Index: write path (operation log, buffer), refresh into segments, recovery, snapshots.
//
// Concurrency: `mu_` guards the buffer, the version map, the segment list and sequence numbers;
// parsing and analysis run outside it (in the writer's thread), and so does the fsync of the
// operation log, so concurrent writers share fsyncs (RocksDB group commit). One refresh runs at a
// time (`refresh_mu_`); it freezes the buffer under `mu_`, builds the segment's SST files without
// it, and commits under it again.
#include <roaring/roaring.hh>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/codec/doc_values.h"
#include "engine/codec/norms.h"
#include "engine/codec/postings.h"
#include "engine/index/document.h"
#include "engine/index/keys.h"
#include "engine/index/mapping.h"
#include "engine/index/postings_buffer.h"
#include "engine/index/records.h"
#include "engine/index/reorder.h"
#include "engine/index/spill_file.h"
#include "engine/index/snapshot_reader.h"
#include "engine/index/testing_hooks.h"
#include "engine/store/store.h"
#include "stela/engine/index.h"

namespace stela::engine {

namespace {

using index::DocumentParser;
using index::FieldDef;
using index::FieldType;
using index::Mappings;
using store::Cf;

constexpr std::size_t kMaxIdBytes = 512;

Status VersionConflict(std::string_view id, const std::string& detail) {
  return Status(Status::Code::kAborted, "version_conflict_engine_exception: [" + std::string(id) +
                                            "]: version conflict, " + detail);
}

struct BufferedDoc {
  StoredDocument doc;
  bool live = true;
};

// The open segment: documents written since the last refresh. Docnos are positions in `docs`;
// replaced or deleted docs stay (not live) so docnos never move.
struct Buffer {
  explicit Buffer(std::uint32_t seg) : segment(seg) {}
  std::uint32_t segment;
  std::vector<BufferedDoc> docs;
  std::map<std::uint16_t, index::PostingsBuffer> postings;
  std::map<std::uint16_t, std::vector<std::uint32_t>> lengths;  // field -> docno -> length
  std::map<std::uint16_t, std::vector<std::pair<std::uint32_t, index::DocValue>>> doc_values;
  std::size_t bytes = 0;
  std::size_t ops = 0;

  std::uint32_t Add(StoredDocument doc, const index::ParsedDocument& parsed) {
    const auto docno = static_cast<std::uint32_t>(docs.size());
    bytes += doc.source.size() + doc.id.size() + 64;
    docs.push_back({std::move(doc), true});
    // Terms come grouped by field (as the parser walks the document), so the field's buffer is
    // looked up once per run.
    index::PostingsBuffer* field = nullptr;
    std::uint16_t field_id = 0;
    constexpr std::size_t kPrefetchAhead = 8;
    const std::vector<index::IndexedTerm>& terms = parsed.terms;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const index::IndexedTerm& t = terms[i];
      if (field == nullptr || t.field != field_id) {
        field_id = t.field;
        field = &postings.try_emplace(t.field, parsed.FindField(t.field)->positional).first->second;
      }
      if (i + kPrefetchAhead < terms.size() && terms[i + kPrefetchAhead].field == field_id) {
        field->Prefetch(terms[i + kPrefetchAhead].hash);
      }
      bytes += field->Add(t.term, t.hash, docno, t.position);
    }
    for (const index::DocValue& dv : parsed.doc_values) {
      doc_values[dv.field].emplace_back(docno, dv);
      bytes += 16 + dv.term.size();
    }
    for (const index::FieldLength& f : parsed.fields) {
      std::vector<std::uint32_t>& v = lengths[f.field];
      v.resize(docno + 1, 0);
      v[docno] = f.length;
    }
    return docno;
  }
};

// Where the newest copy of an id is, for ids written since the last commit.
struct VersionEntry {
  std::uint32_t segment;
  std::uint32_t docno;
  std::uint64_t seq_no;
  std::uint64_t version;
  std::uint64_t primary_term;
  bool deleted;
};

// Decoded per-segment data for searches, loaded on first use. Segments are immutable, so every
// snapshot holding the segment shares one cache.
struct SegmentCache {
  std::mutex mu;
  std::map<std::uint16_t, std::shared_ptr<const std::vector<std::uint8_t>>> norms;  // GUARDED_BY(mu)
  std::map<std::uint16_t, std::shared_ptr<const codec::DocValuesColumn>> doc_values;  // GUARDED_BY(mu)
};

struct SegmentState {
  std::shared_ptr<const index::SegmentInfo> info;
  std::shared_ptr<const Roaring> live;  // null: every doc is live
  std::uint64_t live_count = 0;
  std::shared_ptr<SegmentCache> cache = std::make_shared<SegmentCache>();

  bool IsLive(std::uint32_t docno) const { return live == nullptr || live->contains(docno); }
};

StatusOr<StoredDocument> ReadStoredDocument(const store::Store& store, std::uint32_t segment,
                                            std::uint32_t docno, const store::ReadView* view) {
  std::string value;
  STELA_RETURN_IF_ERROR(store.Get(Cf::kDocs, index::keys::Doc(segment, docno), &value, view));
  StoredDocument d;
  STELA_RETURN_IF_ERROR(index::DecodeStoredDocument(value, &d));
  return d;
}

// Token streams for query analysis, shared by all snapshots of an index. Thread-safe.
class StreamPool {
 public:
  StatusOr<std::unique_ptr<analyzers::TokenStream>> Acquire(const analyzers::Analyzer* a) {
    {
      std::lock_guard lock(mu_);
      auto it = free_.find(a);
      if (it != free_.end()) {
        auto stream = std::move(it->second);
        free_.erase(it);
        return stream;
      }
    }
    return a->NewStream();
  }
  void Release(const analyzers::Analyzer* a, std::unique_ptr<analyzers::TokenStream> stream) {
    std::lock_guard lock(mu_);
    if (free_.count(a) < kMaxPerAnalyzer) free_.emplace(a, std::move(stream));
  }

 private:
  static constexpr std::size_t kMaxPerAnalyzer = 16;
  std::mutex mu_;
  std::multimap<const analyzers::Analyzer*, std::unique_ptr<analyzers::TokenStream>> free_;
};

class SegmentReaderImpl final : public internal::SegmentReader {
 public:
  SegmentReaderImpl(const store::Store* store, const store::ReadView* view, SegmentState state)
      : store_(store), view_(view), s_(std::move(state)) {}

  std::uint32_t id() const override { return s_.info->id; }
  std::uint32_t max_doc() const override { return s_.info->max_doc; }
  bool IsLive(std::uint32_t docno) const override { return s_.IsLive(docno); }
  bool has_deletions() const override {
    return s_.live != nullptr && s_.live_count < s_.info->max_doc;
  }

  Status Postings(std::uint16_t field, std::string_view term, std::string* out,
                  bool* found) const override {
    Status st = store_->Get(Cf::kTerms, index::keys::Term(s_.info->id, field, term), out, view_);
    *found = st.ok();
    return st.IsNotFound() ? Status::OK() : st;
  }

  Status ScanTerms(std::uint16_t field, std::string_view start,
                   const std::function<bool(std::string_view, std::string_view)>& fn)
      const override {
    const std::string prefix = index::keys::Term(s_.info->id, field, "");
    auto it = store_->NewIterator(Cf::kTerms, view_);
    for (it->Seek(index::keys::Term(s_.info->id, field, start)); it->Valid(); it->Next()) {
      const std::string_view k = it->key();
      if (k.substr(0, prefix.size()) != prefix) break;
      if (!fn(k.substr(prefix.size()), it->value())) break;
    }
    return it->status();
  }

  StatusOr<std::shared_ptr<const std::vector<std::uint8_t>>> Norms(
      std::uint16_t field) const override {
    std::lock_guard lock(s_.cache->mu);
    auto it = s_.cache->norms.find(field);
    if (it != s_.cache->norms.end()) return it->second;
    std::string value;
    Status st = store_->Get(Cf::kSegments, index::keys::Norms(s_.info->id, field), &value, view_);
    std::shared_ptr<const std::vector<std::uint8_t>> norms;
    if (!st.IsNotFound()) {
      STELA_RETURN_IF_ERROR(st);
      std::vector<std::uint32_t> lengths;
      STELA_RETURN_IF_ERROR(index::DecodeNorms(value, s_.info->max_doc, &lengths));
      auto bytes = std::make_shared<std::vector<std::uint8_t>>(lengths.size());
      for (std::size_t i = 0; i < lengths.size(); ++i) (*bytes)[i] = codec::EncodeNorm(lengths[i]);
      norms = std::move(bytes);
    }
    s_.cache->norms[field] = norms;
    return norms;
  }

  StatusOr<std::shared_ptr<const codec::DocValuesColumn>> DocValues(
      std::uint16_t field) const override {
    std::lock_guard lock(s_.cache->mu);
    auto it = s_.cache->doc_values.find(field);
    if (it != s_.cache->doc_values.end()) return it->second;
    std::string value;
    Status st =
        store_->Get(Cf::kSegments, index::keys::DocValues(s_.info->id, field), &value, view_);
    std::shared_ptr<const codec::DocValuesColumn> column;
    if (!st.IsNotFound()) {
      STELA_RETURN_IF_ERROR(st);
      auto c = std::make_shared<codec::DocValuesColumn>();
      STELA_RETURN_IF_ERROR(codec::DocValuesColumn::Decode(value, c.get()));
      if (c->max_doc() != s_.info->max_doc) {
        return Status::Corruption("doc values column length differs from the segment's docs");
      }
      column = std::move(c);
    }
    s_.cache->doc_values[field] = column;
    return column;
  }

  StatusOr<StoredDocument> Document(std::uint32_t docno) const override {
    return ReadStoredDocument(*store_, s_.info->id, docno, view_);
  }

 private:
  const store::Store* store_;
  const store::ReadView* view_;
  SegmentState s_;
};

class SnapshotImpl final : public Snapshot, public internal::SnapshotReader {
 public:
  SnapshotImpl(const store::Store* store, std::shared_ptr<const store::ReadView> view,
               std::shared_ptr<const Mappings> mappings, std::vector<SegmentState> segments,
               std::uint64_t max_seq_no, const analyzers::Registry* registry,
               std::shared_ptr<StreamPool> streams)
      : store_(store),
        view_(std::move(view)),
        mappings_(std::move(mappings)),
        segments_(std::move(segments)),
        max_seq_no_(max_seq_no),
        registry_(registry),
        streams_(std::move(streams)) {
    for (std::size_t i = 0; i < segments_.size(); ++i) {
      readers_.push_back(std::make_unique<SegmentReaderImpl>(store_, view_.get(), segments_[i]));
      reader_ptrs_.push_back(readers_.back().get());
      by_id_[segments_[i].info->id] = i;
    }
  }

  const internal::SnapshotReader& reader() const override { return *this; }
  const std::vector<const internal::SegmentReader*>& segments() const override {
    return reader_ptrs_;
  }
  const index::Mappings& mappings() const override { return *mappings_; }
  const analyzers::Registry& registry() const override { return *registry_; }
  StatusOr<std::unique_ptr<analyzers::TokenStream>> AcquireStream(
      const analyzers::Analyzer* analyzer) const override {
    return streams_->Acquire(analyzer);
  }
  void ReleaseStream(const analyzers::Analyzer* analyzer,
                     std::unique_ptr<analyzers::TokenStream> stream) const override {
    streams_->Release(analyzer, std::move(stream));
  }

  StatusOr<std::optional<std::pair<std::size_t, std::uint32_t>>> Locate(
      std::string_view id) const override {
    using Result = std::optional<std::pair<std::size_t, std::uint32_t>>;
    std::string value;
    Status st = store_->Get(Cf::kIds, id, &value, view_.get());
    if (st.IsNotFound()) return Result();
    STELA_RETURN_IF_ERROR(st);
    index::IdLocation loc;
    STELA_RETURN_IF_ERROR(index::DecodeIdLocation(value, &loc));
    auto it = by_id_.find(loc.segment);
    if (it == by_id_.end() || !segments_[it->second].IsLive(loc.docno)) return Result();
    return Result(std::make_pair(it->second, loc.docno));
  }

  std::uint64_t doc_count() const override {
    std::uint64_t n = 0;
    for (const SegmentState& s : segments_) n += s.live_count;
    return n;
  }
  std::uint64_t max_seq_no() const override { return max_seq_no_; }
  std::size_t segment_count() const override { return segments_.size(); }

  StatusOr<std::uint64_t> DocFreq(std::string_view field, std::string_view term) const override {
    std::uint64_t df = 0;
    STELA_RETURN_IF_ERROR(ForEachPostings(
        field, term, [&](const SegmentState&, codec::PostingsIterator& it) {
          df += it.doc_freq();
          return Status::OK();
        }));
    return df;
  }

  FieldStats Stats(std::string_view field) const override {
    FieldStats total;
    const FieldDef* f = mappings_->Find(field);
    if (f == nullptr) return total;
    for (const SegmentState& s : segments_) {
      auto it = s.info->fields.find(f->id);
      if (it == s.info->fields.end()) continue;
      total.doc_count += it->second.doc_count;
      total.sum_length += it->second.sum_length;
    }
    return total;
  }

  StatusOr<std::vector<std::string>> MatchingIds(std::string_view field,
                                                 std::string_view term) const override {
    std::vector<std::string> ids;
    STELA_RETURN_IF_ERROR(ForEachPostings(
        field, term, [&](const SegmentState& s, codec::PostingsIterator& it) {
          for (; it.doc() != codec::kNoMoreDocs; it.Next()) {
            if (!s.IsLive(it.doc())) continue;
            STELA_ASSIGN_OR_RETURN(StoredDocument d, ReadDoc(s.info->id, it.doc()));
            ids.push_back(std::move(d.id));
          }
          return it.status();
        }));
    return ids;
  }

  StatusOr<std::map<std::string, std::vector<std::string>>> DocValuesById(
      std::string_view field) const override {
    std::map<std::string, std::vector<std::string>> out;
    const FieldDef* f = mappings_->Find(field);
    if (f == nullptr) return out;
    std::string value;
    for (const SegmentState& s : segments_) {
      Status st = store_->Get(Cf::kSegments, index::keys::DocValues(s.info->id, f->id), &value,
                              view_.get());
      if (st.IsNotFound()) continue;
      STELA_RETURN_IF_ERROR(st);
      codec::DocValuesColumn c;
      STELA_RETURN_IF_ERROR(codec::DocValuesColumn::Decode(value, &c));
      for (std::uint32_t d = 0; d < c.max_doc(); ++d) {
        if (c.count(d) == 0 || !s.IsLive(d)) continue;
        STELA_ASSIGN_OR_RETURN(StoredDocument doc, ReadDoc(s.info->id, d));
        std::vector<std::string>& rendered = out[doc.id];
        if (c.kind() == codec::DocValuesKind::kKeyword) {
          for (std::uint32_t o : c.ordinals(d)) rendered.push_back(c.terms()[o]);
        } else if (f->type == FieldType::kDouble || f->type == FieldType::kFloat) {
          for (std::int64_t v : c.numbers(d)) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", codec::DoubleFromSortableBits(v));
            rendered.push_back(buf);
          }
        } else {
          for (std::int64_t v : c.numbers(d)) rendered.push_back(std::to_string(v));
        }
      }
    }
    return out;
  }

  Status ForEachDocument(const std::function<Status(const StoredDocument&)>& fn) const override {
    for (const SegmentState& s : segments_) {
      auto it = store_->NewIterator(Cf::kDocs, view_.get());
      const std::string end = index::keys::SegmentEnd(s.info->id);
      for (it->Seek(index::keys::SegmentBegin(s.info->id)); it->Valid() && it->key() < end;
           it->Next()) {
        if (it->key().size() != 8) return Status::Corruption("malformed document key");
        const std::uint32_t docno = DecodeFixed32BE(it->key().data() + 4);
        if (!s.IsLive(docno)) continue;
        StoredDocument d;
        STELA_RETURN_IF_ERROR(index::DecodeStoredDocument(it->value(), &d));
        STELA_RETURN_IF_ERROR(fn(d));
      }
      STELA_RETURN_IF_ERROR(it->status());
    }
    return Status::OK();
  }

 private:
  // Calls `fn` with the postings of `term` in `field` of every segment that has the term.
  Status ForEachPostings(
      std::string_view field, std::string_view term,
      const std::function<Status(const SegmentState&, codec::PostingsIterator&)>& fn) const {
    const FieldDef* f = mappings_->Find(field);
    if (f == nullptr) return Status::OK();
    codec::PostingsIterator it;
    std::string value;
    for (const SegmentState& s : segments_) {
      Status st = store_->Get(Cf::kTerms, index::keys::Term(s.info->id, f->id, term), &value,
                              view_.get());
      if (st.IsNotFound()) continue;
      STELA_RETURN_IF_ERROR(st);
      STELA_RETURN_IF_ERROR(it.Init(value));
      STELA_RETURN_IF_ERROR(fn(s, it));
    }
    return Status::OK();
  }

  StatusOr<StoredDocument> ReadDoc(std::uint32_t segment, std::uint32_t docno) const {
    return ReadStoredDocument(*store_, segment, docno, view_.get());
  }

  const store::Store* store_;
  // Segments dropped by a merge after this snapshot stay readable through it.
  std::shared_ptr<const store::ReadView> view_;
  std::shared_ptr<const Mappings> mappings_;
  std::vector<SegmentState> segments_;
  std::uint64_t max_seq_no_;
  const analyzers::Registry* registry_;
  std::shared_ptr<StreamPool> streams_;
  std::vector<std::unique_ptr<SegmentReaderImpl>> readers_;
  std::vector<const internal::SegmentReader*> reader_ptrs_;
  std::map<std::uint32_t, std::size_t> by_id_;  // segment id -> index in segments_
};

class IndexImpl final : public Index {
 public:
  IndexImpl(IndexOptions options, const analyzers::Registry& registry)
      : options_(std::move(options)), registry_(registry) {}
  ~IndexImpl() override;

  Status OpenStore(const std::string& path);
  // testing::HoldMerges.
  void HoldMerges(bool hold) {
    std::lock_guard lock(mu_);
    merges_held_ = hold;
    merge_cv_.notify_all();
  }

  StatusOr<WriteResult> IndexDocument(std::string_view id, std::string_view source,
                                      const WriteOptions& options) override;
  StatusOr<WriteResult> UpdateDocument(std::string_view id, std::string_view partial, bool upsert,
                                       const WriteOptions& options) override;
  StatusOr<WriteResult> DeleteDocument(std::string_view id, const WriteOptions& options) override;
  StatusOr<StoredDocument> Get(std::string_view id) const override;
  Status Refresh() override;
  Status Flush() override;
  Status Sync() override { return store_->SyncWal(); }
  Status ForceMerge(std::uint32_t max_segments) override;
  Status WaitForRefresh(std::uint64_t seq_no) override;
  std::shared_ptr<const Snapshot> AcquireSnapshot() const override {
    std::lock_guard lock(mu_);
    return snapshot_;
  }
  IndexStats Stats() const override;
  std::string MappingsJson() const override {
    std::lock_guard lock(mappings_mu_);
    return mappings_->ToJson();
  }
  Status PutMappings(std::string_view json) override {
    {
      std::lock_guard lock(mappings_mu_);
      STELA_RETURN_IF_ERROR(mappings_->Merge(json));
      mappings_dirty_ = true;
    }
    // Searches see the new fields (and the mappings become durable) with a refresh.
    return Refresh();
  }

 private:
  // A pooled parser with its analysis streams (one per concurrent writer).
  std::unique_ptr<DocumentParser> AcquireParser();
  void ReleaseParser(std::unique_ptr<DocumentParser> p);
  Status ParseDocument(std::string_view source, index::ParsedDocument* out);

  // The newest copy of `id` (not deleted): from the version map, else the ids family.
  // REQUIRES(mu_).
  StatusOr<std::optional<VersionEntry>> LookupLocked(std::string_view id) const;
  Status CheckConditions(std::string_view id, const std::optional<VersionEntry>& cur,
                         const WriteOptions& options) const;
  void MarkDeletedLocked(const VersionEntry& e);
  // Applies an operation to the buffer and version map. REQUIRES(mu_).
  // Sets the version map's entry for `id`, keeping the one it replaces for the refresh under way
  // when that one is at or below the refresh's commit point.
  void SetVersionLocked(const std::string& id, const VersionEntry& e);
  void ApplyIndexLocked(index::Operation op, const index::ParsedDocument& parsed);
  Status LogOperation(const index::Operation& op, const WriteOptions& options);
  // Indexing throttle, as Elasticsearch throttles indexing when merges fall behind, instead of
  // piling up segments. Past twice the merge factor in one level, each write idles in
  // proportion to the time it took (ThrottleWrite), so the merge threads, which run at a lower
  // priority, get CPU; past three times, writers wait for merges outright.
  // How many segments the fullest level holds over twice the merge factor (0: none). REQUIRES(mu_).
  std::size_t MergeBacklogLocked() const;
  // Waits while the backlog is past the outright limit; returns the backlog it leaves at.
  std::size_t WaitForMergesLocked(std::unique_lock<std::mutex>& lock);
  void ThrottleWrite(std::size_t backlog, std::chrono::steady_clock::time_point started);

  Status Recover();
  Status ReplayOperation(const index::Operation& op);
  Status WriteSegment(const Buffer& buffer, index::SegmentInfo* info);
  // Finishes a segment's three SST files and ingests them in one atomic step.
  Status IngestSegment(std::unique_ptr<store::SstBuilder> terms,
                       std::unique_ptr<store::SstBuilder> docs,
                       std::unique_ptr<store::SstBuilder> segs);
  void PublishSnapshotLocked();
  void SyncLoop();

  // Merging. Two background threads merge concurrently: one takes only small merges (up to
  // floor_segment_docs * merge_factor^2 docs), so a long merge of big segments never leaves the small ones
  // to pile up (and writers to wait); the other takes any. A segment being merged is in
  // merging_ and no other merge picks it.
  struct MergeOutput;
  // Picks segments to merge (none: empty), skipping those being merged. REQUIRES(mu_).
  // Background merges pick by level (see IndexOptions), of at most `max_docs` docs in all;
  // force merges (ForceMerge) the smallest segments until at most `max_segments` remain, then
  // purge deletes.
  std::vector<SegmentState> PickMergeLocked(std::uint32_t max_segments, bool force,
                                            std::uint64_t max_docs = ~std::uint64_t{0}) const;
  // The segments that may still merge and are not being merged, by level, smallest first.
  std::map<std::uint32_t, std::vector<SegmentState>> LevelsLocked() const;
  // A segment's level by its live docs; none when it is too big to merge further.
  std::optional<std::uint32_t> LevelOf(const SegmentState& s) const;
  Status MergeOnce(std::uint32_t max_segments, bool force, std::uint64_t max_docs, bool* merged);
  // `force`: a ForceMerge's merge (IndexOptions::force_merge_reorder_min_docs applies).
  Status WriteMerged(const std::vector<SegmentState>& sources, std::uint32_t id,
                     const store::ReadView& view, bool force, MergeOutput* out);
  // (source index, docno there) of a merged doc.
  using DocOrigin = std::pair<std::uint32_t, std::uint32_t>;
  // The merged segment's stored documents, in merged order, when that order follows the
  // sources' (WriteDocsInOrder) or not (WriteReorderedDocs); each adds its docs to out->moved.
  Status WriteDocsInOrder(const std::vector<SegmentState>& sources, const store::ReadView& view,
                          const std::vector<DocOrigin>& origin, std::uint32_t id,
                          store::SstBuilder* docs, MergeOutput* out);
  Status WriteReorderedDocs(const std::vector<SegmentState>& sources, const store::ReadView& view,
                            const std::vector<DocOrigin>& origin, std::uint32_t id,
                            store::SstBuilder* docs, MergeOutput* out);
  Status AddMovedDoc(std::string_view value, std::size_t source, std::uint32_t old_docno,
                     std::uint32_t new_docno, std::uint32_t id, store::SstBuilder* docs,
                     MergeOutput* out);
  // Renumbers out->remap's merged docs so that docs sharing terms are near each other
  // (index::BisectionOrder over the sources' postings).
  Status ReorderForMerge(const std::vector<SegmentState>& sources, const store::ReadView& view,
                         MergeOutput* out);
  void MergeLoop(std::uint64_t max_docs);
  void RefreshLoop();
  Status ReclaimDropped();

  IndexOptions options_;
  const analyzers::Registry& registry_;
  std::unique_ptr<store::Store> store_;

  mutable std::mutex mappings_mu_;
  std::shared_ptr<Mappings> mappings_;  // GUARDED_BY(mappings_mu_) for changes
  bool mappings_dirty_ = false;          // GUARDED_BY(mappings_mu_)

  std::mutex parsers_mu_;
  std::vector<std::unique_ptr<DocumentParser>> parsers_;

  std::mutex refresh_mu_;
  mutable std::mutex mu_;
  std::unique_ptr<Buffer> buffer_;                  // GUARDED_BY(mu_)
  std::unique_ptr<Buffer> frozen_;                  // being written by Refresh; GUARDED_BY(mu_)
  std::unordered_map<std::string, VersionEntry> versions_;  // GUARDED_BY(mu_)
  // While a refresh is under way: for each id written again after the freeze, its entry as of
  // the commit point (frozen_commit_seq_), which the commit must record in the ids family; the
  // version map holds only the newest entry. GUARDED_BY(mu_)
  std::unordered_map<std::string, VersionEntry> frozen_versions_;
  std::uint64_t frozen_commit_seq_ = 0;  // GUARDED_BY(mu_)
  std::map<std::uint32_t, std::vector<std::uint32_t>> pending_deletes_;  // GUARDED_BY(mu_)
  // The deletes a refresh in progress makes visible: those made before it froze the buffer (later
  // ones wait for the next refresh, with the writes that made them). GUARDED_BY(mu_)
  std::map<std::uint32_t, std::vector<std::uint32_t>> frozen_deletes_;
  std::vector<SegmentState> segments_;              // GUARDED_BY(mu_)
  std::uint64_t max_seq_no_ = 0;                    // GUARDED_BY(mu_)
  std::uint64_t committed_seq_no_ = 0;              // GUARDED_BY(mu_)
  std::uint32_t next_segment_ = 1;                  // GUARDED_BY(mu_)
  std::shared_ptr<const Snapshot> snapshot_;        // GUARDED_BY(mu_)
  std::shared_ptr<StreamPool> streams_ = std::make_shared<StreamPool>();

  std::set<std::uint32_t> merging_;   // segments in merges under way; GUARDED_BY(mu_)
  std::vector<std::thread> merge_threads_;
  std::condition_variable merge_cv_;  // signalled (under mu_) when segments change or on stop
  std::condition_variable merged_cv_;  // signalled (under mu_) after each merge commit
  bool merge_stop_ = false;           // GUARDED_BY(mu_)
  std::atomic<bool> merge_abort_{false};  // closing: merges under way give up (read unlocked)
  std::uint64_t merges_ = 0, merged_docs_ = 0;  // GUARDED_BY(mu_)
  std::uint64_t merges_running_ = 0;            // GUARDED_BY(mu_)
  bool merges_held_ = false;                    // testing::HoldMerges; GUARDED_BY(mu_)
  std::atomic<std::uint64_t> throttle_ns_{0}, throttled_writes_{0};
  // Merged away, space not reclaimed; the weak pointer tells when no snapshot reads it any more.
  struct Dropped {
    std::uint32_t id;
    std::weak_ptr<const index::SegmentInfo> info;
  };
  std::vector<Dropped> dropped_;  // GUARDED_BY(mu_)

  std::thread refresh_thread_;
  std::condition_variable refreshed_cv_;  // signalled (under mu_) after each refresh commit

  std::thread sync_thread_;
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool stopping_ = false;
};

IndexImpl::~IndexImpl() {
  {
    std::lock_guard lock(mu_);
    merge_stop_ = true;
  }
  merge_abort_ = true;  // a long merge would hold up the shutdown; its sources stay as they are
  merge_cv_.notify_all();
  merged_cv_.notify_all();
  refreshed_cv_.notify_all();
  for (std::thread& t : merge_threads_) t.join();
  if (refresh_thread_.joinable()) refresh_thread_.join();
  {
    std::lock_guard lock(sync_mu_);
    stopping_ = true;
  }
  sync_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  if (store_ != nullptr) (void)store_->SyncWal();
}

void IndexImpl::SyncLoop() {
  std::unique_lock lock(sync_mu_);
  while (!stopping_) {
    sync_cv_.wait_for(lock, std::chrono::milliseconds(options_.sync_interval_ms));
    if (stopping_) break;
    lock.unlock();
    (void)store_->SyncWal();
    lock.lock();
  }
}

std::unique_ptr<DocumentParser> IndexImpl::AcquireParser() {
  {
    std::lock_guard lock(parsers_mu_);
    if (!parsers_.empty()) {
      auto p = std::move(parsers_.back());
      parsers_.pop_back();
      return p;
    }
  }
  return std::make_unique<DocumentParser>(registry_);
}

void IndexImpl::ReleaseParser(std::unique_ptr<DocumentParser> p) {
  std::lock_guard lock(parsers_mu_);
  parsers_.push_back(std::move(p));
}

Status IndexImpl::ParseDocument(std::string_view source, index::ParsedDocument* out) {
  index::FieldResolver resolve = [this](std::string_view path,
                                        index::JsonKind kind) -> const FieldDef* {
    std::lock_guard lock(mappings_mu_);
    if (const FieldDef* f = mappings_->Find(path)) return f;
    FieldType type = FieldType::kText;
    switch (kind) {
      case index::JsonKind::kString: type = FieldType::kText; break;
      case index::JsonKind::kDateString: type = FieldType::kDate; break;
      case index::JsonKind::kInteger: type = FieldType::kLong; break;
      case index::JsonKind::kFloat: type = FieldType::kFloat; break;
      case index::JsonKind::kBoolean: type = FieldType::kBoolean; break;
    }
    const std::uint64_t unmapped_before = mappings_->unmapped();
    const FieldDef* f = mappings_->AddDynamic(path, type);
    if (f != nullptr || mappings_->unmapped() != unmapped_before) mappings_dirty_ = true;
    return f;
  };
  index::MultiFieldLookup multi = [this](std::string_view path) {
    std::lock_guard lock(mappings_mu_);
    return mappings_->MultiFields(path);
  };
  std::unique_ptr<DocumentParser> parser = AcquireParser();
  Status s = parser->Parse(source, resolve, multi, out);
  ReleaseParser(std::move(parser));
  return s;
}

StatusOr<std::optional<VersionEntry>> IndexImpl::LookupLocked(std::string_view id) const {
  auto it = versions_.find(std::string(id));
  if (it != versions_.end()) {
    if (it->second.deleted) return std::optional<VersionEntry>();
    return std::optional<VersionEntry>(it->second);
  }
  std::string value;
  Status s = store_->Get(Cf::kIds, id, &value);
  if (s.IsNotFound()) return std::optional<VersionEntry>();
  STELA_RETURN_IF_ERROR(s);
  index::IdLocation loc;
  STELA_RETURN_IF_ERROR(index::DecodeIdLocation(value, &loc));
  return std::optional<VersionEntry>(
      VersionEntry{loc.segment, loc.docno, loc.seq_no, loc.version, loc.primary_term, false});
}

Status IndexImpl::CheckConditions(std::string_view id, const std::optional<VersionEntry>& cur,
                                  const WriteOptions& o) const {
  if (o.create_only && cur) {
    return VersionConflict(id, "document already exists (current version [" +
                                   std::to_string(cur->version) + "])");
  }
  if (o.if_seq_no || o.if_primary_term) {
    if (!cur) {
      return VersionConflict(id, "required seqNo [" + std::to_string(o.if_seq_no.value_or(0)) +
                                     "], but no document was found");
    }
    if (cur->seq_no != o.if_seq_no.value_or(cur->seq_no) ||
        cur->primary_term != o.if_primary_term.value_or(cur->primary_term)) {
      return VersionConflict(id, "required seqNo [" + std::to_string(o.if_seq_no.value_or(0)) +
                                     "], primary term [" +
                                     std::to_string(o.if_primary_term.value_or(0)) +
                                     "]. current document has seqNo [" +
                                     std::to_string(cur->seq_no) + "] and primary term [" +
                                     std::to_string(cur->primary_term) + "]");
    }
  }
  if (o.external_version && cur && *o.external_version <= cur->version) {
    return VersionConflict(id, "current version [" + std::to_string(cur->version) +
                                   "] is higher or equal to the one provided [" +
                                   std::to_string(*o.external_version) + "]");
  }
  return Status::OK();
}

void IndexImpl::MarkDeletedLocked(const VersionEntry& e) {
  if (e.segment == buffer_->segment) {
    buffer_->docs[e.docno].live = false;
  } else {
    pending_deletes_[e.segment].push_back(e.docno);
  }
}

void IndexImpl::SetVersionLocked(const std::string& id, const VersionEntry& e) {
  auto [it, inserted] = versions_.try_emplace(id, e);
  if (inserted) return;
  // Superseding an entry the refresh under way will commit: keep it for that commit.
  if (frozen_ != nullptr && it->second.seq_no <= frozen_commit_seq_) {
    frozen_versions_.try_emplace(id, it->second);
  }
  it->second = e;
}

void IndexImpl::ApplyIndexLocked(index::Operation op, const index::ParsedDocument& parsed) {
  StoredDocument doc{op.id, std::move(op.source), op.version, op.seq_no, op.primary_term};
  const std::uint32_t docno = buffer_->Add(std::move(doc), parsed);
  ++buffer_->ops;
  SetVersionLocked(op.id, VersionEntry{buffer_->segment, docno, op.seq_no, op.version,
                                       op.primary_term, false});
  max_seq_no_ = std::max(max_seq_no_, op.seq_no);
}

Status IndexImpl::LogOperation(const index::Operation& op, const WriteOptions& options) {
  store::WriteBatch batch(*store_);
  batch.Put(Cf::kOps, index::keys::Op(op.seq_no), index::EncodeOperation(op));
  return store_->Write(batch, options_.durability == Durability::kRequest && !options.defer_sync);
}

Status ValidateId(std::string_view id) {
  if (id.empty()) return Status::InvalidArgument("if _id is specified it must not be empty");
  if (id.size() > kMaxIdBytes) {
    return Status::InvalidArgument("id [" + std::string(id.substr(0, 32)) +
                                   "...] is too long, must be no longer than 512 bytes but was: " +
                                   std::to_string(id.size()));
  }
  return Status::OK();
}

std::size_t IndexImpl::MergeBacklogLocked() const {
  if (!options_.background_merges) return 0;
  const std::size_t soft = std::size_t{std::max<std::uint32_t>(2, options_.merge_factor)} * 2;
  // (Runs on every write: with no more segments than that in all, no level can pass it, and
  // the per-level count is skipped.)
  if (segments_.size() <= soft) return 0;
  std::array<std::uint32_t, 64> per_level{};  // segments being merged count too
  std::uint32_t fullest = 0;
  for (const SegmentState& s : segments_) {
    if (const std::optional<std::uint32_t> level = LevelOf(s)) {
      fullest = std::max(fullest, ++per_level[std::min<std::uint32_t>(*level, 63)]);
    }
  }
  return fullest > soft ? fullest - soft : 0;
}

std::size_t IndexImpl::WaitForMergesLocked(std::unique_lock<std::mutex>& lock) {
  const std::size_t factor = std::max<std::uint32_t>(2, options_.merge_factor);
  bool waited = false;
  const auto start = std::chrono::steady_clock::now();
  std::size_t backlog = MergeBacklogLocked();
  while (!merge_stop_ && backlog > factor) {
    waited = true;
    merge_cv_.notify_all();
    merged_cv_.wait_for(lock, std::chrono::milliseconds(100));
    backlog = MergeBacklogLocked();
  }
  if (waited) {
    throttle_ns_.fetch_add(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                             start).count()));
  }
  return backlog;
}

void IndexImpl::ThrottleWrite(std::size_t backlog,
                              std::chrono::steady_clock::time_point started) {
  if (backlog == 0) return;
  // One segment over: idle as long as the write took (the writer's CPU share halves); each
  // further one adds as much again, up to the outright wait at three times the merge factor.
  const auto worked = std::chrono::steady_clock::now() - started;
  const auto idle = std::min<std::chrono::steady_clock::duration>(
      worked * static_cast<std::int64_t>(backlog), std::chrono::milliseconds(100));
  throttled_writes_.fetch_add(1);
  std::this_thread::sleep_for(idle);
  throttle_ns_.fetch_add(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(idle).count()));
}

StatusOr<WriteResult> IndexImpl::IndexDocument(std::string_view id, std::string_view source,
                                               const WriteOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  STELA_RETURN_IF_ERROR(ValidateId(id));
  index::ParsedDocument parsed;
  STELA_RETURN_IF_ERROR(ParseDocument(source, &parsed));
  index::Operation op;
  op.type = index::OpType::kIndex;
  op.id = std::string(id);
  op.source = std::string(source);
  WriteResult result;
  bool refresh = false;
  std::size_t backlog = 0;
  {
    std::unique_lock lock(mu_);
    backlog = WaitForMergesLocked(lock);
    STELA_ASSIGN_OR_RETURN(std::optional<VersionEntry> cur, LookupLocked(id));
    STELA_RETURN_IF_ERROR(CheckConditions(id, cur, options));
    auto tomb = versions_.find(op.id);
    const std::uint64_t prev_version =
        cur ? cur->version : (tomb != versions_.end() ? tomb->second.version : 0);
    op.seq_no = max_seq_no_ + 1;
    op.primary_term = options_.primary_term;
    op.version = options.external_version.value_or(prev_version + 1);
    if (cur) MarkDeletedLocked(*cur);
    result = WriteResult{op.seq_no, op.primary_term, op.version, !cur.has_value(), true};
    ApplyIndexLocked(op, parsed);
    refresh = buffer_->bytes > options_.max_buffer_bytes;
  }
  STELA_RETURN_IF_ERROR(LogOperation(op, options));
  if (refresh) STELA_RETURN_IF_ERROR(Refresh());
  ThrottleWrite(backlog, started);
  return result;
}

StatusOr<WriteResult> IndexImpl::UpdateDocument(std::string_view id, std::string_view partial,
                                                bool upsert, const WriteOptions& options) {
  STELA_RETURN_IF_ERROR(ValidateId(id));
  // Read-merge-write with the read's seq_no as a condition, retried on a concurrent change,
  // as Elasticsearch's retry_on_conflict does.
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto current = Get(id);
    std::string merged;
    WriteOptions conditional = options;
    if (current.ok()) {
      std::unique_ptr<DocumentParser> parser = AcquireParser();
      Status s = parser->Merge(current->source, partial, &merged);
      ReleaseParser(std::move(parser));
      STELA_RETURN_IF_ERROR(s);
      if (!options.if_seq_no) {
        conditional.if_seq_no = current->seq_no;
        conditional.if_primary_term = current->primary_term;
      }
    } else if (current.status().IsNotFound()) {
      if (!upsert) {
        return Status::NotFound("document_missing_exception: [" + std::string(id) +
                                "]: document missing");
      }
      merged = std::string(partial);
      conditional.create_only = true;
    } else {
      return current.status();
    }
    auto r = IndexDocument(id, merged, conditional);
    if (r.ok() || r.status().code() != Status::Code::kAborted || options.if_seq_no) return r;
  }
  return VersionConflict(id, "the document kept changing while it was updated");
}

StatusOr<WriteResult> IndexImpl::DeleteDocument(std::string_view id, const WriteOptions& options) {
  STELA_RETURN_IF_ERROR(ValidateId(id));
  index::Operation op;
  WriteResult result;
  {
    std::lock_guard lock(mu_);
    STELA_ASSIGN_OR_RETURN(std::optional<VersionEntry> cur, LookupLocked(id));
    STELA_RETURN_IF_ERROR(CheckConditions(id, cur, options));
    op.type = index::OpType::kDelete;
    op.seq_no = max_seq_no_ + 1;
    op.primary_term = options_.primary_term;
    op.version = options.external_version.value_or(cur ? cur->version + 1 : 1);
    op.id = std::string(id);
    if (cur) MarkDeletedLocked(*cur);
    SetVersionLocked(op.id, VersionEntry{0, 0, op.seq_no, op.version, op.primary_term, true});
    max_seq_no_ = op.seq_no;
    ++buffer_->ops;
    result = WriteResult{op.seq_no, op.primary_term, op.version, false, cur.has_value()};
  }
  STELA_RETURN_IF_ERROR(LogOperation(op, options));
  return result;
}

StatusOr<StoredDocument> IndexImpl::Get(std::string_view id) const {
  std::optional<VersionEntry> cur;
  std::shared_ptr<const store::ReadView> view;
  std::shared_ptr<const index::SegmentInfo> holding;
  {
    std::lock_guard lock(mu_);
    STELA_ASSIGN_OR_RETURN(cur, LookupLocked(id));
    if (!cur) return Status::NotFound("document [" + std::string(id) + "] not found");
    if (cur->segment == buffer_->segment) return buffer_->docs[cur->docno].doc;
    if (frozen_ != nullptr && cur->segment == frozen_->segment) {
      return frozen_->docs[cur->docno].doc;
    }
    // Read outside the lock, through a view taken under it, holding the segment: a merge may
    // drop it meanwhile, and its files stay until no one holds it (ReclaimDropped).
    view = store_->NewReadView();
    for (const SegmentState& s : segments_) {
      if (s.info->id == cur->segment) {
        holding = s.info;
        break;
      }
    }
  }
  return ReadStoredDocument(*store_, cur->segment, cur->docno, view.get());
}

Status IndexImpl::WriteSegment(const Buffer& b, index::SegmentInfo* info) {
  info->id = b.segment;
  info->max_doc = static_cast<std::uint32_t>(b.docs.size());
  STELA_ASSIGN_OR_RETURN(auto terms, store_->NewSstBuilder(Cf::kTerms));
  STELA_ASSIGN_OR_RETURN(auto docs, store_->NewSstBuilder(Cf::kDocs));
  STELA_ASSIGN_OR_RETURN(auto segs, store_->NewSstBuilder(Cf::kSegments));
  std::string value;
  for (const auto& [field_key, postings] : b.postings) {
    const std::uint16_t field = field_key;  // captured below; clang 14 cannot capture bindings
    const std::vector<std::uint32_t>* lengths = nullptr;
    if (auto it = b.lengths.find(field); it != b.lengths.end()) lengths = &it->second;
    const bool with_positions = postings.positional();
    codec::PostingsWriter writer(with_positions);
    STELA_RETURN_IF_ERROR(postings.ForEachTerm([&](const index::TermPostings& p) -> Status {
      std::size_t pos = 0;
      for (std::size_t i = 0; i < p.count; ++i) {
        const std::uint32_t len =
            lengths != nullptr && p.docs[i] < lengths->size() ? (*lengths)[p.docs[i]] : 0;
        STELA_RETURN_IF_ERROR(
            writer.Add(p.docs[i], p.freqs[i], with_positions ? p.positions + pos : nullptr, len));
        if (with_positions) pos += p.freqs[i];
      }
      value.clear();
      writer.Finish(&value);
      return terms->Add(index::keys::Term(b.segment, field, p.term), value);
    }));
  }
  for (std::uint32_t docno = 0; docno < b.docs.size(); ++docno) {
    if (!b.docs[docno].live) continue;  // replaced before the refresh: never visible
    STELA_RETURN_IF_ERROR(docs->Add(index::keys::Doc(b.segment, docno),
                                    index::EncodeStoredDocument(b.docs[docno].doc)));
  }
  // Field statistics count every doc of the segment, live or not, as Lucene's do.
  for (const auto& [field, lengths] : b.lengths) info->fields[field] = index::StatsFromNorms(lengths);
  STELA_RETURN_IF_ERROR(segs->Add(index::keys::Segment(b.segment, index::keys::kSegmentInfo),
                                  index::EncodeSegmentInfo(*info)));
  for (const auto& [field, lengths] : b.lengths) {
    std::vector<std::uint32_t> full = lengths;
    full.resize(b.docs.size(), 0);
    STELA_RETURN_IF_ERROR(segs->Add(index::keys::Norms(b.segment, field), index::EncodeNorms(full)));
  }
  for (const auto& [field, values] : b.doc_values) {
    codec::DocValuesWriter dv(values.front().second.is_term ? codec::DocValuesKind::kKeyword
                                                             : codec::DocValuesKind::kNumeric);
    for (const auto& [docno, v] : values) {
      STELA_RETURN_IF_ERROR(v.is_term ? dv.AddTerm(docno, v.term) : dv.AddNumber(docno, v.number));
    }
    value.clear();
    STELA_RETURN_IF_ERROR(dv.Finish(info->max_doc, &value));
    STELA_RETURN_IF_ERROR(segs->Add(index::keys::DocValues(b.segment, field), value));
  }
  return IngestSegment(std::move(terms), std::move(docs), std::move(segs));
}

Status IndexImpl::IngestSegment(std::unique_ptr<store::SstBuilder> terms,
                                std::unique_ptr<store::SstBuilder> docs,
                                std::unique_ptr<store::SstBuilder> segs) {
  std::vector<std::unique_ptr<store::SstBuilder>> builders;
  builders.push_back(std::move(terms));
  builders.push_back(std::move(docs));
  builders.push_back(std::move(segs));
  for (auto& builder : builders) STELA_RETURN_IF_ERROR(builder->Finish());
  return store_->Ingest(builders);
}

Status IndexImpl::Refresh() {
  std::lock_guard refresh_lock(refresh_mu_);
  std::uint64_t commit_seq = 0;
  {
    std::lock_guard lock(mu_);
    std::lock_guard mlock(mappings_mu_);
    if (buffer_->ops == 0 && pending_deletes_.empty() && !mappings_dirty_) return Status::OK();
    frozen_ = std::move(buffer_);
    buffer_ = std::make_unique<Buffer>(next_segment_++);
    commit_seq = max_seq_no_;
    frozen_commit_seq_ = commit_seq;
    frozen_versions_.clear();
    frozen_deletes_ = std::move(pending_deletes_);
    pending_deletes_.clear();
  }
  index::SegmentInfo info;
  const bool has_docs = !frozen_->docs.empty();
  if (has_docs) {
    Status s = WriteSegment(*frozen_, &info);
    if (!s.ok()) {
      // The frozen writes stay in the operation log; the next open replays them.
      return Status::IOError("refresh failed, index needs reopening: " + s.ToString());
    }
  }
  std::lock_guard lock(mu_);
  store::WriteBatch batch(*store_);
  std::map<std::uint32_t, SegmentState*> by_id;
  for (SegmentState& s : segments_) by_id[s.info->id] = &s;
  SegmentState fresh;
  if (has_docs) {
    fresh.info = std::make_shared<index::SegmentInfo>(info);
    auto live = std::make_shared<Roaring>();
    for (std::uint32_t d = 0; d < frozen_->docs.size(); ++d) {
      if (frozen_->docs[d].live) live->add(d);
    }
    fresh.live = live;
    fresh.live_count = live->cardinality();
    by_id[info.id] = &fresh;
  }
  // Deletes against committed (or just written) segments: copy-on-write live bitmaps, so open
  // snapshots keep theirs.
  std::map<std::uint32_t, bool> changed;
  for (auto& [seg, docnos] : frozen_deletes_) {
    auto it = by_id.find(seg);
    if (it == by_id.end()) continue;
    SegmentState& s = *it->second;
    Roaring live = s.live ? *s.live : [&] {
      Roaring all;
      all.addRange(0, s.info->max_doc);
      return all;
    }();
    for (std::uint32_t d : docnos) live.remove(d);
    s.live = std::make_shared<Roaring>(std::move(live));
    s.live_count = s.live->cardinality();
    changed[seg] = true;
  }
  if (has_docs) changed[info.id] = true;
  for (const auto& [seg, unused] : changed) {
    const Roaring& live = *by_id[seg]->live;
    std::string bytes(live.getSizeInBytes(/*portable=*/true), '\0');
    live.write(bytes.data(), /*portable=*/true);
    batch.Put(Cf::kSegments, index::keys::Segment(seg, index::keys::kLiveDocs), bytes);
  }
  if (has_docs) segments_.push_back(std::move(fresh));
  frozen_deletes_.clear();
  // Ids written up to the commit point move from the version map to the ids family; ids
  // written again since the freeze record their state as of the commit point (a replayed write
  // then finds, and deletes, the copy this commit makes durable).
  auto record = [&](const std::string& id, const VersionEntry& e) {
    if (e.deleted) {
      batch.Delete(Cf::kIds, id);
    } else {
      batch.Put(Cf::kIds, id,
                index::EncodeIdLocation({e.segment, e.docno, e.seq_no, e.version, e.primary_term}));
    }
  };
  for (const auto& [id, e] : frozen_versions_) record(id, e);
  frozen_versions_.clear();
  for (auto it = versions_.begin(); it != versions_.end();) {
    if (it->second.seq_no > commit_seq) {
      ++it;
      continue;
    }
    record(it->first, it->second);
    it = versions_.erase(it);
  }
  index::CommitRecord commit;
  commit.committed_seq_no = commit_seq;
  commit.next_segment = next_segment_;
  for (const SegmentState& s : segments_) commit.segments.push_back(s.info->id);
  batch.Put(Cf::kMeta, index::keys::kCommitKey, index::EncodeCommit(commit));
  {
    std::lock_guard mlock(mappings_mu_);
    if (mappings_dirty_) {
      batch.Put(Cf::kMeta, index::keys::kMappingsKey, mappings_->ToJson());
      mappings_dirty_ = false;
    }
  }
  batch.DeleteRange(Cf::kOps, index::keys::Op(0), index::keys::Op(commit_seq + 1));
  STELA_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  committed_seq_no_ = commit_seq;
  frozen_.reset();
  PublishSnapshotLocked();
  merge_cv_.notify_all();
  refreshed_cv_.notify_all();
  return Status::OK();
}

void IndexImpl::RefreshLoop() {
  pthread_setname_np(pthread_self(), "stela-refresh");
  std::unique_lock lock(mu_);
  while (!merge_stop_) {
    refreshed_cv_.wait_for(lock, std::chrono::milliseconds(options_.refresh_interval_ms));
    if (merge_stop_) break;
    lock.unlock();
    (void)Refresh();  // a failure leaves the writes in the log; the next attempt retries
    lock.lock();
  }
}

Status IndexImpl::WaitForRefresh(std::uint64_t seq_no) {
  if (options_.refresh_interval_ms == 0) return Refresh();
  std::unique_lock lock(mu_);
  while (committed_seq_no_ < seq_no && !merge_stop_) {
    refreshed_cv_.wait_for(lock, std::chrono::milliseconds(options_.refresh_interval_ms * 2));
    if (committed_seq_no_ < seq_no) {
      lock.unlock();
      STELA_RETURN_IF_ERROR(Refresh());  // the periodic refresh failed or was slow: do it now
      lock.lock();
    }
  }
  return Status::OK();
}

void IndexImpl::PublishSnapshotLocked() {
  std::shared_ptr<const Mappings> mappings;
  {
    std::lock_guard mlock(mappings_mu_);
    // Snapshots get their own copy: the live mappings keep growing.
    auto parsed = Mappings::Parse(mappings_->ToJson(), options_.max_fields);
    mappings = parsed.ok() ? std::shared_ptr<const Mappings>(std::move(parsed).value())
                           : mappings_;
  }
  snapshot_ = std::make_shared<SnapshotImpl>(store_.get(), store_->NewReadView(),
                                             std::move(mappings), segments_, committed_seq_no_,
                                             &registry_, streams_);
}

struct IndexImpl::MergeOutput {
  std::uint32_t live_docs = 0;  // docs of the merged segment (0: nothing survived)
  index::SegmentInfo info;
  // remap[i][docno]: the merged docno of source i's doc, or kGone.
  std::vector<std::vector<std::uint32_t>> remap;
  struct Moved {
    std::string id;
    std::size_t source;
    std::uint32_t old_docno, new_docno;
    std::uint64_t seq_no, version, primary_term;
  };
  std::vector<Moved> moved;
};

constexpr std::uint32_t kGone = ~0u;

std::optional<std::uint32_t> IndexImpl::LevelOf(const SegmentState& s) const {
  if (2 * s.live_count > options_.max_merged_segment_docs) return std::nullopt;  // done growing
  const double factor = std::max<std::uint32_t>(2, options_.merge_factor);
  const double floor = std::max<std::uint32_t>(1, options_.floor_segment_docs);
  const double size = std::max<double>(floor, static_cast<double>(s.live_count));
  return static_cast<std::uint32_t>(std::log(size / floor) / std::log(factor));
}

std::map<std::uint32_t, std::vector<SegmentState>> IndexImpl::LevelsLocked() const {
  std::map<std::uint32_t, std::vector<SegmentState>> levels;
  for (const SegmentState& s : segments_) {
    if (merging_.count(s.info->id) != 0) continue;
    if (const std::optional<std::uint32_t> level = LevelOf(s)) levels[*level].push_back(s);
  }
  for (auto& [level, segs] : levels) {
    std::sort(segs.begin(), segs.end(), [](const SegmentState& a, const SegmentState& b) {
      return a.live_count < b.live_count;
    });
  }
  return levels;
}

std::vector<SegmentState> IndexImpl::PickMergeLocked(std::uint32_t max_segments, bool force,
                                                     std::uint64_t max_docs) const {
  std::vector<SegmentState> by_size;
  for (const SegmentState& s : segments_) {
    if (merging_.count(s.info->id) == 0) by_size.push_back(s);
  }
  std::sort(by_size.begin(), by_size.end(), [](const SegmentState& a, const SegmentState& b) {
    return a.live_count < b.live_count;
  });
  if (force && segments_.size() > max_segments) {
    // With merges under way, what remains may be too few to merge: wait for them instead.
    if (by_size.size() < 2) return {};
    by_size.resize(std::min(by_size.size(), segments_.size() - max_segments + 1));
    return by_size;
  }
  if (!force) {
    // The lowest level holding merge_factor segments: its smallest merge_factor, less the
    // largest of them while the result would pass max_merged_segment_docs.
    const std::size_t factor = std::max<std::uint32_t>(2, options_.merge_factor);
    for (auto& [level, segs] : LevelsLocked()) {
      if (segs.size() < factor) continue;
      segs.resize(factor);
      std::uint64_t docs = 0;
      for (const SegmentState& s : segs) docs += s.live_count;
      while (segs.size() > 2 && docs > options_.max_merged_segment_docs) {
        docs -= segs.back().live_count;
        segs.pop_back();
      }
      if (docs > max_docs) return {};  // the lowest level due is not this thread's to merge
      return segs;
    }
  }
  for (const SegmentState& s : by_size) {
    if (!force && s.live_count > max_docs) continue;
    const std::uint64_t deleted = s.info->max_doc - s.live_count;
    if (deleted > 0 && (force || deleted * 100 > std::uint64_t{s.info->max_doc} *
                                                     options_.max_deleted_percent)) {
      return {s};
    }
  }
  return {};
}

// testing::FailSpillFiles.
std::atomic<bool> fail_spill_files{false};

namespace {

// The (field, term) keys of several segments in key order, each term once, with the postings
// of every segment that holds it (which stay valid until the next Next()).
class MergedTerms {
 public:
  MergedTerms(const store::Store& store, const std::vector<SegmentState>& sources,
              const store::ReadView& view) {
    for (const SegmentState& s : sources) {
      its_.push_back(store.NewIterator(Cf::kTerms, &view));
      its_.back()->Seek(index::keys::SegmentBegin(s.info->id));
      ends_.push_back(index::keys::SegmentEnd(s.info->id));
    }
  }

  // Moves to the next term; false at the end or on an error (see status()).
  bool Next() {
    for (const auto& [i, postings] : lists_) its_[i]->Next();
    lists_.clear();
    bool any = false;
    std::string_view smallest;
    for (std::size_t i = 0; i < its_.size(); ++i) {
      if (!Valid(i)) continue;
      const std::string_view suffix = its_[i]->key().substr(4);
      if (!any || suffix < smallest) smallest = suffix;
      any = true;
    }
    if (!any) return false;
    suffix_.assign(smallest);
    for (std::size_t i = 0; i < its_.size(); ++i) {
      if (Valid(i) && its_[i]->key().substr(4) == suffix_) lists_.emplace_back(i, its_[i]->value());
    }
    return true;
  }

  // The key without its segment prefix: the field (2 bytes, big-endian), then the term.
  const std::string& suffix() const { return suffix_; }
  std::uint16_t field() const { return DecodeFixed16BE(suffix_.data()); }
  // (source index, encoded postings) of each source holding the term.
  const std::vector<std::pair<std::size_t, std::string_view>>& lists() const { return lists_; }

  Status status() const {
    for (const auto& it : its_) STELA_RETURN_IF_ERROR(it->status());
    return Status::OK();
  }

 private:
  bool Valid(std::size_t i) const { return its_[i]->Valid() && its_[i]->key() < ends_[i]; }

  std::vector<std::unique_ptr<store::Iterator>> its_;
  std::vector<std::string> ends_;
  std::string suffix_;
  std::vector<std::pair<std::size_t, std::string_view>> lists_;
};

}  // namespace

Status IndexImpl::ReorderForMerge(const std::vector<SegmentState>& sources,
                                  const store::ReadView& view, MergeOutput* out) {
  // The forward index: for each merged doc the terms it holds, of terms in a band of doc counts.
  // Rare terms add much work for little gain (a term in one doc has no gap to shorten), so the
  // band starts at n / 4096 docs; it holds at most kEntriesPerDoc entries a doc (4 bytes each),
  // so it ends where the budget runs out, leaving out the commonest terms. Measured with
  // index_bench --force-merge 1, bits per doc id unordered / every term from n / 4096 up /
  // this band: real corpus (203k docs) 8.80 / 8.55 / 8.63; generated (50k) 10.28 / 8.49 / 8.60,
  // in 60% of the time. (Cutting the band from below instead kept 8.84 on the real corpus.)
  constexpr std::uint64_t kEntriesPerDoc = 32;
  const std::uint32_t n = out->live_docs;
  // Pass 1, list headers only: each term's doc count.
  std::vector<std::uint32_t> doc_freqs;  // per merged term, before deletes
  {
    MergedTerms merged(*store_, sources, view);
    while (merged.Next()) {
      std::uint64_t doc_freq = 0;
      for (const auto& [i, postings] : merged.lists()) {
        STELA_ASSIGN_OR_RETURN(const std::uint32_t df, codec::DocFreq(postings));
        doc_freq += df;
      }
      doc_freq = std::min<std::uint64_t>(doc_freq, n);
      doc_freqs.push_back(static_cast<std::uint32_t>(doc_freq));
    }
    STELA_RETURN_IF_ERROR(merged.status());
  }
  // The band: from min_doc_freq up, as many terms as the budget holds.
  const std::uint32_t min_doc_freq = std::max<std::uint32_t>(2, n / 4096);
  std::uint64_t max_doc_freq = n;
  {
    std::vector<std::uint32_t> band;
    for (std::uint32_t df : doc_freqs) {
      if (df >= min_doc_freq) band.push_back(df);
    }
    std::sort(band.begin(), band.end());
    std::uint64_t entries = 0;
    for (std::uint32_t df : band) {
      if (entries + df > kEntriesPerDoc * n) {
        max_doc_freq = df - 1;
        break;
      }
      entries += df;
    }
  }
  const auto kept = [&](std::uint32_t df) { return df >= min_doc_freq && df <= max_doc_freq; };
  // Passes 2 and 3 decode the kept terms' lists: first to count each doc's entries, then to
  // fill them in. Terms are numbered by falling doc count, so that the per-term counters the
  // bisection reads for most postings sit together in cache.
  std::vector<std::uint32_t> rank(doc_freqs.size(), 0);
  {
    std::vector<std::uint32_t> by_count;
    for (std::uint32_t t = 0; t < doc_freqs.size(); ++t) {
      if (kept(doc_freqs[t])) by_count.push_back(t);
    }
    std::stable_sort(by_count.begin(), by_count.end(), [&](std::uint32_t a, std::uint32_t b) {
      return doc_freqs[a] > doc_freqs[b];
    });
    for (std::uint32_t r = 0; r < by_count.size(); ++r) rank[by_count[r]] = r;
  }
  index::DocTerms docs;
  docs.num_terms = 0;
  docs.offsets.assign(std::size_t{n} + 1, 0);
  codec::PostingsIterator pi;
  std::vector<std::uint64_t> fill;
  for (const bool filling : {false, true}) {
    MergedTerms merged(*store_, sources, view);
    for (std::size_t t = 0; merged.Next(); ++t) {
      if (merge_abort_.load(std::memory_order_relaxed)) {
        return Status::Aborted("merge abandoned: the index is closing");
      }
      if (t >= doc_freqs.size()) return Status::Internal("merge sources changed under a view");
      if (!kept(doc_freqs[t])) continue;
      if (!filling) docs.num_terms = std::max(docs.num_terms, rank[t] + 1);
      for (const auto& [i, postings] : merged.lists()) {
        STELA_RETURN_IF_ERROR(pi.Init(postings));
        for (; pi.doc() != codec::kNoMoreDocs; pi.Next()) {
          if (pi.doc() >= out->remap[i].size()) return Status::Corruption("posting past max_doc");
          const std::uint32_t to = out->remap[i][pi.doc()];
          if (to == kGone) continue;
          if (filling) {
            docs.terms[fill[to]++] = rank[t];
          } else {
            ++docs.offsets[std::size_t{to} + 1];
          }
        }
        STELA_RETURN_IF_ERROR(pi.status());
      }
    }
    STELA_RETURN_IF_ERROR(merged.status());
    if (!filling) {
      for (std::uint32_t d = 0; d < n; ++d) docs.offsets[d + 1] += docs.offsets[d];
      docs.terms.resize(docs.offsets[n]);
      fill.assign(docs.offsets.begin(), docs.offsets.end() - 1);
    }
  }
  std::vector<std::uint32_t>().swap(rank);
  std::vector<std::uint32_t>().swap(doc_freqs);
  std::vector<std::uint64_t>().swap(fill);
  const std::vector<std::uint32_t> order =
      index::BisectionOrder(docs, {.abort = &merge_abort_});
  if (merge_abort_.load(std::memory_order_relaxed)) {
    return Status::Aborted("merge abandoned: the index is closing");
  }
  std::vector<std::uint32_t> position(n);
  for (std::uint32_t p = 0; p < n; ++p) position[order[p]] = p;
  for (auto& remap : out->remap) {
    for (std::uint32_t& to : remap) {
      if (to != kGone) to = position[to];
    }
  }
  return Status::OK();
}

Status IndexImpl::WriteDocsInOrder(const std::vector<SegmentState>& sources,
                                   const store::ReadView& view, const std::vector<DocOrigin>& origin,
                                   std::uint32_t id, store::SstBuilder* docs, MergeOutput* out) {
  // One iterator per source, which seeks only when the next doc is not the one after (a doc
  // deleted in between).
  std::vector<std::unique_ptr<store::Iterator>> its;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    its.push_back(store_->NewIterator(Cf::kDocs, &view));
  }
  for (std::uint32_t to = 0; to < origin.size(); ++to) {
    const auto [i, d] = origin[to];
    store::Iterator& it = *its[i];
    const std::string key = index::keys::Doc(sources[i].info->id, d);
    if (!it.Valid() || it.key() != key) it.Seek(key);
    STELA_RETURN_IF_ERROR(it.status());
    if (!it.Valid() || it.key() != key) return Status::Corruption("live doc without stored document");
    STELA_RETURN_IF_ERROR(AddMovedDoc(it.value(), i, d, to, id, docs, out));
    it.Next();
  }
  return Status::OK();
}

Status IndexImpl::WriteReorderedDocs(const std::vector<SegmentState>& sources,
                                     const store::ReadView& view,
                                     const std::vector<DocOrigin>& origin, std::uint32_t id,
                                     store::SstBuilder* docs, MergeOutput* out) {
  // Merged order jumps about each source, and each jump would read and decompress a block
  // (the merge's reads bypass the block cache): 57 us a doc, 3x the rest of the merge. Instead
  // each source is read in its own order into a spill file, which is then read in merged order.
  // Without room for the spill file (it needs the merged docs' stored bytes on disk), the docs
  // are read in merged order after all: slower, but the merge and its reordering still succeed.
  struct Spilled {
    std::uint64_t offset = 0;
    std::uint32_t size = 0;
  };
  std::vector<Spilled> spilled(origin.size());
  std::unique_ptr<index::SpillFile> spill;
  const auto fill = [&]() -> Status {
    if (fail_spill_files.load()) return Status::IOError("spill file: failed by a test");
    STELA_ASSIGN_OR_RETURN(spill, index::SpillFile::Create(store_->path()));
    for (std::size_t i = 0; i < sources.size(); ++i) {
      auto it = store_->NewIterator(Cf::kDocs, &view);
      const std::string end = index::keys::SegmentEnd(sources[i].info->id);
      for (it->Seek(index::keys::SegmentBegin(sources[i].info->id));
           it->Valid() && it->key() < end; it->Next()) {
        if (it->key().size() != 8) return Status::Corruption("malformed document key");
        const std::uint32_t d = DecodeFixed32BE(it->key().data() + 4);
        if (d >= out->remap[i].size() || out->remap[i][d] == kGone) continue;
        STELA_ASSIGN_OR_RETURN(const std::uint64_t offset, spill->Append(it->value()));
        spilled[out->remap[i][d]] = {offset, static_cast<std::uint32_t>(it->value().size())};
      }
      STELA_RETURN_IF_ERROR(it->status());
    }
    return Status::OK();
  };
  if (Status filled = fill(); !filled.ok()) {
    if (filled.code() != Status::Code::kIOError) return filled;
    return WriteDocsInOrder(sources, view, origin, id, docs, out);
  }
  std::string value;
  for (std::uint32_t to = 0; to < origin.size(); ++to) {
    if (merge_abort_.load(std::memory_order_relaxed)) {
      return Status::Aborted("merge abandoned: the index is closing");
    }
    const auto [i, d] = origin[to];
    if (spilled[to].size == 0) return Status::Corruption("live doc without stored document");
    STELA_RETURN_IF_ERROR(spill->Read(spilled[to].offset, spilled[to].size, &value));
    STELA_RETURN_IF_ERROR(AddMovedDoc(value, i, d, to, id, docs, out));
  }
  return Status::OK();
}

Status IndexImpl::AddMovedDoc(std::string_view value, std::size_t source, std::uint32_t old_docno,
                              std::uint32_t new_docno, std::uint32_t id, store::SstBuilder* docs,
                              MergeOutput* out) {
  StoredDocument doc;
  STELA_RETURN_IF_ERROR(index::DecodeStoredDocument(value, &doc));
  STELA_RETURN_IF_ERROR(docs->Add(index::keys::Doc(id, new_docno), value));
  out->moved.push_back({std::move(doc.id), source, old_docno, new_docno, doc.seq_no, doc.version,
                        doc.primary_term});
  return Status::OK();
}

Status IndexImpl::WriteMerged(const std::vector<SegmentState>& sources, std::uint32_t id,
                              const store::ReadView& view, bool force, MergeOutput* out) {
  // New docnos: the live docs of each source, in order; reordered (ReorderForMerge) when the
  // merged segment is big enough to be worth it.
  out->remap.resize(sources.size());
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    out->remap[i].assign(sources[i].info->max_doc, kGone);
    for (std::uint32_t d = 0; d < sources[i].info->max_doc; ++d) {
      if (sources[i].IsLive(d)) out->remap[i][d] = next++;
    }
  }
  out->live_docs = next;
  if (next == 0) return Status::OK();
  out->info.id = id;
  out->info.max_doc = next;
  const std::uint32_t reorder_min_docs =
      force ? options_.force_merge_reorder_min_docs : options_.reorder_min_docs;
  // A segment rewritten alone (to purge deletes) keeps its order: it was reordered when made,
  // if it was big enough.
  const bool reorder =
      reorder_min_docs > 0 && next >= reorder_min_docs && next > 1 && sources.size() > 1;
  if (reorder) STELA_RETURN_IF_ERROR(ReorderForMerge(sources, view, out));
  // Where each merged doc comes from.
  std::vector<DocOrigin> origin(next);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    for (std::uint32_t d = 0; d < out->remap[i].size(); ++d) {
      if (out->remap[i][d] != kGone) origin[out->remap[i][d]] = {static_cast<std::uint32_t>(i), d};
    }
  }

  // Norms: per field, the merged lengths.
  std::map<std::uint16_t, std::vector<std::uint32_t>> norms;
  std::vector<std::uint32_t> source_lengths;  // one source field's, reused
  std::string value;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    for (const auto& [field, stats] : sources[i].info->fields) {
      STELA_RETURN_IF_ERROR(store_->Get(
          Cf::kSegments, index::keys::Norms(sources[i].info->id, field), &value, &view));
      STELA_RETURN_IF_ERROR(index::DecodeNorms(value, sources[i].info->max_doc, &source_lengths));
      std::vector<std::uint32_t>& merged = norms[field];
      merged.resize(next, 0);
      for (std::uint32_t d = 0; d < source_lengths.size(); ++d) {
        if (out->remap[i][d] != kGone) merged[out->remap[i][d]] = source_lengths[d];
      }
    }
  }

  STELA_ASSIGN_OR_RETURN(auto terms, store_->NewSstBuilder(Cf::kTerms));
  STELA_ASSIGN_OR_RETURN(auto docs, store_->NewSstBuilder(Cf::kDocs));
  STELA_ASSIGN_OR_RETURN(auto segs, store_->NewSstBuilder(Cf::kSegments));

  // Postings: a k-way merge of the sources' (field, term) keys, which sort the same in each.
  // In input order each source's docs follow the previous source's; reordered, a term's docs
  // are gathered and sorted first.
  MergedTerms merged(*store_, sources, view);
  codec::PostingsIterator pi;
  std::vector<std::uint32_t> positions;
  struct Gathered {
    std::uint32_t doc, freq;
    std::size_t positions;  // offset in all_positions
  };
  std::vector<Gathered> gathered;
  std::vector<std::uint64_t> present;  // a bitmap of one term's merged docs (long lists)
  std::vector<std::uint32_t> slot;     // merged doc -> its entry in gathered (long lists)
  std::vector<std::uint32_t> all_positions;
  std::string encoded;
  while (merged.Next()) {
    if (merge_abort_.load(std::memory_order_relaxed)) {
      return Status::Aborted("merge abandoned: the index is closing");
    }
    const std::vector<std::uint32_t>* lengths =
        norms.count(merged.field()) ? &norms.at(merged.field()) : nullptr;
    const auto length = [&](std::uint32_t to) { return lengths != nullptr ? (*lengths)[to] : 0; };
    std::optional<codec::PostingsWriter> writer;
    gathered.clear();
    all_positions.clear();
    for (const auto& [i, postings] : merged.lists()) {
      STELA_RETURN_IF_ERROR(pi.Init(postings));
      if (!writer) writer.emplace(pi.has_positions());
      for (; pi.doc() != codec::kNoMoreDocs; pi.Next()) {
        if (pi.doc() >= out->remap[i].size()) return Status::Corruption("posting past max_doc");
        const std::uint32_t to = out->remap[i][pi.doc()];
        if (to == kGone) continue;
        if (writer->has_positions()) STELA_RETURN_IF_ERROR(pi.Positions(&positions));
        if (reorder) {
          gathered.push_back({to, pi.freq(), all_positions.size()});
          if (writer->has_positions()) {
            all_positions.insert(all_positions.end(), positions.begin(), positions.end());
          }
        } else {
          STELA_RETURN_IF_ERROR(writer->Add(to, pi.freq(), positions.data(), length(to)));
        }
      }
      STELA_RETURN_IF_ERROR(pi.status());
    }
    if (reorder) {
      const auto add = [&](const Gathered& g) {
        return writer->Add(g.doc, g.freq, all_positions.data() + g.positions, length(g.doc));
      };
      if (gathered.size() * 64 >= next) {
        // A list of at least one doc in 64: a bitmap of its docs is walked in order (about a
        // word per doc) instead of sorting them.
        if (present.empty()) {
          present.assign(next / 64 + 1, 0);
          slot.resize(next);
        }
        for (std::uint32_t k = 0; k < gathered.size(); ++k) {
          slot[gathered[k].doc] = k;
          present[gathered[k].doc / 64] |= std::uint64_t{1} << (gathered[k].doc % 64);
        }
        for (std::size_t w = 0; w < present.size(); ++w) {
          for (; present[w] != 0; present[w] &= present[w] - 1) {
            const std::size_t doc = w * 64 + static_cast<std::size_t>(std::countr_zero(present[w]));
            STELA_RETURN_IF_ERROR(add(gathered[slot[doc]]));
          }
        }
      } else {
        std::sort(gathered.begin(), gathered.end(),
                  [](const Gathered& a, const Gathered& b) { return a.doc < b.doc; });
        for (const Gathered& g : gathered) STELA_RETURN_IF_ERROR(add(g));
      }
    }
    if (writer && writer->doc_freq() > 0) {
      encoded.clear();
      writer->Finish(&encoded);
      std::string key = index::keys::SegmentBegin(id);
      key += merged.suffix();
      STELA_RETURN_IF_ERROR(terms->Add(key, encoded));
    }
  }
  STELA_RETURN_IF_ERROR(merged.status());

  // Stored documents, in merged order; and who moved where, for the id map.
  STELA_RETURN_IF_ERROR(reorder ? WriteReorderedDocs(sources, view, origin, id, docs.get(), out)
                                : WriteDocsInOrder(sources, view, origin, id, docs.get(), out));

  for (const auto& [field, lengths] : norms) out->info.fields[field] = index::StatsFromNorms(lengths);
  STELA_RETURN_IF_ERROR(segs->Add(index::keys::Segment(id, index::keys::kSegmentInfo),
                                  index::EncodeSegmentInfo(out->info)));
  for (const auto& [field, lengths] : norms) {
    STELA_RETURN_IF_ERROR(segs->Add(index::keys::Norms(id, field), index::EncodeNorms(lengths)));
  }
  // Doc values: every source's column for the field, renumbered, one field at a time (so a
  // merge holds one field's columns, not every column of every source).
  std::set<std::uint16_t> dv_fields;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    auto it = store_->NewIterator(Cf::kSegments, &view);
    const std::string prefix = index::keys::Segment(sources[i].info->id, index::keys::kDocValues);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() != prefix.size() + 2) return Status::Corruption("bad doc values key");
      dv_fields.insert(DecodeFixed16BE(it->key().data() + prefix.size()));
    }
    STELA_RETURN_IF_ERROR(it->status());
  }
  std::vector<std::optional<codec::DocValuesColumn>> columns(sources.size());
  for (std::uint16_t field : dv_fields) {
    std::optional<codec::DocValuesKind> kind;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      columns[i].reset();
      Status got = store_->Get(Cf::kSegments, index::keys::DocValues(sources[i].info->id, field),
                               &value, &view);
      if (got.IsNotFound()) continue;
      STELA_RETURN_IF_ERROR(got);
      codec::DocValuesColumn& c = columns[i].emplace();
      STELA_RETURN_IF_ERROR(codec::DocValuesColumn::Decode(value, &c));
      if (c.max_doc() != sources[i].info->max_doc) return Status::Corruption("doc values size");
      if (kind && c.kind() != *kind) return Status::Corruption("doc values kinds differ");
      kind = c.kind();
    }
    if (!kind) continue;
    codec::DocValuesWriter dv(*kind);
    for (std::uint32_t to = 0; to < next; ++to) {
      const auto [i, d] = origin[to];
      if (!columns[i]) continue;
      const codec::DocValuesColumn& c = *columns[i];
      if (c.kind() == codec::DocValuesKind::kNumeric) {
        for (std::int64_t v : c.numbers(d)) STELA_RETURN_IF_ERROR(dv.AddNumber(to, v));
      } else {
        for (std::uint32_t o : c.ordinals(d)) STELA_RETURN_IF_ERROR(dv.AddTerm(to, c.terms()[o]));
      }
    }
    value.clear();
    STELA_RETURN_IF_ERROR(dv.Finish(next, &value));
    STELA_RETURN_IF_ERROR(segs->Add(index::keys::DocValues(id, field), value));
  }
  return IngestSegment(std::move(terms), std::move(docs), std::move(segs));
}

Status IndexImpl::MergeOnce(std::uint32_t max_segments, bool force, std::uint64_t max_docs,
                            bool* merged) {
  *merged = false;
  std::vector<SegmentState> sources;
  std::uint32_t id = 0;
  std::shared_ptr<const store::ReadView> view;
  {
    std::lock_guard lock(mu_);
    sources = PickMergeLocked(max_segments, force, max_docs);
    if (sources.empty()) return Status::OK();
    for (const SegmentState& s : sources) merging_.insert(s.info->id);
    ++merges_running_;
    id = next_segment_++;
    view = store_->NewReadView(/*bulk=*/true);
  }
  MergeOutput out;
  Status written = WriteMerged(sources, id, *view, force, &out);

  std::lock_guard lock(mu_);
  // Whatever happens next, the sources are no longer being merged.
  struct Release {
    IndexImpl* self;
    const std::vector<SegmentState>& sources;
    ~Release() {
      for (const SegmentState& s : sources) self->merging_.erase(s.info->id);
      --self->merges_running_;
      self->merged_cv_.notify_all();
      self->merge_cv_.notify_all();  // the other merge thread may have work now
    }
  } release{this, sources};
  STELA_RETURN_IF_ERROR(written);
  // Deletes since the merge began: those already visible (the sources' current live docs) are
  // applied; those still pending (made by writes not yet refreshed) stay pending, now against the
  // merged segment, so they become visible together with the writes that made them at the next
  // refresh — a merge never hides a replaced document before its new version is searchable.
  std::map<std::uint32_t, const SegmentState*> now;
  for (const SegmentState& s : segments_) now[s.info->id] = &s;
  std::shared_ptr<Roaring> live;
  if (out.live_docs > 0) {
    live = std::make_shared<Roaring>();
    live->addRange(0, out.live_docs);
  }
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::uint32_t sid = sources[i].info->id;
    const SegmentState* current = now.count(sid) ? now.at(sid) : nullptr;
    if (current == nullptr) return Status::Internal("a merge source vanished");
    for (std::uint32_t d = 0; d < out.remap[i].size(); ++d) {
      const std::uint32_t to = out.remap[i][d];
      if (to != kGone && !current->IsLive(d)) live->remove(to);
    }
    for (auto* deletes : {&pending_deletes_, &frozen_deletes_}) {
      auto pending = deletes->find(sid);
      if (pending == deletes->end()) continue;
      std::vector<std::uint32_t> moved;
      for (std::uint32_t d : pending->second) {
        if (d < out.remap[i].size() && out.remap[i][d] != kGone) moved.push_back(out.remap[i][d]);
      }
      deletes->erase(pending);
      auto& target = (*deletes)[id];
      target.insert(target.end(), moved.begin(), moved.end());
    }
  }
  store::WriteBatch batch(*store_);
  std::string value;
  for (const MergeOutput::Moved& m : out.moved) {
    if (live->contains(m.new_docno)) {
      batch.Put(Cf::kIds, m.id,
                index::EncodeIdLocation({id, m.new_docno, m.seq_no, m.version, m.primary_term}));
      continue;
    }
    // Deleted during the merge: drop the id's entry if it still names the old copy.
    index::IdLocation loc;
    Status s = store_->Get(Cf::kIds, m.id, &value);
    if (s.ok() && index::DecodeIdLocation(value, &loc).ok() &&
        loc.segment == sources[m.source].info->id && loc.docno == m.old_docno) {
      batch.Delete(Cf::kIds, m.id);
    }
  }
  std::vector<SegmentState> kept;
  for (const SegmentState& s : segments_) {
    const bool is_source = std::any_of(sources.begin(), sources.end(), [&](const SegmentState& x) {
      return x.info->id == s.info->id;
    });
    if (!is_source) kept.push_back(s);
  }
  if (out.live_docs > 0) {
    SegmentState merged_state;
    merged_state.info = std::make_shared<index::SegmentInfo>(out.info);
    merged_state.live_count = live->cardinality();
    std::string bytes(live->getSizeInBytes(true), '\0');
    live->write(bytes.data(), true);
    batch.Put(Cf::kSegments, index::keys::Segment(id, index::keys::kLiveDocs), bytes);
    merged_state.live = std::move(live);
    kept.push_back(std::move(merged_state));
  }
  for (const SegmentState& s : sources) {
    for (Cf cf : {Cf::kTerms, Cf::kDocs, Cf::kSegments}) {
      batch.DeleteRange(cf, index::keys::SegmentBegin(s.info->id),
                        index::keys::SegmentEnd(s.info->id));
    }
  }
  index::CommitRecord commit;
  commit.committed_seq_no = committed_seq_no_;
  commit.next_segment = next_segment_;
  for (const SegmentState& s : kept) commit.segments.push_back(s.info->id);
  batch.Put(Cf::kMeta, index::keys::kCommitKey, index::EncodeCommit(commit));
  STELA_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  segments_ = std::move(kept);
  ++merges_;
  merged_docs_ += out.live_docs;
  PublishSnapshotLocked();
  merged_cv_.notify_all();
  *merged = true;
  for (const SegmentState& s : sources) dropped_.push_back({s.info->id, s.info});
  return Status::OK();
}

Status IndexImpl::ReclaimDropped() {
  // Outside mu_: dropping files and compacting take a while. A segment is reclaimed only once
  // no snapshot holds it (its files are deleted unread, under any read view); until then it
  // waits for the next call, hidden by its range deletes.
  std::vector<std::uint32_t> ready;
  {
    std::lock_guard lock(mu_);
    std::vector<Dropped> waiting;
    for (Dropped& d : dropped_) {
      if (d.info.expired()) {
        ready.push_back(d.id);
      } else {
        waiting.push_back(std::move(d));
      }
    }
    dropped_.swap(waiting);
  }
  for (std::uint32_t seg : ready) {
    for (Cf cf : {Cf::kTerms, Cf::kDocs, Cf::kSegments}) {
      STELA_RETURN_IF_ERROR(store_->DropRange(cf, index::keys::SegmentBegin(seg),
                                              index::keys::SegmentEnd(seg)));
    }
  }
  return Status::OK();
}

Status IndexImpl::ForceMerge(std::uint32_t max_segments) {
  STELA_RETURN_IF_ERROR(Refresh());
  max_segments = std::max<std::uint32_t>(1, max_segments);
  while (true) {
    bool merged = false;
    STELA_RETURN_IF_ERROR(MergeOnce(max_segments, true, ~std::uint64_t{0}, &merged));
    if (merged) {
      STELA_RETURN_IF_ERROR(ReclaimDropped());
      continue;
    }
    // Nothing left to pick: done, unless background merges hold segments we still need.
    std::unique_lock lock(mu_);
    if (merging_.empty() || merge_stop_) break;
    merged_cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  return Status::OK();
}

void IndexImpl::MergeLoop(std::uint64_t max_docs) {
  // Merges yield to indexing and searches: the thread runs at a lower priority.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  pthread_setname_np(pthread_self(), "stela-merge");
  std::unique_lock lock(mu_);
  while (!merge_stop_) {
    merge_cv_.wait(lock, [&] {
      return merge_stop_ || (!merges_held_ && !PickMergeLocked(0, false, max_docs).empty());
    });
    if (merge_stop_) break;
    lock.unlock();
    bool merged = false;
    Status s = MergeOnce(0, false, max_docs, &merged);
    if (s.ok() && merged) s = ReclaimDropped();
    lock.lock();
    if (!s.ok() && !merge_stop_) {
      // Leave the segments as they are; try again after the next refresh, or in a second. (A
      // bare wait here could miss the stop signal sent while the merge failed, and hang the
      // shutdown that joins this thread.)
      merge_cv_.wait_for(lock, std::chrono::seconds(1));
    }
  }
}

Status IndexImpl::Flush() {
  STELA_RETURN_IF_ERROR(Refresh());
  return store_->Flush();
}

IndexStats IndexImpl::Stats() const {
  IndexStats s;
  for (int cf = 0; cf < static_cast<int>(Cf::kCount); ++cf) {  // RocksDB's own locking
    s.disk_bytes += store_->SstBytes(static_cast<Cf>(cf));
  }
  std::lock_guard lock(mu_);
  for (const SegmentState& seg : segments_) {
    s.docs += seg.live_count;
    s.deleted_docs += seg.info->max_doc - seg.live_count;
  }
  s.buffered_ops = buffer_->ops;
  s.segments = segments_.size();
  s.max_seq_no = max_seq_no_;
  s.committed_seq_no = committed_seq_no_;
  std::lock_guard mlock(mappings_mu_);
  s.unmapped_fields = mappings_->unmapped();
  s.merges = merges_;
  s.merged_docs = merged_docs_;
  s.merges_running = merges_running_;
  s.throttle_ms = throttle_ns_.load() / 1000000;
  s.throttled_writes = throttled_writes_.load();
  s.throttled = MergeBacklogLocked() > 0;
  return s;
}

Status IndexImpl::ReplayOperation(const index::Operation& op) {
  if (op.type == index::OpType::kDelete) {
    std::lock_guard lock(mu_);
    STELA_ASSIGN_OR_RETURN(std::optional<VersionEntry> cur, LookupLocked(op.id));
    if (cur) MarkDeletedLocked(*cur);
    SetVersionLocked(op.id, VersionEntry{0, 0, op.seq_no, op.version, op.primary_term, true});
    max_seq_no_ = std::max(max_seq_no_, op.seq_no);
    ++buffer_->ops;
    return Status::OK();
  }
  index::ParsedDocument parsed;
  STELA_RETURN_IF_ERROR(ParseDocument(op.source, &parsed));
  std::lock_guard lock(mu_);
  STELA_ASSIGN_OR_RETURN(std::optional<VersionEntry> cur, LookupLocked(op.id));
  if (cur) MarkDeletedLocked(*cur);
  ApplyIndexLocked(op, parsed);
  return Status::OK();
}

Status IndexImpl::Recover() {
  std::string value;
  index::CommitRecord commit;
  Status s = store_->Get(Cf::kMeta, index::keys::kCommitKey, &value);
  if (s.IsNotFound()) {
    STELA_ASSIGN_OR_RETURN(auto parsed, Mappings::Parse(options_.mappings_json, options_.max_fields));
    mappings_ = std::move(parsed);
    store::WriteBatch batch(*store_);
    batch.Put(Cf::kMeta, index::keys::kMappingsKey, mappings_->ToJson());
    batch.Put(Cf::kMeta, index::keys::kCommitKey, index::EncodeCommit(commit));
    STELA_RETURN_IF_ERROR(store_->Write(batch, true));
  } else {
    STELA_RETURN_IF_ERROR(s);
    STELA_RETURN_IF_ERROR(index::DecodeCommit(value, &commit));
    STELA_RETURN_IF_ERROR(store_->Get(Cf::kMeta, index::keys::kMappingsKey, &value));
    STELA_ASSIGN_OR_RETURN(auto parsed, Mappings::Parse(value, options_.max_fields));
    mappings_ = std::move(parsed);
  }
  // Segments a crash left between ingestion and commit are dropped, and their ids are never
  // used again: a segment ingested under a range-deleted id would depend on RocksDB giving it a
  // sequence number above the range delete (ingestion assigns none when it sees no overlap).
  store::WriteBatch cleanup(*store_);
  const std::uint32_t committed_next = commit.next_segment;
  for (Cf cf : {Cf::kTerms, Cf::kDocs, Cf::kSegments}) {
    auto it = store_->NewIterator(cf);
    for (it->Seek(""); it->Valid();) {
      if (it->key().size() < 4) return Status::Corruption("malformed segment key");
      const std::uint32_t seg = DecodeFixed32BE(it->key().data());
      if (std::find(commit.segments.begin(), commit.segments.end(), seg) == commit.segments.end()) {
        cleanup.DeleteRange(cf, index::keys::SegmentBegin(seg), index::keys::SegmentEnd(seg));
        commit.next_segment = std::max(commit.next_segment, seg + 1);
      }
      it->Seek(index::keys::SegmentEnd(seg));
    }
    STELA_RETURN_IF_ERROR(it->status());
  }
  if (commit.next_segment != committed_next) {
    cleanup.Put(Cf::kMeta, index::keys::kCommitKey, index::EncodeCommit(commit));
  }
  if (cleanup.count() > 0) STELA_RETURN_IF_ERROR(store_->Write(cleanup, true));

  for (std::uint32_t seg : commit.segments) {
    SegmentState st;
    auto info = std::make_shared<index::SegmentInfo>();
    STELA_RETURN_IF_ERROR(
        store_->Get(Cf::kSegments, index::keys::Segment(seg, index::keys::kSegmentInfo), &value));
    STELA_RETURN_IF_ERROR(index::DecodeSegmentInfo(value, info.get()));
    Status ls = store_->Get(Cf::kSegments, index::keys::Segment(seg, index::keys::kLiveDocs), &value);
    if (ls.ok()) {
      try {
        st.live = std::make_shared<Roaring>(
            Roaring::readSafe(value.data(), value.size()));
      } catch (const std::exception& e) {
        return Status::Corruption("live docs of segment " + std::to_string(seg) + ": " + e.what());
      }
      st.live_count = st.live->cardinality();
    } else if (ls.IsNotFound()) {
      st.live_count = info->max_doc;
    } else {
      return ls;
    }
    st.info = std::move(info);
    segments_.push_back(std::move(st));
  }
  committed_seq_no_ = commit.committed_seq_no;
  max_seq_no_ = commit.committed_seq_no;
  next_segment_ = commit.next_segment;
  buffer_ = std::make_unique<Buffer>(next_segment_++);

  // Replay the operation log above the commit point, in sequence order.
  auto it = store_->NewIterator(Cf::kOps);
  for (it->Seek(index::keys::Op(commit.committed_seq_no + 1)); it->Valid(); it->Next()) {
    index::Operation op;
    STELA_RETURN_IF_ERROR(index::DecodeOperation(it->value(), &op));
    STELA_RETURN_IF_ERROR(ReplayOperation(op));
  }
  STELA_RETURN_IF_ERROR(it->status());
  std::lock_guard lock(mu_);
  PublishSnapshotLocked();
  return Status::OK();
}

Status IndexImpl::OpenStore(const std::string& path) {
  STELA_ASSIGN_OR_RETURN(store_, store::Store::Open(path, store::StoreOptions{}));
  STELA_RETURN_IF_ERROR(Recover());
  if (options_.durability == Durability::kAsync) sync_thread_ = std::thread([this] { SyncLoop(); });
  if (options_.background_merges) {
    // The small-merge thread: merges reaching at most two levels above the floor.
    const std::uint64_t factor = std::max<std::uint32_t>(2, options_.merge_factor);
    const std::uint64_t small = std::uint64_t{options_.floor_segment_docs} * factor * factor;
    merge_threads_.emplace_back([this, small] { MergeLoop(small); });
    merge_threads_.emplace_back([this] { MergeLoop(~std::uint64_t{0}); });
  }
  if (options_.refresh_interval_ms > 0) refresh_thread_ = std::thread([this] { RefreshLoop(); });
  return Status::OK();
}

}  // namespace

StatusOr<std::unique_ptr<Index>> Index::Open(const std::string& path, IndexOptions options,
                                             const analyzers::Registry& registry) {
  auto index = std::make_unique<IndexImpl>(std::move(options), registry);
  STELA_RETURN_IF_ERROR(index->OpenStore(path));
  return std::unique_ptr<Index>(std::move(index));
}

}  // namespace stela::engine

namespace stela::testing {

void FailSpillFiles(bool fail) { engine::fail_spill_files = fail; }

void HoldMerges(engine::Index& index, bool hold) {
  if (auto* impl = dynamic_cast<engine::IndexImpl*>(&index)) impl->HoldMerges(hold);
}

}  // namespace stela::testing
