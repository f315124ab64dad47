#include "engine/search/highlight.h"

#include <simdjson.h>

#include <algorithm>

#include "engine/common/json_escape.h"
#include "engine/search/json_util.h"
#include "engine/search/query_util.h"

namespace stela::engine::search {

namespace {

using index::FieldDef;
using index::FieldType;

void Collect(simdjson::dom::element e, std::string_view path, std::vector<std::string>* out) {
  using T = simdjson::dom::element_type;
  if (e.type() == T::ARRAY) {
    for (simdjson::dom::element item : Arr(e)) Collect(item, path, out);
    return;
  }
  if (path.empty()) {
    switch (e.type()) {
      case T::STRING:
        out->emplace_back(e.get_string().value_unsafe());
        break;
      case T::INT64:
      case T::UINT64:
      case T::DOUBLE:
      case T::BOOL:
        out->push_back(simdjson::minify(e));
        break;
      default:
        break;
    }
    return;
  }
  if (e.type() != T::OBJECT) return;
  simdjson::dom::object obj = Obj(e);
  // Keys may themselves contain dots ("a.b": 1): try every split.
  for (std::size_t cut = path.find('.');; cut = path.find('.', cut + 1)) {
    const std::string_view head = cut == std::string_view::npos ? path : path.substr(0, cut);
    const std::string_view rest = cut == std::string_view::npos ? "" : path.substr(cut + 1);
    for (auto field : obj) {
      if (field.key == head) Collect(field.value, rest, out);
    }
    if (cut == std::string_view::npos) break;
  }
}

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

void AppendText(std::string_view s, bool html, std::string* out) {
  if (!html) {
    out->append(s);
    return;
  }
  for (char c : s) {
    switch (c) {
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      case '&': out->append("&amp;"); break;
      case '"': out->append("&quot;"); break;
      case '\'': out->append("&#x27;"); break;
      case '/': out->append("&#x2F;"); break;
      default: out->push_back(c);
    }
  }
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  return pattern.find('*') != std::string_view::npos ? GlobMatch(pattern, path, false)
                                                     : pattern == path;
}

// Whether `path` (an object) may contain something `pattern` selects.
bool MayContain(std::string_view pattern, std::string_view path) {
  if (pattern.find('*') != std::string_view::npos) {
    const std::string_view literal = pattern.substr(0, pattern.find('*'));
    const std::string prefix = std::string(path) + ".";
    return literal.substr(0, std::min(literal.size(), prefix.size())) ==
           std::string_view(prefix).substr(0, std::min(literal.size(), prefix.size()));
  }
  return pattern.size() > path.size() && pattern.substr(0, path.size()) == path &&
         pattern[path.size()] == '.';
}

void Filter(simdjson::dom::element e, const std::string& path,
            const std::vector<std::string>& includes, const std::vector<std::string>& excludes,
            bool included, std::string* out, bool* wrote) {
  using T = simdjson::dom::element_type;
  *wrote = false;
  for (const std::string& x : excludes) {
    if (!path.empty() && PathMatches(x, path)) return;
  }
  bool inc = included || includes.empty();
  if (!inc) {
    for (const std::string& p : includes) {
      if (PathMatches(p, path)) inc = true;
    }
  }
  if (e.type() != T::OBJECT) {
    if (!inc) return;
    // Arrays of objects are filtered element by element.
    if (e.type() == T::ARRAY && !excludes.empty()) {
      out->push_back('[');
      bool first = true;
      for (simdjson::dom::element item : Arr(e)) {
        std::string part;
        bool w = false;
        if (item.type() == T::OBJECT) {
          Filter(item, path, includes, excludes, true, &part, &w);
        } else {
          part = simdjson::minify(item);
          w = true;
        }
        if (!w) continue;
        if (!first) out->push_back(',');
        first = false;
        out->append(part);
      }
      out->push_back(']');
      *wrote = true;
      return;
    }
    out->append(simdjson::minify(e));
    *wrote = true;
    return;
  }
  bool descend = inc;
  if (!descend) {
    for (const std::string& p : includes) {
      if (path.empty() || MayContain(p, path)) descend = true;
    }
  }
  if (!descend) return;
  std::string body = "{";
  bool any = false;
  for (auto field : Obj(e)) {
    const std::string child =
        path.empty() ? std::string(field.key) : path + "." + std::string(field.key);
    std::string part;
    bool w = false;
    Filter(field.value, child, includes, excludes, inc, &part, &w);
    if (!w) continue;
    if (any) body.push_back(',');
    AppendJsonString(field.key, &body);
    body.push_back(':');
    body.append(part);
    any = true;
  }
  body.push_back('}');
  if (!any && !inc && !path.empty()) return;
  out->append(body);
  *wrote = true;
}

}  // namespace

StatusOr<std::string> FilterSource(std::string_view json, const std::vector<std::string>& includes,
                                   const std::vector<std::string>& excludes) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Status::Corruption("stored _source is not valid JSON");
  }
  std::string out;
  bool wrote = false;
  Filter(root, "", includes, excludes, false, &out, &wrote);
  if (!wrote) out = "{}";
  return out;
}

