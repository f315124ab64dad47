#include "engine/store/store.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "engine/common/sync_directory.h"

namespace stela::engine::store {

namespace {

// The one place rocksdb::Status becomes stela::Status.
Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  if (s.IsCorruption()) return Status::Corruption(s.ToString());
  if (s.IsInvalidArgument()) return Status::InvalidArgument(s.ToString());
  if (s.IsNotSupported()) return Status::NotSupported(s.ToString());
  if (s.IsIOError()) return Status::IOError(s.ToString());
  if (s.IsBusy() || s.IsTryAgain()) return Status::Unavailable(s.ToString());
  return Status::Internal(s.ToString());
}

rocksdb::Slice S(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

constexpr const char* kCfNames[] = {"default", "ops", "terms", "docs", "segments", "ids"};
static_assert(std::size(kCfNames) == static_cast<std::size_t>(Cf::kCount));

class RocksIterator final : public Iterator {
 public:
  explicit RocksIterator(rocksdb::Iterator* it) : it_(it) {}
  void Seek(std::string_view key) override { it_->Seek(S(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override {
    const rocksdb::Slice k = it_->key();
    return std::string_view(k.data(), k.size());
  }
  std::string_view value() const override {
    const rocksdb::Slice v = it_->value();
    return std::string_view(v.data(), v.size());
  }
  Status status() const override { return FromRocks(it_->status()); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

struct WriteBatch::Rep {
  rocksdb::WriteBatch batch;
  const std::vector<rocksdb::ColumnFamilyHandle*>* handles;
  rocksdb::Status status;  // the first error of a Put/Delete, reported by Store::Write
  rocksdb::ColumnFamilyHandle* H(Cf cf) const { return (*handles)[static_cast<int>(cf)]; }
  void Keep(const rocksdb::Status& s) {
    if (status.ok() && !s.ok()) status = s;
  }
};

WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;
void WriteBatch::Put(Cf cf, std::string_view key, std::string_view value) {
  rep_->Keep(rep_->batch.Put(rep_->H(cf), S(key), S(value)));
}
void WriteBatch::Delete(Cf cf, std::string_view key) {
  rep_->Keep(rep_->batch.Delete(rep_->H(cf), S(key)));
}
void WriteBatch::DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
  rep_->Keep(rep_->batch.DeleteRange(rep_->H(cf), S(begin), S(end)));
}
std::size_t WriteBatch::count() const { return rep_->batch.Count(); }

struct SstBuilder::Rep {
  std::unique_ptr<rocksdb::SstFileWriter> writer;
};

SstBuilder::SstBuilder(Cf cf, std::string path, std::unique_ptr<Rep> rep)
    : cf_(cf), path_(std::move(path)), rep_(std::move(rep)) {}
SstBuilder::~SstBuilder() {
  if (rep_ && rep_->writer && entries_ > 0) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);  // not ingested: do not leave it behind
  }
}

Status SstBuilder::Add(std::string_view key, std::string_view value) {
  if (entries_ == 0) {
    STELA_RETURN_IF_ERROR(FromRocks(rep_->writer->Open(path_)));
  }
  ++entries_;
  return FromRocks(rep_->writer->Put(S(key), S(value)));
}

Status SstBuilder::Finish() {
  if (entries_ == 0) return Status::OK();
  return FromRocks(rep_->writer->Finish());
}

struct Store::Rep {
  rocksdb::Options options;
  std::vector<rocksdb::ColumnFamilyOptions> cf_options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::atomic<std::uint64_t> next_sst{0};

  rocksdb::ColumnFamilyHandle* H(Cf cf) const { return handles[static_cast<int>(cf)]; }
  ~Rep() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      db->Close();
    }
  }
};

WriteBatch::WriteBatch(const Store& store) : rep_(std::make_unique<Rep>()) {
  rep_->handles = &store.rep_->handles;
}

Store::Store(std::string path, std::unique_ptr<Rep> rep)
    : path_(std::move(path)), rep_(std::move(rep)) {}
Store::~Store() {
  // With manual_wal_flush, unsynced writes may still sit in the WAL buffer: a clean close keeps
  // them, as it did when each write went to the file at once.
  if (rep_ != nullptr && rep_->db != nullptr) (void)rep_->db->FlushWAL(/*sync=*/true);
}

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& opts) {
  auto rep = std::make_unique<Rep>();
  rep->options.create_if_missing = opts.create_if_missing;
  rep->options.create_missing_column_families = true;
  rep->options.max_background_jobs = 2;
  rep->options.paranoid_checks = true;
  // Unsynced writes (durability async, and the items of a bulk request before its one fsync)
  // stay in RocksDB's WAL buffer (at most 1 MB) instead of costing a write(2) each: about 4% of
  // single-threaded indexing. A synced write still writes the buffer out before its fsync, and
  // SyncWal writes it out too; what a SIGKILL can lose is only what was never acknowledged as
  // durable (async mode already promised no more than the sync interval).
  rep->options.manual_wal_flush = true;
  rocksdb::BlockBasedTableOptions table;
  // One cache and one memtable budget for every store in the process, sized by the first
  // store opened: a node's memory does not grow with the number of indices it holds.
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  static const std::shared_ptr<rocksdb::WriteBufferManager> memtables =
      std::make_shared<rocksdb::WriteBufferManager>(opts.memtable_bytes, cache);
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the block cache (high priority), not beside each open
  // table, so memory stays within the cache however large the shard grows.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Both are cut into 4 KB partitions under a small pinned top level. A merged segment's files
  // run to gigabytes, whose whole index and filter blocks (tens of MB) were read into the cache
  // for one lookup and pushed out again by the next: at 4M documents a one-term query spent
  // 200 ms re-reading index blocks. Partitions are cached like data blocks; a lookup reads one.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  // All families' memtables share one budget, charged to the same cache.
  rep->options.write_buffer_manager = memtables;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    rocksdb::ColumnFamilyOptions cfo;
    rocksdb::BlockBasedTableOptions family_table = table;
    // Stored documents in 16 KB blocks (RocksDB's default is 4 KB): zstd sees more of the
    // repetition between neighbouring documents. Real text: 16% smaller stored documents (32 KB:
    // 21%), at the price of decompressing 16 KB per document fetched from a cold block.
    if (static_cast<Cf>(i) == Cf::kDocs) family_table.block_size = 16 << 10;
    cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(family_table));
    // Stored documents compress well; postings are already bit-packed.
    cfo.compression = static_cast<Cf>(i) == Cf::kDocs ? rocksdb::kZSTD : rocksdb::kLZ4Compression;
    cfs.emplace_back(kCfNames[i], cfo);
    rep->cf_options.push_back(cfo);
  }
  // Staging files are hard-linked into the database on ingestion. A crash can leave a link
  // behind; writing a new file under that name would then overwrite a live SST through the
  // shared inode. So the directory is emptied at every open (the database keeps its own links),
  // and names carry the process id as well.
  std::error_code ec;
  std::filesystem::remove_all(path + "/staging", ec);
  std::filesystem::create_directories(path + "/staging", ec);
  if (ec) return Status::IOError("cannot create " + path + "/staging: " + ec.message());
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rep->options, path, cfs, &rep->handles, &db);
  if (!s.ok()) return FromRocks(s);
  rep->db.reset(db);
  // RocksDB syncs the names inside the store's directory, not the directory's own name in its
  // parent: a power cut after creating a store could lose all of it (the power-cut test did).
  if (opts.create_if_missing) STELA_RETURN_IF_ERROR(SyncParentDirectory(path));
  return std::unique_ptr<Store>(new Store(path, std::move(rep)));
}

