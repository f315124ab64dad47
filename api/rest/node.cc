#include "api/rest/node.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "api/rest/json_writer.h"
#include "engine/common/sync_directory.h"
#include "engine/search/query_util.h"

namespace stela::api {

namespace fs = std::filesystem;

namespace {

Status IndexNotFound(const std::string& name) {
  return Status::NotFound("index_not_found_exception: no such index [" + name + "]");
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Flattens {"index": {"number_of_shards": 1}} and {"index.number_of_shards": "1"} to
// "number_of_shards" -> "1".
void Flatten(simdjson::dom::element e, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  using T = simdjson::dom::element_type;
  if (e.type() == T::OBJECT) {
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) return;
    for (auto kv : o) {
      Flatten(kv.value, prefix.empty() ? std::string(kv.key) : prefix + "." + std::string(kv.key),
              out);
    }
    return;
  }
  std::string key = prefix;
  if (key.rfind("index.", 0) == 0) key = key.substr(6);
  std::string_view s;
  if (e.type() == T::STRING && e.get_string().get(s) == simdjson::SUCCESS) {
    (*out)[key] = std::string(s);
  } else {
    (*out)[key] = simdjson::minify(e);
  }
}

StatusOr<std::uint32_t> ParseCount(const std::string& key, const std::string& v) {
  std::uint32_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return Status::InvalidArgument("illegal_argument_exception: Failed to parse value [" + v +
                                   "] for setting [index." + key + "]");
  }
  return n;
}

Status ApplySettings(const std::map<std::string, std::string>& flat, IndexSettings* s) {
  for (const auto& [k, v] : flat) {
    if (k == "number_of_shards") {
      STELA_ASSIGN_OR_RETURN(s->number_of_shards, ParseCount(k, v));
      if (s->number_of_shards == 0) {
        return Status::InvalidArgument(
            "illegal_argument_exception: Failed to parse value [0] for setting "
            "[index.number_of_shards] must be >= 1");
      }
    } else if (k == "number_of_replicas") {
      STELA_ASSIGN_OR_RETURN(s->number_of_replicas, ParseCount(k, v));
    } else if (k == "refresh_interval") {
      STELA_RETURN_IF_ERROR(ParseTimeValue(v).status());
      s->refresh_interval = v;
    } else if (k == "translog.durability") {
      if (v != "request" && v != "async" && v != "REQUEST" && v != "ASYNC") {
        return Status::InvalidArgument("illegal_argument_exception: unknown durability [" + v + "]");
      }
      s->durability = v == "async" || v == "ASYNC" ? "async" : "request";
    } else if (k == "max_result_window") {
      STELA_ASSIGN_OR_RETURN(s->max_result_window, ParseCount(k, v));
    } else if (k == "max_terms_count") {
      STELA_ASSIGN_OR_RETURN(s->max_terms_count, ParseCount(k, v));
    } else if (k == "max_regex_length") {
      STELA_ASSIGN_OR_RETURN(s->max_regex_length, ParseCount(k, v));
    } else {
      s->other[k] = v;
    }
  }
  return Status::OK();
}

void WriteSettings(const IndexSettings& s, JsonWriter* w) {
  w->BeginObject();
  w->Key("number_of_shards").String(std::to_string(s.number_of_shards));
  w->Key("number_of_replicas").String(std::to_string(s.number_of_replicas));
  w->Key("refresh_interval").String(s.refresh_interval);
  w->Key("translog.durability").String(s.durability);
  w->Key("max_result_window").String(std::to_string(s.max_result_window));
  w->Key("max_terms_count").String(std::to_string(s.max_terms_count));
  w->Key("max_regex_length").String(std::to_string(s.max_regex_length));
  for (const auto& [k, v] : s.other) w->Key(k).String(v);
  w->EndObject();
}

Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + tmp);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Status::IOError("cannot write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Status::IOError("cannot fsync " + tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::IOError("cannot rename " + tmp);
  (void)SyncParentDirectory(path);  // the new name; best effort, as it always was
  return Status::OK();
}

}  // namespace

IndexHandle::~IndexHandle() = default;

Status ValidateIndexName(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid_index_name_exception: Invalid index name [" + name +
                                   "], " + why);
  };
  if (name.empty()) return bad("must not be empty");
  if (name.size() > 255) return bad("index name is too long");
  if (name == "." || name == "..") return bad("must not be '.' or '..'");
  if (name[0] == '-' || name[0] == '_' || name[0] == '+') {
    return bad("must not start with '_', '-', or '+'");
  }
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return bad("must be lowercase");
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos) {
      return bad("must not contain the following characters [ , \", *, \\, <, |, ?, /, >, #, :]");
    }
  }
  return Status::OK();
}