struct Highlighter::Impl {
  const internal::SnapshotReader& reader;
  const HighlightSpec& spec;
  const HighlightTerms& terms;
  simdjson::dom::parser parser;
  std::map<const analyzers::Analyzer*, std::unique_ptr<analyzers::TokenStream>> streams;
  std::vector<analyzers::Token> tokens;

  Impl(const internal::SnapshotReader& r, const HighlightSpec& s, const HighlightTerms& t)
      : reader(r), spec(s), terms(t) {}
  ~Impl() {
    for (auto& [a, stream] : streams) reader.ReleaseStream(a, std::move(stream));
  }

  StatusOr<analyzers::TokenStream*> Stream(const FieldDef& f) {
    const analyzers::Analyzer* a = nullptr;
    if (f.type == FieldType::kKeyword) return nullptr;
    if (!f.analyzer.empty()) {
      STELA_ASSIGN_OR_RETURN(a, reader.registry().Find(f.analyzer));
    } else {
      STELA_ASSIGN_OR_RETURN(a, reader.registry().ForLanguage(f.language));
    }
    auto it = streams.find(a);
    if (it != streams.end()) return it->second.get();
    STELA_ASSIGN_OR_RETURN(auto s, reader.AcquireStream(a));
    auto* raw = s.get();
    streams.emplace(a, std::move(s));
    return raw;
  }

  bool IsMatch(const std::string& field, const std::string& term) const {
    auto it = terms.by_field.find(field);
    if (it != terms.by_field.end() && it->second.count(term) > 0) return true;
    auto mt = terms.matchers.find(field);
    if (mt != terms.matchers.end()) {
      for (const TermMatcher& m : mt->second) {
        if (Matches(m, term)) return true;
      }
    }
    return false;
  }

  bool HasTerms(const std::string& field) const {
    return terms.by_field.count(field) > 0 || terms.matchers.count(field) > 0;
  }

  // Fragments of one value. `matches` are byte ranges of the value, in order.
  void Fragments(const std::string& value, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& matches,
                 const std::vector<analyzers::Token>& toks, const HighlightField& hf,
                 std::vector<std::pair<std::size_t, std::string>>* out) {
    const bool html = spec.encoder == "html";
    const std::string& pre = spec.pre_tags.empty() ? std::string("<em>") : spec.pre_tags[0];
    const std::string& post = spec.post_tags.empty() ? std::string("</em>") : spec.post_tags[0];
    auto render = [&](std::uint32_t begin, std::uint32_t end) {
      std::string s;
      std::uint32_t at = begin;
      std::size_t distinct = 0;
      for (const auto& [ms, me] : matches) {
        if (ms < begin || me > end) continue;
        AppendText(std::string_view(value).substr(at, ms - at), html, &s);
        s.append(pre);
        AppendText(std::string_view(value).substr(ms, me - ms), html, &s);
        s.append(post);
        at = me;
        ++distinct;
      }
      AppendText(std::string_view(value).substr(at, end - at), html, &s);
      return std::make_pair(distinct, s);
    };
    if (hf.number_of_fragments == 0) {
      out->push_back(render(0, static_cast<std::uint32_t>(value.size())));
      return;
    }
    // Token boundaries are the only cut points, so fragments never split a character.
    std::size_t next_match = 0;
    while (next_match < matches.size()) {
      const std::uint32_t ms = matches[next_match].first;
      std::size_t t = 0;
      while (t < toks.size() && toks[t].start_offset < ms) ++t;
      // Start a few words before the match (a quarter of the fragment), at a token start.
      std::size_t first = t;
      while (first > 0 && CodePoints(std::string_view(value).substr(
                              toks[first - 1].start_offset, ms - toks[first - 1].start_offset)) <=
                              hf.fragment_size / 4) {
        --first;
      }
      const std::uint32_t begin = first == 0 ? 0 : toks[first].start_offset;
      std::uint32_t end = matches[next_match].second;
      for (std::size_t k = t; k < toks.size(); ++k) {
        if (CodePoints(std::string_view(value).substr(begin, toks[k].end_offset - begin)) >
            hf.fragment_size) {
          break;
        }
        end = std::max(end, toks[k].end_offset);
      }
      if (end >= toks.back().end_offset) end = static_cast<std::uint32_t>(value.size());
      out->push_back(render(begin, end));
      while (next_match < matches.size() && matches[next_match].second <= end) ++next_match;
      if (next_match < matches.size() && matches[next_match].first < end) ++next_match;
    }
  }