Status Store::Write(WriteBatch& batch, bool sync) {
  if (batch.rep_->handles != &rep_->handles) {
    return Status::InvalidArgument("write batch made for another store");
  }
  STELA_RETURN_IF_ERROR(FromRocks(batch.rep_->status));
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocks(rep_->db->Write(wo, &batch.rep_->batch));
}

Status Store::SyncWal() { return FromRocks(rep_->db->FlushWAL(/*sync=*/true)); }

namespace {

class RocksReadView final : public ReadView {
 public:
  RocksReadView(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, bool bulk)
      : db_(db), snapshot_(snapshot), bulk_(bulk) {}
  ~RocksReadView() override { db_->ReleaseSnapshot(snapshot_); }
  const rocksdb::Snapshot* snapshot() const { return snapshot_; }
  bool bulk() const { return bulk_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  bool bulk_;
};

rocksdb::ReadOptions ReadAt(const ReadView* view) {
  rocksdb::ReadOptions ro;
  if (view == nullptr) return ro;
  const auto* rv = static_cast<const RocksReadView*>(view);
  ro.snapshot = rv->snapshot();
  if (rv->bulk()) {
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
  }
  return ro;
}

}  // namespace

Status Store::Get(Cf cf, std::string_view key, std::string* value, const ReadView* view) const {
  return FromRocks(rep_->db->Get(ReadAt(view), rep_->H(cf), S(key), value));
}

std::unique_ptr<Iterator> Store::NewIterator(Cf cf, const ReadView* view) const {
  return std::make_unique<RocksIterator>(rep_->db->NewIterator(ReadAt(view), rep_->H(cf)));
}

std::shared_ptr<const ReadView> Store::NewReadView(bool bulk) const {
  return std::make_shared<RocksReadView>(rep_->db.get(), rep_->db->GetSnapshot(), bulk);
}

StatusOr<std::unique_ptr<SstBuilder>> Store::NewSstBuilder(Cf cf) {
  auto rep = std::make_unique<SstBuilder::Rep>();
  // The family's own options (bloom filter, block cache, compression): an ingested file is read
  // exactly like one RocksDB wrote itself.
  const rocksdb::Options options(rep_->options, rep_->cf_options[static_cast<int>(cf)]);
  rep->writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options,
                                                         rep_->H(cf));
  const std::string file = path_ + "/staging/" + std::to_string(getpid()) + "-" +
                           std::to_string(rep_->next_sst++) + "-" +
                           kCfNames[static_cast<int>(cf)] + ".sst";
  return std::unique_ptr<SstBuilder>(new SstBuilder(cf, file, std::move(rep)));
}