std::string RandomId(std::size_t length) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string out;
  while (out.size() < length) {
    std::uint32_t r = rd();
    for (int k = 0; k < 5 && out.size() < length; ++k, r >>= 6) out.push_back(kChars[r & 63]);
  }
  return out;
}

Node::Node(NodeOptions options, const analyzers::Registry& registry)
    : options_(std::move(options)), registry_(registry) {}

Node::~Node() {
  CloseAllCursors();
  (void)FlushAll();
  std::lock_guard lock(mu_);
  indices_.clear();
}

StatusOr<std::unique_ptr<Node>> Node::Open(NodeOptions options,
                                           const analyzers::Registry& registry) {
  std::unique_ptr<Node> node(new Node(std::move(options), registry));
  STELA_RETURN_IF_ERROR(node->Load());
  return node;
}

Status Node::Load() {
  std::error_code ec;
  fs::create_directories(fs::path(options_.data_dir) / "_state", ec);
  fs::create_directories(fs::path(options_.data_dir) / "indices", ec);
  if (ec) return Status::IOError("cannot create data directory " + options_.data_dir);
  // The names of the directories just made must survive a power cut (index directories are
  // made inside `indices`; each store syncs its own name).
  STELA_RETURN_IF_ERROR(SyncDirectory(options_.data_dir));
  // The data directory's own name: the operator's parent directory may not be readable to us,
  // and was most likely made long ago; a warning, not a refusal to start.
  if (Status s = SyncParentDirectory(options_.data_dir); !s.ok()) {
    std::fprintf(stderr, "stela: warning: %s\n", s.ToString().c_str());
  }
  const std::string state = (fs::path(options_.data_dir) / "_state" / "node.json").string();
  std::ifstream in(state);
  if (!in) {
    node_id_ = RandomId(22);
    cluster_uuid_ = RandomId(22);
    std::lock_guard lock(mu_);
    return SaveLocked();
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root)) return Status::Corruption("malformed " + state);
  std::string_view s;
  if (!root["node_id"].get_string().get(s)) node_id_ = std::string(s);
  if (!root["cluster_uuid"].get_string().get(s)) cluster_uuid_ = std::string(s);
  simdjson::dom::array list;
  if (root["indices"].get_array().get(list)) return Status::Corruption("malformed " + state);
  for (simdjson::dom::element e : list) {
    std::string_view name, uuid;
    std::int64_t created = 0;
    if (e["name"].get_string().get(name) || e["uuid"].get_string().get(uuid)) {
      return Status::Corruption("malformed index entry in " + state);
    }
    if (e["created"].get_int64().get(created)) {}
    IndexSettings settings;
    simdjson::dom::element se;
    if (!e["settings"].get(se)) {
      std::map<std::string, std::string> flat;
      Flatten(se, "", &flat);
      STELA_RETURN_IF_ERROR(ApplySettings(flat, &settings));
    }
    STELA_ASSIGN_OR_RETURN(auto handle, OpenIndex(std::string(name), std::string(uuid), settings,
                                                  "{}", created));
    simdjson::dom::array aliases;
    if (!e["aliases"].get_array().get(aliases)) {
      for (simdjson::dom::element a : aliases) {
        std::string_view alias;
        if (!a.get_string().get(alias)) handle->aliases.insert(std::string(alias));
      }
    }
    std::lock_guard lock(mu_);
    indices_[handle->name] = handle;
  }
  return Status::OK();
}

Status Node::SaveLocked() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("node_id").String(node_id_);
  w.Key("cluster_uuid").String(cluster_uuid_);
  w.Key("indices").BeginArray();
  for (const auto& [name, h] : indices_) {
    w.BeginObject();
    w.Key("name").String(name);
    w.Key("uuid").String(h->uuid);
    w.Key("created").Int(h->creation_date);
    w.Key("settings");
    WriteSettings(h->settings, &w);
    w.Key("aliases").BeginArray();
    for (const std::string& a : h->aliases) w.String(a);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return WriteFileAtomically((fs::path(options_.data_dir) / "_state" / "node.json").string(),
                             w.str());
}