  Status Run(std::string_view source, std::map<std::string, std::vector<std::string>>* out) {
    // The source is parsed once per hit; each field's values are read from the same tree.
    simdjson::dom::element root;
    if (parser.parse(source.data(), source.size()).get(root) != simdjson::SUCCESS) {
      return Status::OK();  // malformed stored JSON has nothing to highlight
    }
    for (const HighlightField& hf : spec.fields) {
      std::vector<const FieldDef*> fields;
      if (hf.field.find('*') != std::string::npos) {
        for (const FieldDef& f : reader.mappings().fields()) {
          if ((f.type == FieldType::kText || f.type == FieldType::kKeyword) &&
              GlobMatch(hf.field, f.path, false)) {
            fields.push_back(&f);
          }
        }
      } else if (const FieldDef* f = reader.mappings().Find(hf.field)) {
        fields.push_back(f);
      }
      for (const FieldDef* f : fields) {
        const std::string key = f->is_multi_field ? f->source_path : f->path;
        if (spec.require_field_match && !HasTerms(key) && !HasTerms(f->path)) {
          if (hf.no_match_size == 0) continue;
        }
        STELA_ASSIGN_OR_RETURN(analyzers::TokenStream * stream, Stream(*f));
        std::vector<std::pair<std::size_t, std::string>> frags;
        std::string first_value;
        std::vector<std::string> values;
        Collect(root, f->source_path.empty() ? f->path : f->source_path, &values);
        for (const std::string& value : values) {
          if (first_value.empty()) first_value = value;
          std::vector<std::pair<std::uint32_t, std::uint32_t>> matches;
          tokens.clear();
          if (stream == nullptr) {
            analyzers::Token whole;
            whole.term = value;
            whole.end_offset = static_cast<std::uint32_t>(value.size());
            tokens.push_back(whole);
          } else if (!stream->Analyze(value, &tokens).ok()) {
            continue;
          }
          for (const analyzers::Token& t : tokens) {
            if (IsMatch(key, t.term) || IsMatch(f->path, t.term)) {
              matches.emplace_back(t.start_offset, t.end_offset);
            }
          }
          if (matches.empty()) continue;
          Fragments(value, matches, tokens, hf, &frags);
        }
        std::vector<std::string>& dest = (*out)[hf.field.find('*') != std::string::npos ? f->path : hf.field];
        if (frags.empty()) {
          if (hf.no_match_size > 0 && !first_value.empty()) {
            std::size_t cut = 0, cps = 0;
            while (cut < first_value.size() && cps < hf.no_match_size) {
              ++cut;
              while (cut < first_value.size() &&
                     (static_cast<unsigned char>(first_value[cut]) & 0xC0) == 0x80) {
                ++cut;
              }
              ++cps;
            }
            std::string s;
            AppendText(std::string_view(first_value).substr(0, cut), spec.encoder == "html", &s);
            dest.push_back(std::move(s));
          } else {
            out->erase(hf.field.find('*') != std::string::npos ? f->path : hf.field);
          }
          continue;
        }
        if (spec.order_by_score) {
          std::stable_sort(frags.begin(), frags.end(),
                           [](const auto& a, const auto& b) { return a.first > b.first; });
        }
        const std::size_t n = hf.number_of_fragments == 0
                                  ? frags.size()
                                  : std::min<std::size_t>(frags.size(), hf.number_of_fragments);
        for (std::size_t i = 0; i < n; ++i) dest.push_back(std::move(frags[i].second));
      }
    }
    return Status::OK();
  }
};

Highlighter::Highlighter(const internal::SnapshotReader& reader, const HighlightSpec& spec,
                         const HighlightTerms& terms)
    : impl_(std::make_unique<Impl>(reader, spec, terms)) {}
Highlighter::~Highlighter() = default;

Status Highlighter::Highlight(std::string_view source,
                              std::map<std::string, std::vector<std::string>>* out) {
  return impl_->Run(source, out);
}

}  // namespace stela::engine::search
