// Node: the indices of one Stela node — created, opened at start-up, deleted — with their
// settings and aliases persisted in the data directory, and the cursors (point-in-time readers
// and scrolls) that keep snapshots alive between requests. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/common/time_value.h"
#include "stela/analyzers/registry.h"
#include "stela/common/status.h"
#include "stela/engine/index.h"
#include "stela/engine/search.h"

namespace stela::api {

struct IndexSettings {
  std::uint32_t number_of_shards = 1;
  std::uint32_t number_of_replicas = 1;
  std::string refresh_interval = "1s";
  std::string durability = "request";  // index.translog.durability
  std::uint32_t max_result_window = 10000;
  std::uint32_t max_terms_count = 65536;
  std::uint32_t max_regex_length = 1000;
  std::map<std::string, std::string> other;  // accepted and reported back as given
};

// One open index. The Index is destroyed when the last holder lets go (after a delete).
struct IndexHandle {
  std::string name;
  std::string uuid;
  std::int64_t creation_date = 0;  // epoch ms
  IndexSettings settings;
  std::set<std::string> aliases;
  std::unique_ptr<engine::Index> index;
  ~IndexHandle();
};

// A kept search context: a point in time or a scroll.
struct Cursor {
  std::shared_ptr<IndexHandle> handle;  // declared first: destroyed after the snapshot
  std::shared_ptr<const engine::Snapshot> snapshot;
  // expires and after change while the cursor is shared (keep_alive renewals, scroll pages):
  // guarded by mu.
  mutable std::mutex mu;
  std::chrono::steady_clock::time_point expires;
  // Scroll only: the request re-run page after page, and where the last page ended.
  std::string request_body;
  std::map<std::string, std::string> params;  // the first request's URL parameters
  std::vector<engine::SortValue> after;
  std::uint64_t total = 0;
  bool total_is_lower_bound = false;
};

struct NodeOptions {
  std::string data_dir = "data";
  std::string name = "stela-node";
  std::string cluster_name = "stela";
};

class Node {
 public:
  // Opens (or creates) the node's data directory and every index in it.
  static StatusOr<std::unique_ptr<Node>> Open(NodeOptions options,
                                              const analyzers::Registry& registry);
  ~Node();

  const NodeOptions& options() const { return options_; }
  const std::string& node_id() const { return node_id_; }
  const std::string& cluster_uuid() const { return cluster_uuid_; }
  const analyzers::Registry& registry() const { return registry_; }

  // Creates an index from Elasticsearch's create-index body ({"settings", "mappings",
  // "aliases"}; "" for defaults). Returns AlreadyExists-style InvalidArgument
  // ("resource_already_exists_exception") or InvalidArgument for bad names and bodies.
  Status CreateIndex(const std::string& name, std::string_view body);
  // Deletes an index and its data. NotFound ("index_not_found_exception") if unknown.
  Status DeleteIndex(const std::string& name);
  // The index or alias `name`; nullptr if none. An alias of several indices gives the first.
  std::shared_ptr<IndexHandle> Find(const std::string& name) const;
  // Resolves "a,b", "log-*", "_all", "*", aliases to index names, sorted. Missing concrete names
  // are NotFound ("index_not_found_exception") unless ignore_unavailable.
  StatusOr<std::vector<std::string>> Resolve(const std::string& expression,
                                             bool ignore_unavailable = false) const;
  std::vector<std::shared_ptr<IndexHandle>> All() const;

  Status UpdateAliases(const std::string& index, const std::vector<std::string>& add,
                       const std::vector<std::string>& remove);
  Status UpdateSettings(const std::string& index, std::string_view body);

  // Cursors: ids are opaque base64-ish strings.
  std::string OpenCursor(std::shared_ptr<Cursor> cursor);
  std::shared_ptr<Cursor> FindCursor(const std::string& id);
  bool CloseCursor(const std::string& id);
  std::size_t CloseAllCursors();
  void ExpireCursors();
  std::size_t open_cursors() const;

  // Flushes every index (clean shutdown).
  Status FlushAll();

 private:
  Node(NodeOptions options, const analyzers::Registry& registry);
  Status Load();
  Status SaveLocked() const;  // REQUIRES(mu_)
  StatusOr<std::shared_ptr<IndexHandle>> OpenIndex(const std::string& name,
                                                   const std::string& uuid,
                                                   const IndexSettings& settings,
                                                   const std::string& mappings,
                                                   std::int64_t created) const;

  NodeOptions options_;
  const analyzers::Registry& registry_;
  std::string node_id_;
  std::string cluster_uuid_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<IndexHandle>> indices_;  // GUARDED_BY(mu_)
  mutable std::mutex cursors_mu_;
  std::map<std::string, std::shared_ptr<Cursor>> cursors_;  // GUARDED_BY(cursors_mu_)
  std::uint64_t next_cursor_ = 0;                           // GUARDED_BY(cursors_mu_)
};

// Index names as Elasticsearch allows them: lower case, no \ / * ? " < > | space , #, not
// starting with - _ +, not "." or "..", at most 255 bytes.
Status ValidateIndexName(const std::string& name);
std::string RandomId(std::size_t length);  // URL-safe base64 characters

}  // namespace stela::api
