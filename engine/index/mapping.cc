#include "engine/index/mapping.h"

#include <simdjson.h>

#include <algorithm>
#include <vector>

#include "engine/common/json_escape.h"

namespace stela::engine::index {

namespace {

constexpr std::pair<std::string_view, FieldType> kTypes[] = {
    {"text", FieldType::kText},       {"keyword", FieldType::kKeyword},
    {"long", FieldType::kLong},       {"integer", FieldType::kInteger},
    {"double", FieldType::kDouble},   {"float", FieldType::kFloat},
    {"date", FieldType::kDate},       {"boolean", FieldType::kBoolean},
};

Status MappingError(std::string_view what) {
  return Status::InvalidArgument("mapper_parsing_exception: " + std::string(what));
}

}  // namespace

StatusOr<FieldType> ParseFieldType(std::string_view name) {
  for (const auto& [n, t] : kTypes) {
    if (n == name) return t;
  }
  return MappingError("no handler for type [" + std::string(name) + "]");
}

std::string_view FieldTypeName(FieldType type) {
  for (const auto& [n, t] : kTypes) {
    if (t == type) return n;
  }
  return "text";
}

namespace {

Status ParseProperties(simdjson::dom::object props, const std::string& prefix,
                       std::vector<FieldDef>* out) {
  for (auto [key, value] : props) {
    const std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    simdjson::dom::object def;
    if (value.get_object().get(def)) return MappingError("field [" + path + "] must be an object");
    simdjson::dom::object nested;
    if (!def["properties"].get_object().get(nested)) {
      STELA_RETURN_IF_ERROR(ParseProperties(nested, path, out));
      continue;
    }
    std::string_view type_name = "object";
    if (def["type"].get_string().get(type_name)) {
      return MappingError("field [" + path + "] has no [type]");
    }
    STELA_ASSIGN_OR_RETURN(FieldType type, ParseFieldType(type_name));
    FieldDef f;
    f.path = path;
    f.source_path = path;
    f.type = type;
    std::string_view s;
    if (!def["analyzer"].get_string().get(s)) f.analyzer = std::string(s);
    if (!def["language"].get_string().get(s)) f.language = std::string(s);
    std::uint64_t above = 0;
    if (!def["ignore_above"].get_uint64().get(above)) f.ignore_above = static_cast<std::uint32_t>(above);
    out->push_back(f);
    simdjson::dom::object fields;
    if (!def["fields"].get_object().get(fields)) {
      for (auto [sub_name, sub_value] : fields) {
        simdjson::dom::object sub;
        std::string_view sub_type;
        if (sub_value.get_object().get(sub) || sub["type"].get_string().get(sub_type)) {
          return MappingError("multi-field [" + path + "." + std::string(sub_name) +
                              "] needs a [type]");
        }
        STELA_ASSIGN_OR_RETURN(FieldType st, ParseFieldType(sub_type));
        FieldDef m;
        m.path = path + "." + std::string(sub_name);
        m.source_path = path;
        m.type = st;
        m.is_multi_field = true;
        if (!sub["analyzer"].get_string().get(s)) m.analyzer = std::string(s);
        if (!sub["language"].get_string().get(s)) m.language = std::string(s);
        if (!sub["ignore_above"].get_uint64().get(above)) {
          m.ignore_above = static_cast<std::uint32_t>(above);
        }
        out->push_back(m);
      }
    }
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::unique_ptr<Mappings>> Mappings::Parse(std::string_view json,
                                                    std::uint32_t max_fields) {
  auto m = std::make_unique<Mappings>();
  m->max_fields_ = max_fields;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root)) {
    return MappingError("mappings are not valid JSON");
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return MappingError("mappings must be a JSON object");
  std::vector<FieldDef> defs;
  simdjson::dom::object props;
  if (!obj["properties"].get_object().get(props)) {
    STELA_RETURN_IF_ERROR(ParseProperties(props, "", &defs));
  }
  // Stored mappings carry their ids in "_stela_ids" so keys stay stable across restarts.
  simdjson::dom::object ids;
  const bool have_ids = !obj["_stela_ids"].get_object().get(ids);
  std::uint16_t next = 0;
  for (FieldDef& d : defs) {
    std::uint64_t id = 0;
    if (have_ids && !ids[d.path].get_uint64().get(id)) {
      d.id = static_cast<std::uint16_t>(id);
    } else {
      d.id = 0xFFFF;  // assigned below
    }
    next = std::max<std::uint16_t>(next, d.id == 0xFFFF ? next : d.id + 1);
  }
  for (FieldDef& d : defs) {
    if (d.id == 0xFFFF) d.id = next++;
    STELA_RETURN_IF_ERROR(m->AddParsed(std::move(d)));
  }
  std::uint64_t unmapped = 0;
  if (!obj["_stela_unmapped"].get_uint64().get(unmapped)) m->unmapped_ = unmapped;
  return m;
}

Status Mappings::AddParsed(FieldDef def) {
  if (by_path_.count(def.path) != 0) {
    return MappingError("field [" + def.path + "] is defined twice");
  }
  fields_.push_back(std::move(def));
  const FieldDef* f = &fields_.back();
  by_path_.emplace(f->path, f);
  if (f->is_multi_field) multi_[f->source_path].push_back(f);
  return Status::OK();
}

Status Mappings::Merge(std::string_view update) {
  STELA_ASSIGN_OR_RETURN(auto parsed, Parse(update, max_fields_));
  for (const FieldDef& f : parsed->fields()) {
    const FieldDef* cur = Find(f.path);
    if (cur != nullptr && cur->type != f.type) {
      return Status::InvalidArgument("illegal_argument_exception: mapper [" + f.path +
                                     "] cannot be changed from type [" +
                                     std::string(FieldTypeName(cur->type)) + "] to [" +
                                     std::string(FieldTypeName(f.type)) + "]");
    }
  }
  std::uint16_t next = 0;
  for (const FieldDef& f : fields_) next = std::max<std::uint16_t>(next, f.id + 1);
  for (const FieldDef& f : parsed->fields()) {
    if (Find(f.path) != nullptr) continue;
    FieldDef copy = f;
    copy.id = next++;
    STELA_RETURN_IF_ERROR(AddParsed(std::move(copy)));
  }
  return Status::OK();
}

const FieldDef* Mappings::Find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : it->second;
}

const std::vector<const FieldDef*>& Mappings::MultiFields(std::string_view path) const {
  static const std::vector<const FieldDef*> kNone;
  auto it = multi_.find(path);
  return it == multi_.end() ? kNone : it->second;
}

const FieldDef* Mappings::ById(std::uint16_t id) const {
  for (const FieldDef& f : fields_) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const FieldDef* Mappings::AddDynamic(std::string_view path, FieldType type) {
  const std::size_t needed = type == FieldType::kText ? 2 : 1;
  if (fields_.size() + needed > max_fields_) {
    ++unmapped_;
    return nullptr;
  }
  std::uint16_t next = 0;
  for (const FieldDef& f : fields_) next = std::max<std::uint16_t>(next, f.id + 1);
  FieldDef f;
  f.path = std::string(path);
  f.source_path = f.path;
  f.type = type;
  f.id = next++;
  const Status s = AddParsed(f);
  if (!s.ok()) return Find(path);
  if (type == FieldType::kText) {
    FieldDef k;
    k.path = f.path + ".keyword";
    k.source_path = f.path;
    k.type = FieldType::kKeyword;
    k.id = next++;
    k.ignore_above = 256;
    k.is_multi_field = true;
    (void)AddParsed(k);
  }
  return Find(path);
}

namespace {

struct Node {
  const FieldDef* def = nullptr;
  std::map<std::string, Node> children;
};

void WriteNode(const std::string& name, const Node& node, const Mappings& m, std::string* out) {
  AppendJsonString(name, out);
  out->push_back(':');
  out->push_back('{');
  if (node.def == nullptr) {
    out->append("\"properties\":{");
    bool first = true;
    for (const auto& [child, n] : node.children) {
      if (!first) out->push_back(',');
      first = false;
      WriteNode(child, n, m, out);
    }
    out->append("}}");
    return;
  }
  const FieldDef& f = *node.def;
  out->append("\"type\":");
  AppendJsonString(FieldTypeName(f.type), out);
  auto attrs = [out](const FieldDef& d) {
    if (!d.analyzer.empty()) {
      out->append(",\"analyzer\":");
      AppendJsonString(d.analyzer, out);
    }
    if (d.type == FieldType::kText && d.language != "auto") {
      out->append(",\"language\":");
      AppendJsonString(d.language, out);
    }
    if (d.ignore_above != 0) out->append(",\"ignore_above\":" + std::to_string(d.ignore_above));
  };
  attrs(f);
  const auto& multi = m.MultiFields(f.path);
  if (!multi.empty()) {
    out->append(",\"fields\":{");
    for (std::size_t i = 0; i < multi.size(); ++i) {
      if (i) out->push_back(',');
      AppendJsonString(multi[i]->path.substr(f.path.size() + 1), out);
      out->append(":{\"type\":");
      AppendJsonString(FieldTypeName(multi[i]->type), out);
      attrs(*multi[i]);
      out->push_back('}');
    }
    out->push_back('}');
  }
  out->push_back('}');
}

}  // namespace

std::string Mappings::ToJson() const {
  Node root;
  for (const FieldDef& f : fields_) {
    if (f.is_multi_field) continue;
    Node* n = &root;
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = f.path.find('.', start);
      n = &n->children[f.path.substr(start, dot == std::string::npos ? dot : dot - start)];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    n->def = &f;
  }
  std::string out = "{\"properties\":{";
  bool first = true;
  for (const auto& [name, n] : root.children) {
    if (!first) out.push_back(',');
    first = false;
    WriteNode(name, n, *this, &out);
  }
  out.append("},\"_stela_ids\":{");
  first = true;
  for (const FieldDef& f : fields_) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(f.path, &out);
    out.append(":" + std::to_string(f.id));
  }
  out.append("},\"_stela_unmapped\":" + std::to_string(unmapped_) + "}");
  return out;
}

}  // namespace stela::engine::index
