#include "engine/index/document.h"

#include <simdjson.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "engine/codec/doc_values.h"
#include "engine/common/coding.h"
#include "engine/common/json_escape.h"
#include "engine/index/postings_buffer.h"

namespace stela::engine::index {

namespace {

// Text values of one field in an array are this many positions apart, as in Elasticsearch, so
// phrases do not match across values.
constexpr std::uint32_t kPositionIncrementGap = 100;
constexpr int kMaxDepth = 64;

Status ParseError(std::string_view what) {
  return Status::InvalidArgument("mapper_parsing_exception: " + std::string(what));
}

int DigitsAt(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool LooksLikeDate(std::string_view s) {
  return s.size() >= 10 && DigitsAt(s, 0, 4) >= 0 && s[4] == '-' && DigitsAt(s, 5, 2) >= 0 &&
         s[7] == '-' && DigitsAt(s, 8, 2) >= 0 && ParseDateMillis(s).ok();
}

std::string NumberText(simdjson::dom::element v) { return std::string(simdjson::minify(v)); }

}  // namespace

std::string EncodeLongTerm(std::int64_t v) {
  std::string out;
  PutFixed64BE(&out, static_cast<std::uint64_t>(v) ^ (std::uint64_t{1} << 63));
  return out;
}

std::string EncodeDoubleTerm(double v) {
  if (v == 0) v = 0;  // -0.0 and 0.0 are the same term
  std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  bits = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
  std::string out;
  PutFixed64BE(&out, bits);
  return out;
}

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  // Proleptic Gregorian arithmetic over 400-year eras (146,097 days each).
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

StatusOr<std::int64_t> ParseDateMillis(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("failed to parse date [" + std::string(s) + "]"); };
  const int year = DigitsAt(s, 0, 4), month = DigitsAt(s, 5, 2), day = DigitsAt(s, 8, 2);
  if (s.size() < 10 || year < 0 || month < 1 || month > 12 || day < 1 || day > 31 ||
      s[4] != '-' || s[7] != '-') {
    return bad();
  }
  std::int64_t millis = DaysFromCivil(year, month, day) * 86400000LL;
  std::size_t i = 10;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    const int h = DigitsAt(s, i + 1, 2), mi = DigitsAt(s, i + 4, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s[i + 3] != ':') return bad();
    millis += (h * 3600LL + mi * 60LL) * 1000;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      const int sec = DigitsAt(s, i + 1, 2);
      if (sec < 0 || sec > 60) return bad();
      millis += sec * 1000LL;
      i += 3;
      if (i < s.size() && s[i] == '.') {
        ++i;
        int frac_digits = 0, frac = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          if (frac_digits < 3) {
            frac = frac * 10 + (s[i] - '0');
            ++frac_digits;
          }
          ++i;
        }
        if (frac_digits == 0) return bad();
        while (frac_digits++ < 3) frac *= 10;
        millis += frac;
      }
    }
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int oh = DigitsAt(s, i + 1, 2), om = DigitsAt(s, i + 4, 2);
      if (oh < 0 || om < 0 || i + 3 >= s.size() || s[i + 3] != ':') return bad();
      const std::int64_t offset = (oh * 60LL + om) * 60000LL;
      millis += s[i] == '+' ? -offset : offset;
      i += 6;
    }
  }
  if (i != s.size()) return bad();
  return millis;
}

DocumentParser::DocumentParser(const analyzers::Registry& registry)
    : registry_(registry),
      parser_(std::make_unique<simdjson::dom::parser>()),
      parser2_(std::make_unique<simdjson::dom::parser>()) {}
DocumentParser::~DocumentParser() = default;

const analyzers::Analyzer* DocumentParser::AnalyzerFor(const FieldDef& f, Status* error) {
  auto a = f.analyzer.empty() ? registry_.ForLanguage(f.language) : registry_.Find(f.analyzer);
  if (!a.ok()) {
    *error = ParseError(std::string(a.status().message()) + " for field [" + f.path + "]");
    return nullptr;
  }
  return *a;
}

analyzers::TokenStream* DocumentParser::StreamFor(const analyzers::Analyzer* a, Status* error) {
  auto it = streams_.find(a);
  if (it != streams_.end()) return it->second.get();
  auto s = a->NewStream();
  if (!s.ok()) {
    *error = s.status();
    return nullptr;
  }
  return streams_.emplace(a, std::move(s).value()).first->second.get();
}

namespace {

struct Walker {
  const FieldResolver& resolve;
  const MultiFieldLookup& multi;
  ParsedDocument* out;
  std::function<Status(const FieldDef&, std::string_view, ParsedDocument*)> add_text;
  std::map<std::uint16_t, std::uint32_t> next_position;

