// Store: the engine's only view of RocksDB. One RocksDB instance per shard copy, with a fixed
// set of column families; nothing outside engine/store includes a RocksDB header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

namespace stela::engine::store {

// Column families, in the order they are created. The byte layout of each is in
// engine/FORMAT.md.
enum class Cf : int {
  kMeta = 0,   // "default": commit record, index metadata
  kOps,        // operation log: seq_no -> operation
  kTerms,      // segment | field | term -> postings
  kDocs,       // segment | docno -> stored document (_id, versions, _source)
  kSegments,   // segment | kind ... -> segment info, norms, live docs
  kIds,        // _id -> location and versions of its committed copy
  kCount,
};

struct StoreOptions {
  bool create_if_missing = true;
  // Memory: the block cache holds data, index and filter blocks and is charged for the
  // memtables, whose total is held to memtable_bytes. Both are shared by every store in the
  // process and sized by the first one opened.
  std::size_t block_cache_bytes = 256 << 20;
  std::size_t memtable_bytes = 64 << 20;
};

class Store;

// A batch of writes applied atomically by the Store it was made for (which must outlive it).
// Writes go straight into RocksDB's batch: no intermediate copies. Not thread-safe.
class WriteBatch {
 public:
  explicit WriteBatch(const Store& store);
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;
  void Put(Cf cf, std::string_view key, std::string_view value);
  void Delete(Cf cf, std::string_view key);
  // Deletes keys in [begin, end).
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end);
  std::size_t count() const;

 private:
  friend class Store;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Writes one sorted SST file for later ingestion. Keys must be added in increasing order.
// Not thread-safe.
class SstBuilder {
 public:
  ~SstBuilder();
  Status Add(std::string_view key, std::string_view value);
  // Finishes the file; returns OK with no file when nothing was added (check empty()).
  Status Finish();
  bool empty() const { return entries_ == 0; }
  const std::string& path() const { return path_; }
  Cf cf() const { return cf_; }

 private:
  friend class Store;
  struct Rep;
  SstBuilder(Cf cf, std::string path, std::unique_ptr<Rep> rep);
  Cf cf_;
  std::string path_;
  std::size_t entries_ = 0;
  std::unique_ptr<Rep> rep_;
};

// A forward iterator over one column family, from a consistent point in time. Not thread-safe.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual void Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// A consistent read view of the whole database: reads through it see the data of the moment it
// was taken, even after later deletes (RocksDB keeps that data until the view is released).
// Immutable; thread-safe; must not outlive the Store.
class ReadView {
 public:
  virtual ~ReadView() = default;
};

// Thread-safe.
class Store {
 public:
  // Opens (or creates) the database at `path`. Returns IOError or Corruption from RocksDB.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& opts);
  ~Store();

  // Applies `batch` atomically. With `sync`, returns only after the WAL is fsynced; concurrent
  // synced writers share one fsync (RocksDB's group commit).
  Status Write(WriteBatch& batch, bool sync);
  // Writes out the WAL buffer (unsynced writes stay in memory until then) and fsyncs it: for
  // the async durability mode and deferred-sync writes.
  Status SyncWal();

  // Looks `key` up, as of `view` if given. Returns NotFound when absent.
  Status Get(Cf cf, std::string_view key, std::string* value,
             const ReadView* view = nullptr) const;

  std::unique_ptr<Iterator> NewIterator(Cf cf, const ReadView* view = nullptr) const;

  // A read view of now. A `bulk` view is for reading whole segments once (merges): its reads
  // do not fill the block cache, so a merge does not evict what searches keep reading, and its
  // iterators read ahead.
  std::shared_ptr<const ReadView> NewReadView(bool bulk = false) const;

  // A builder for an SST file in the store's staging directory.
  StatusOr<std::unique_ptr<SstBuilder>> NewSstBuilder(Cf cf);
  // Atomically ingests the files of `builders` (several column families at once) and deletes
  // the files. Empty builders are skipped.
  Status Ingest(std::vector<std::unique_ptr<SstBuilder>>& builders);

  // Reclaims the space of range-deleted keys in [begin, end): files wholly inside the range are
  // deleted unread, the rest is compacted. Files are deleted even if a read view still needs
  // them, so the caller makes sure none does. Blocks until done.
  Status DropRange(Cf cf, std::string_view begin, std::string_view end);

  // Bytes of the SST files of one column family on disk (after compression).
  std::uint64_t SstBytes(Cf cf) const;

  // Flushes memtables and fsyncs everything (used at close and in tests).
  Status Flush();

  const std::string& path() const { return path_; }

 private:
  friend class WriteBatch;
  struct Rep;
  Store(std::string path, std::unique_ptr<Rep> rep);
  std::string path_;
  std::unique_ptr<Rep> rep_;
};

}  // namespace stela::engine::store