StatusOr<std::shared_ptr<IndexHandle>> Node::OpenIndex(const std::string& name,
                                                       const std::string& uuid,
                                                       const IndexSettings& settings,
                                                       const std::string& mappings,
                                                       std::int64_t created) const {
  engine::IndexOptions o;
  o.mappings_json = mappings;
  STELA_ASSIGN_OR_RETURN(std::int64_t refresh_ms, ParseTimeValue(settings.refresh_interval));
  o.refresh_interval_ms = refresh_ms < 0 ? 0 : static_cast<std::uint32_t>(refresh_ms);
  o.durability = settings.durability == "async" ? engine::Durability::kAsync
                                                : engine::Durability::kRequest;
  auto h = std::make_shared<IndexHandle>();
  h->name = name;
  h->uuid = uuid;
  h->creation_date = created;
  h->settings = settings;
  STELA_ASSIGN_OR_RETURN(h->index,
                         engine::Index::Open((fs::path(options_.data_dir) / "indices" / uuid).string(),
                                             o, registry_));
  return h;
}

Status Node::CreateIndex(const std::string& name, std::string_view body) {
  STELA_RETURN_IF_ERROR(ValidateIndexName(name));
  IndexSettings settings;
  std::string mappings = "{}";
  std::vector<std::string> aliases;
  std::string trimmed(body);
  trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
  if (!trimmed.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(trimmed).get(root) || root.type() != simdjson::dom::element_type::OBJECT) {
      return Status::InvalidArgument("parse_exception: request body is not a JSON object");
    }
    simdjson::dom::object obj;
    if (root.get_object().get(obj)) {}
    for (auto kv : obj) {
      if (kv.key == "settings") {
        std::map<std::string, std::string> flat;
        Flatten(kv.value, "", &flat);
        STELA_RETURN_IF_ERROR(ApplySettings(flat, &settings));
      } else if (kv.key == "mappings") {
        mappings = simdjson::minify(kv.value);
        // Typed mappings from 6.x ({"_doc": {"properties": ...}}) are unwrapped.
        simdjson::dom::element props;
        simdjson::dom::element doc;
        if (kv.value["properties"].get(props) && !kv.value["_doc"].get(doc)) {
          mappings = simdjson::minify(doc);
        }
      } else if (kv.key == "aliases") {
        simdjson::dom::object a;
        if (kv.value.get_object().get(a)) {
          return Status::InvalidArgument("parse_exception: [aliases] must be an object");
        }
        for (auto alias : a) aliases.emplace_back(alias.key);
      } else {
        return Status::InvalidArgument("parse_exception: unknown key [" + std::string(kv.key) +
                                       "] for create index");
      }
    }
  }
  std::lock_guard lock(mu_);
  if (indices_.count(name) != 0) {
    return Status::InvalidArgument("resource_already_exists_exception: index [" + name + "/" +
                                   indices_.at(name)->uuid + "] already exists");
  }
  for (const auto& [n, h] : indices_) {
    if (h->aliases.count(name) != 0) {
      return Status::InvalidArgument("invalid_index_name_exception: Invalid index name [" + name +
                                     "], already exists as alias");
    }
  }
  const std::string uuid = RandomId(22);
  STELA_ASSIGN_OR_RETURN(auto handle, OpenIndex(name, uuid, settings, mappings, NowMs()));
  handle->aliases.insert(aliases.begin(), aliases.end());
  indices_[name] = handle;
  Status s = SaveLocked();
  if (!s.ok()) {
    indices_.erase(name);
    return s;
  }
  return Status::OK();
}

Status Node::DeleteIndex(const std::string& name) {
  std::shared_ptr<IndexHandle> handle;
  {
    std::lock_guard lock(mu_);
    auto it = indices_.find(name);
    if (it == indices_.end()) return IndexNotFound(name);
    handle = it->second;
    indices_.erase(it);
    STELA_RETURN_IF_ERROR(SaveLocked());
  }
  {
    std::lock_guard lock(cursors_mu_);
    for (auto it = cursors_.begin(); it != cursors_.end();) {
      it = it->second->handle == handle ? cursors_.erase(it) : std::next(it);
    }
  }
  // Requests still using the index finish first; then its files go.
  for (int i = 0; i < 500 && handle.use_count() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string dir = (fs::path(options_.data_dir) / "indices" / handle->uuid).string();
  if (handle.use_count() == 1) {
    handle->index.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
    // Best effort: a directory that comes back after a power cut is only an orphan that no
    // index names.
    (void)SyncParentDirectory(dir);
  }
  return Status::OK();
}

std::shared_ptr<IndexHandle> Node::Find(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = indices_.find(name);
  if (it != indices_.end()) return it->second;
  for (const auto& [n, h] : indices_) {
    if (h->aliases.count(name) != 0) return h;
  }
  return nullptr;
}

StatusOr<std::vector<std::string>> Node::Resolve(const std::string& expression,
                                                 bool ignore_unavailable) const {
  std::set<std::string> out;
  std::lock_guard lock(mu_);
  std::size_t start = 0;
  const std::string expr = expression.empty() ? "_all" : expression;
  while (start <= expr.size()) {
    std::size_t comma = expr.find(',', start);
    if (comma == std::string::npos) comma = expr.size();
    std::string part = expr.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) continue;
    bool exclude = false;
    if (part[0] == '-' && part.size() > 1) {
      exclude = true;
      part = part.substr(1);
    }
    std::set<std::string> matched;
    if (part == "_all" || part == "*") {
      for (const auto& [n, h] : indices_) matched.insert(n);
    } else if (part.find('*') != std::string::npos) {
      for (const auto& [n, h] : indices_) {
        if (engine::search::GlobMatch(part, n, false)) matched.insert(n);
        for (const std::string& a : h->aliases) {
          if (engine::search::GlobMatch(part, a, false)) matched.insert(n);
        }
      }
    } else {
      if (indices_.count(part) != 0) matched.insert(part);
      for (const auto& [n, h] : indices_) {
        if (h->aliases.count(part) != 0) matched.insert(n);
      }
      if (matched.empty() && !ignore_unavailable) return IndexNotFound(part);
    }
    for (const std::string& m : matched) {
      if (exclude) out.erase(m); else out.insert(m);
    }
  }
  return std::vector<std::string>(out.begin(), out.end());
}