  Status AddScalar(const FieldDef& f, simdjson::dom::element v) {
    using T = simdjson::dom::element_type;
    std::string term;
    switch (f.type) {
      case FieldType::kText:
      case FieldType::kKeyword: {
        // Text straight from the parsed JSON (it lives as long as the walk); a copy only where
        // a term must be owned.
        if (f.type == FieldType::kText && v.type() == T::STRING) {
          return add_text(f, v.get_string().value_unsafe(), out);
        }
        std::string text;
        if (v.type() == T::STRING) {
          text = std::string(v.get_string().value_unsafe());
        } else if (v.type() == T::BOOL) {
          text = v.get_bool().value_unsafe() ? "true" : "false";
        } else {
          text = NumberText(v);
        }
        if (f.type == FieldType::kText) return add_text(f, text, out);
        if (f.ignore_above != 0 && text.size() > f.ignore_above) return Status::OK();
        out->doc_values.push_back({f.id, true, 0, text});
        term = std::move(text);
        break;
      }
      case FieldType::kLong:
      case FieldType::kInteger:
      case FieldType::kDate: {
        std::int64_t n = 0;
        if (v.type() == T::INT64) {
          n = v.get_int64().value_unsafe();
        } else if (v.type() == T::UINT64) {
          return ParseError("value of [" + f.path + "] is out of range for a long");
        } else if (v.type() == T::STRING) {
          const std::string_view s = v.get_string().value_unsafe();
          if (f.type == FieldType::kDate) {
            auto millis = ParseDateMillis(s);
            if (!millis.ok()) {
              auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
              if (ec != std::errc() || p != s.data() + s.size()) {
                return ParseError("failed to parse field [" + f.path + "] of type [date]: " +
                                  std::string(s));
              }
            } else {
              n = *millis;
            }
          } else {
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc() || p != s.data() + s.size()) {
              return ParseError("failed to parse field [" + f.path + "] of type [" +
                                std::string(FieldTypeName(f.type)) + "]: [" + std::string(s) +
                                "]");
            }
          }
        } else if (v.type() == T::DOUBLE) {
          const double d = v.get_double().value_unsafe();
          if (d != std::floor(d) || std::abs(d) > 9.2e18) {
            return ParseError("value [" + NumberText(v) + "] of [" + f.path +
                              "] is not an integer");
          }
          n = static_cast<std::int64_t>(d);
        } else {
          return ParseError("field [" + f.path + "] of type [" +
                            std::string(FieldTypeName(f.type)) + "] cannot take a boolean");
        }
        if (f.type == FieldType::kInteger && (n < INT32_MIN || n > INT32_MAX)) {
          return ParseError("value [" + std::to_string(n) + "] is out of range for an integer");
        }
        out->doc_values.push_back({f.id, false, n, {}});
        term = EncodeLongTerm(n);
        break;
      }
      case FieldType::kDouble:
      case FieldType::kFloat: {
        double d = 0;
        if (v.type() == T::DOUBLE || v.type() == T::INT64 || v.type() == T::UINT64) {
          d = v.type() == T::DOUBLE   ? v.get_double().value_unsafe()
              : v.type() == T::INT64 ? static_cast<double>(v.get_int64().value_unsafe())
                                     : static_cast<double>(v.get_uint64().value_unsafe());
        } else if (v.type() == T::STRING) {
          const std::string_view s = v.get_string().value_unsafe();
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          if (ec != std::errc() || p != s.data() + s.size()) {
            return ParseError("failed to parse field [" + f.path + "] of type [" +
                              std::string(FieldTypeName(f.type)) + "]: [" + std::string(s) + "]");
          }
        } else {
          return ParseError("field [" + f.path + "] cannot take a boolean");
        }
        if (f.type == FieldType::kFloat) d = static_cast<float>(d);
        if (!std::isfinite(d)) return ParseError("[" + f.path + "] must be a finite number");
        out->doc_values.push_back({f.id, false, codec::SortableDoubleBits(d), {}});
        term = EncodeDoubleTerm(d);
        break;
      }
      case FieldType::kBoolean: {
        bool b = false;
        if (v.type() == T::BOOL) {
          b = v.get_bool().value_unsafe();
        } else if (v.type() == T::STRING && (v.get_string().value_unsafe() == "true" ||
                                             v.get_string().value_unsafe() == "false")) {
          b = v.get_string().value_unsafe() == "true";
        } else {
          return ParseError("failed to parse field [" + f.path + "] of type [boolean]");
        }
        out->doc_values.push_back({f.id, false, b ? 1 : 0, {}});
        term = b ? "T" : "F";
        break;
      }
    }
    const std::uint32_t hash = HashTerm(term);
    out->terms.push_back({f.id, 0, std::move(term), hash});
    ++out->Field(f.id, false).length;
    return Status::OK();
  }