Status Store::Ingest(std::vector<std::unique_ptr<SstBuilder>>& builders) {
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (auto& b : builders) {
    if (b->empty()) continue;
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = rep_->H(b->cf());
    arg.external_files.push_back(b->path());
    arg.options.move_files = true;  // hard-link into the DB, no copy
    // A segment's keys are new (its id was never used), so no existing read view can see them
    // and they need no sequence number above its snapshot. With snapshot consistency on, every
    // ingested file got one while any snapshot was open (always, for searches), and RocksDB
    // then rewrote each such file once more to zero it ("BottommostFiles" compactions: 8% of
    // indexing CPU). Without it, files that overlap nothing land with sequence number 0.
    arg.options.snapshot_consistency = false;
    args.push_back(std::move(arg));
  }
  if (args.empty()) return Status::OK();
  STELA_RETURN_IF_ERROR(FromRocks(rep_->db->IngestExternalFiles(args)));
  for (auto& b : builders) {
    std::error_code ec;
    if (!b->empty()) std::filesystem::remove(b->path(), ec);
    b->entries_ = 0;  // ingested: the destructor must not touch it
  }
  return Status::OK();
}

Status Store::DropRange(Cf cf, std::string_view begin, std::string_view end) {
  const rocksdb::Slice b = S(begin), e = S(end);
  // Files wholly inside the range (a segment's own ingested files) go without being read.
  STELA_RETURN_IF_ERROR(FromRocks(
      rocksdb::DeleteFilesInRange(rep_->db.get(), rep_->H(cf), &b, &e, /*include_end=*/false)));
  // Whatever is left shares files with keys outside the range: compact it away.
  rocksdb::SizeApproximationOptions size_options;
  size_options.include_files = true;
  size_options.include_memtables = false;
  const rocksdb::Range range(b, e);
  std::uint64_t left = 0;
  STELA_RETURN_IF_ERROR(FromRocks(
      rep_->db->GetApproximateSizes(size_options, rep_->H(cf), &range, 1, &left)));
  if (left == 0) return Status::OK();
  rocksdb::CompactRangeOptions opts;
  opts.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  return FromRocks(rep_->db->CompactRange(opts, rep_->H(cf), &b, &e));
}

std::uint64_t Store::SstBytes(Cf cf) const {
  std::uint64_t bytes = 0;
  rep_->db->GetIntProperty(rep_->H(cf), "rocksdb.total-sst-files-size", &bytes);
  return bytes;
}

Status Store::Flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  STELA_RETURN_IF_ERROR(FromRocks(rep_->db->Flush(fo, rep_->handles)));
  return FromRocks(rep_->db->FlushWAL(/*sync=*/true));
}

}  // namespace stela::engine::store