std::vector<std::shared_ptr<IndexHandle>> Node::All() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<IndexHandle>> out;
  for (const auto& [n, h] : indices_) out.push_back(h);
  return out;
}

Status Node::UpdateAliases(const std::string& index, const std::vector<std::string>& add,
                           const std::vector<std::string>& remove) {
  std::lock_guard lock(mu_);
  auto it = indices_.find(index);
  if (it == indices_.end()) return IndexNotFound(index);
  for (const std::string& a : add) {
    if (indices_.count(a) != 0) {
      return Status::InvalidArgument("invalid_alias_name_exception: Invalid alias name [" + a +
                                     "]: an index or data stream exists with the same name as "
                                     "the alias");
    }
    it->second->aliases.insert(a);
  }
  for (const std::string& a : remove) {
    if (it->second->aliases.erase(a) == 0) {
      return Status::NotFound("aliases_not_found_exception: aliases [" + a + "] missing");
    }
  }
  return SaveLocked();
}

Status Node::UpdateSettings(const std::string& index, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) {
    return Status::InvalidArgument("parse_exception: request body is not valid JSON");
  }
  simdjson::dom::element settings = root;
  simdjson::dom::element inner;
  if (!root["settings"].get(inner)) settings = inner;
  std::map<std::string, std::string> flat;
  Flatten(settings, "", &flat);
  std::lock_guard lock(mu_);
  auto it = indices_.find(index);
  if (it == indices_.end()) return IndexNotFound(index);
  IndexSettings updated = it->second->settings;
  STELA_RETURN_IF_ERROR(ApplySettings(flat, &updated));
  if (updated.number_of_shards != it->second->settings.number_of_shards) {
    return Status::InvalidArgument(
        "illegal_argument_exception: final index setting [index.number_of_shards], not "
        "updateable");
  }
  // refresh_interval and durability apply when the index is next opened; the rest at once.
  it->second->settings = updated;
  return SaveLocked();
}

std::string Node::OpenCursor(std::shared_ptr<Cursor> cursor) {
  std::lock_guard lock(cursors_mu_);
  const std::string id = RandomId(16) + std::to_string(++next_cursor_);
  cursors_[id] = std::move(cursor);
  return id;
}

std::shared_ptr<Cursor> Node::FindCursor(const std::string& id) {
  ExpireCursors();
  std::lock_guard lock(cursors_mu_);
  auto it = cursors_.find(id);
  return it == cursors_.end() ? nullptr : it->second;
}

bool Node::CloseCursor(const std::string& id) {
  std::lock_guard lock(cursors_mu_);
  return cursors_.erase(id) > 0;
}

std::size_t Node::CloseAllCursors() {
  std::lock_guard lock(cursors_mu_);
  const std::size_t n = cursors_.size();
  cursors_.clear();
  return n;
}

void Node::ExpireCursors() {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(cursors_mu_);
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    bool expired = false;
    {
      std::lock_guard cursor_lock(it->second->mu);
      expired = it->second->expires < now;
    }
    it = expired ? cursors_.erase(it) : std::next(it);
  }
}

std::size_t Node::open_cursors() const {
  std::lock_guard lock(cursors_mu_);
  return cursors_.size();
}

Status Node::FlushAll() {
  Status first;
  for (const auto& h : All()) {
    if (h->index == nullptr) continue;
    Status s = h->index->Flush();
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

}  // namespace stela::api