  Status Value(const std::string& path, simdjson::dom::element v, int depth) {
    using T = simdjson::dom::element_type;
    if (depth > kMaxDepth) return ParseError("document is nested deeper than 64 levels");
    switch (v.type()) {
      case T::NULL_VALUE:
        return Status::OK();
      case T::OBJECT: {
        // A named copy: the range-for must not bind into the temporary simdjson_result.
        const simdjson::dom::object obj = v.get_object().value_unsafe();
        for (auto [key, child] : obj) {
          if (key.empty()) return ParseError("field name cannot be empty");
          STELA_RETURN_IF_ERROR(
              Value(path.empty() ? std::string(key) : path + "." + std::string(key), child,
                    depth + 1));
        }
        return Status::OK();
      }
      case T::ARRAY: {
        const simdjson::dom::array arr = v.get_array().value_unsafe();
        for (simdjson::dom::element e : arr) STELA_RETURN_IF_ERROR(Value(path, e, depth + 1));
        return Status::OK();
      }
      default:
        break;
    }
    JsonKind kind = JsonKind::kString;
    if (v.type() == T::STRING) {
      kind = LooksLikeDate(v.get_string().value_unsafe()) ? JsonKind::kDateString
                                                           : JsonKind::kString;
    } else if (v.type() == T::INT64 || v.type() == T::UINT64) {
      kind = JsonKind::kInteger;
    } else if (v.type() == T::DOUBLE) {
      kind = JsonKind::kFloat;
    } else if (v.type() == T::BOOL) {
      kind = JsonKind::kBoolean;
    }
    const FieldDef* f = resolve(path, kind);
    if (f == nullptr) return Status::OK();  // over the field limit: kept in _source only
    STELA_RETURN_IF_ERROR(AddScalar(*f, v));
    for (const FieldDef* m : multi(path)) STELA_RETURN_IF_ERROR(AddScalar(*m, v));
    return Status::OK();
  }
};

}  // namespace

Status DocumentParser::Parse(std::string_view source, const FieldResolver& resolve,
                             const MultiFieldLookup& multi, ParsedDocument* out) {
  out->terms.clear();
  out->doc_values.clear();
  out->fields.clear();
  simdjson::dom::element root;
  if (auto err = parser_->parse(source.data(), source.size(), true).get(root)) {
    return ParseError(std::string("failed to parse the document: ") + simdjson::error_message(err));
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return ParseError("the document must be a JSON object");
  }
  Walker w{resolve, multi, out, nullptr, {}};
  w.add_text = [this, &w](const FieldDef& f, std::string_view text, ParsedDocument* doc) {
    Status error;
    const analyzers::Analyzer* a = AnalyzerFor(f, &error);
    if (a == nullptr) return error;
    analyzers::TokenStream* stream = StreamFor(a, &error);
    if (stream == nullptr) return error;
    tokens_.clear();
    Status s = stream->Analyze(text, &tokens_);
    if (!s.ok()) return ParseError("field [" + f.path + "]: " + std::string(s.message()));
    std::uint32_t& base = w.next_position[f.id];
    std::uint32_t last = base;
    // The field length counts positions: tokens stacked on one position (a word and its stem)
    // count once, as Lucene's discountOverlaps does.
    std::uint32_t length = 0;
    doc->terms.reserve(doc->terms.size() + tokens_.size());
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      analyzers::Token& t = tokens_[i];
      const std::uint32_t hash = HashTerm(t.term);
      doc->terms.push_back({f.id, base + t.position, std::move(t.term), hash});  // tokens_: scratch
      last = base + t.position + 1;
      if (i == 0 || t.position != tokens_[i - 1].position) ++length;
    }
    base = last + kPositionIncrementGap;
    doc->Field(f.id, true).length += length;
    return Status::OK();
  };
  return w.Value("", root, 0);
}

namespace {

void MergeInto(simdjson::dom::object base, simdjson::dom::object patch, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (auto [key, value] : base) {
    simdjson::dom::element pv;
    const bool patched = !patch[key].get(pv);
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(key, out);
    out->push_back(':');
    if (patched && pv.type() == simdjson::dom::element_type::OBJECT &&
        value.type() == simdjson::dom::element_type::OBJECT) {
      MergeInto(value.get_object().value_unsafe(), pv.get_object().value_unsafe(), out);
    } else {
      out->append(simdjson::minify(patched ? pv : value));
    }
  }
  for (auto [key, value] : patch) {
    simdjson::dom::element bv;
    if (!base[key].get(bv)) continue;  // already written above
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(key, out);
    out->push_back(':');
    out->append(simdjson::minify(value));
  }
  out->push_back('}');
}

}  // namespace

Status DocumentParser::Merge(std::string_view source, std::string_view partial, std::string* out) {
  simdjson::dom::element base, patch;
  if (parser_->parse(source.data(), source.size(), true).get(base) ||
      base.type() != simdjson::dom::element_type::OBJECT) {
    return Status::Corruption("stored _source is not a JSON object");
  }
  if (parser2_->parse(partial.data(), partial.size(), true).get(patch) ||
      patch.type() != simdjson::dom::element_type::OBJECT) {
    return ParseError("the partial document must be a JSON object");
  }
  out->clear();
  MergeInto(base.get_object().value_unsafe(), patch.get_object().value_unsafe(), out);
  return Status::OK();
}

}  // namespace stela::engine::index
