#include "engine/search/aggs.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_set>

#include "engine/codec/doc_values.h"
#include "engine/common/json_escape.h"
#include "engine/search/date_math.h"
#include "engine/search/plan.h"

namespace stela::engine::search {

namespace {

using index::FieldDef;
using index::FieldType;

void AppendDouble(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, p);
}

// Java's Double.toString for the keys of range buckets ("100.0", "1.5").
std::string JavaDouble(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e7) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::uint64_t HashBytes(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return Mix(h);
}

}  // namespace

struct AggContext {
  const internal::SnapshotReader* reader;
  const SearchLimits* limits;
  std::size_t segment = 0;
  std::uint64_t buckets = 0;  // rendered so far, against max_buckets
};

namespace {

using Context = AggContext;

Status TooManyBuckets(const Context& ctx, std::uint64_t n) {
  return Status::ResourceExhausted(
      "too_many_buckets_exception: Trying to create too many buckets. Must be less than or "
      "equal to: [" +
      std::to_string(ctx.limits->max_buckets) + "] but was [" + std::to_string(n) +
      "]. This limit can be set by changing the [search.max_buckets] cluster level setting.");
}

}  // namespace

class AggNode {
 public:
  explicit AggNode(const Aggregation& def, Context* ctx) : def_(def), ctx_(ctx) {}
  virtual ~AggNode() = default;
  virtual Status SetSegment(std::size_t seg) = 0;
  virtual Status Collect(std::uint32_t doc) = 0;
  // Appends the aggregation's JSON object.
  virtual Status Render(std::string* out) = 0;
  const std::string& name() const { return def_.name; }

 protected:
  const Aggregation& def_;
  Context* ctx_;
};

namespace {

StatusOr<std::unique_ptr<AggNode>> CreateNode(const Aggregation& def, Context* ctx);

// The sub-aggregations of one bucket.
struct Bucket {
  std::uint64_t doc_count = 0;
  std::vector<std::unique_ptr<AggNode>> subs;
};

Status NewBucket(const Aggregation& def, Context* ctx, Bucket* b) {
  for (const auto& sub : def.subs) {
    STELA_ASSIGN_OR_RETURN(auto node, CreateNode(*sub, ctx));
    STELA_RETURN_IF_ERROR(node->SetSegment(ctx->segment));
    b->subs.push_back(std::move(node));
  }
  return Status::OK();
}

Status CollectBucket(Bucket* b, std::uint32_t doc) {
  ++b->doc_count;
  for (auto& s : b->subs) STELA_RETURN_IF_ERROR(s->Collect(doc));
  return Status::OK();
}

Status SetBucketSegment(Bucket* b, std::size_t seg) {
  for (auto& s : b->subs) STELA_RETURN_IF_ERROR(s->SetSegment(seg));
  return Status::OK();
}

// Appends "doc_count": n and the sub-aggregations (the tail of a bucket object).
Status RenderBucketBody(Bucket* b, std::string* out) {
  out->append("\"doc_count\":");
  out->append(std::to_string(b->doc_count));
  for (auto& s : b->subs) {
    out->push_back(',');
    AppendJsonString(s->name(), out);
    out->push_back(':');
    STELA_RETURN_IF_ERROR(s->Render(out));
  }
  return Status::OK();
}

// Resolves the field of a doc-values aggregation.
StatusOr<const FieldDef*> AggField(const Aggregation& def, Context* ctx) {
  const FieldDef* f = ctx->reader->mappings().Find(def.field);
  if (f != nullptr && f->type == FieldType::kText) {
    return Status::InvalidArgument(
        "illegal_argument_exception: Text fields are not optimised for operations that require "
        "per-document field data like aggregations and sorting, so these operations are "
        "disabled by default. Please use a keyword field instead. Alternatively, set "
        "fielddata=true on [" +
        def.field + "] in order to load field data by uninverting the inverted index.");
  }
  return f;  // null: unmapped, the aggregation sees no values
}

// Reads one field's doc values in the current segment.
class ValuesSource {
 public:
  explicit ValuesSource(const FieldDef* f) : f_(f) {}
  Status SetSegment(const Context& ctx, std::size_t seg) {
    column_.reset();
    if (f_ == nullptr) return Status::OK();
    STELA_ASSIGN_OR_RETURN(column_, ctx.reader->segments()[seg]->DocValues(f_->id));
    return Status::OK();
  }
  const FieldDef* field() const { return f_; }
  bool is_double() const {
    return f_ != nullptr && (f_->type == FieldType::kDouble || f_->type == FieldType::kFloat);
  }
  bool is_keyword() const { return f_ != nullptr && f_->type == FieldType::kKeyword; }
  const codec::DocValuesColumn* column() const { return column_.get(); }
  std::uint32_t count(std::uint32_t doc) const {
    return column_ == nullptr || doc >= column_->max_doc() ? 0 : column_->count(doc);
  }
  // Numeric values as doubles.
  template <typename Fn>
  void ForEachNumber(std::uint32_t doc, Fn fn) const {
    if (count(doc) == 0 || column_->kind() != codec::DocValuesKind::kNumeric) return;
    for (std::int64_t v : column_->numbers(doc)) {
      fn(is_double() ? codec::DoubleFromSortableBits(v) : static_cast<double>(v));
    }
  }

 private:
  const FieldDef* f_;
  std::shared_ptr<const codec::DocValuesColumn> column_;
};

// min, max, sum, avg, stats, value_count.
class MetricNode final : public AggNode {
 public:
  MetricNode(const Aggregation& def, Context* ctx, const FieldDef* f)
      : AggNode(def, ctx), values_(f) {}
  Status SetSegment(std::size_t seg) override { return values_.SetSegment(*ctx_, seg); }
  Status Collect(std::uint32_t doc) override {
    bool any = false;
    if (def_.kind == Aggregation::Kind::kValueCount && values_.is_keyword()) {
      count_ += values_.count(doc);
      return Status::OK();
    }
    values_.ForEachNumber(doc, [&](double v) {
      Add(v);
      any = true;
    });
    if (!any && def_.missing) Add(*def_.missing);
    return Status::OK();
  }
  Status Render(std::string* out) override {
    const bool date = values_.field() != nullptr && values_.field()->type == FieldType::kDate;
    auto value = [&](double v, bool defined) {
      std::string s;
      if (defined) AppendDouble(v, &s); else s = "null";
      return s;
    };
    switch (def_.kind) {
      case Aggregation::Kind::kMin:
      case Aggregation::Kind::kMax: {
        const double v = def_.kind == Aggregation::Kind::kMin ? min_ : max_;
        out->append("{\"value\":" + value(v, count_ > 0));
        if (date && count_ > 0) {
          out->append(",\"value_as_string\":");
          AppendJsonString(FormatDateMillis(static_cast<std::int64_t>(v)), out);
        }
        out->push_back('}');
        return Status::OK();
      }
      case Aggregation::Kind::kSum:
        out->append("{\"value\":" + value(sum_, true) + "}");
        return Status::OK();
      case Aggregation::Kind::kAvg:
        out->append("{\"value\":" + value(count_ ? sum_ / static_cast<double>(count_) : 0,
                                            count_ > 0) + "}");
        return Status::OK();
      case Aggregation::Kind::kValueCount:
        out->append("{\"value\":" + std::to_string(count_) + "}");
        return Status::OK();
      default:
        out->append("{\"count\":" + std::to_string(count_) + ",\"min\":" + value(min_, count_ > 0) +
                    ",\"max\":" + value(max_, count_ > 0) + ",\"avg\":" +
                    value(count_ ? sum_ / static_cast<double>(count_) : 0, count_ > 0) +
                    ",\"sum\":" + value(sum_, true) + "}");
        return Status::OK();
    }
  }

 private:
  void Add(double v) {
    ++count_;
    sum_ += v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  ValuesSource values_;
  std::uint64_t count_ = 0;
  double sum_ = 0, min_ = INFINITY, max_ = -INFINITY;
};

// Distinct values: exact up to precision_threshold, then HyperLogLog (2^14 registers).
class CardinalityNode final : public AggNode {
 public:
  CardinalityNode(const Aggregation& def, Context* ctx, const FieldDef* f)
      : AggNode(def, ctx), values_(f) {}
  Status SetSegment(std::size_t seg) override {
    STELA_RETURN_IF_ERROR(values_.SetSegment(*ctx_, seg));
    ord_hash_.clear();
    return Status::OK();
  }
  Status Collect(std::uint32_t doc) override {
    const codec::DocValuesColumn* c = values_.column();
    if (values_.count(doc) == 0) return Status::OK();
    if (c->kind() == codec::DocValuesKind::kKeyword) {
      if (ord_hash_.empty()) ord_hash_.assign(c->terms().size(), 0);
      for (std::uint32_t o : c->ordinals(doc)) {
        if (ord_hash_[o] == 0) ord_hash_[o] = HashBytes(c->terms()[o]) | 1;
        Add(ord_hash_[o]);
      }
    } else {
      for (std::int64_t v : c->numbers(doc)) Add(Mix(static_cast<std::uint64_t>(v)));
    }
    return Status::OK();
  }
  Status Render(std::string* out) override {
    std::uint64_t n = exact_.size();
    if (!registers_.empty()) {
      double sum = 0;
      std::size_t zeros = 0;
      for (std::uint8_t r : registers_) {
        sum += std::ldexp(1.0, -r);
        zeros += r == 0 ? 1 : 0;
      }
      const double m = static_cast<double>(registers_.size());
      double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
      if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
      n = static_cast<std::uint64_t>(std::llround(e));
    }
    out->append("{\"value\":" + std::to_string(n) + "}");
    return Status::OK();
  }

 private:
  static constexpr int kP = 14;
  void Add(std::uint64_t h) {
    if (registers_.empty()) {
      exact_.insert(h);
      if (exact_.size() <= std::max<std::uint32_t>(def_.precision_threshold, 1)) return;
      registers_.assign(std::size_t{1} << kP, 0);
      for (std::uint64_t x : exact_) AddHll(x);
      exact_.clear();
      return;
    }
    AddHll(h);
  }
  void AddHll(std::uint64_t h) {
    const std::size_t idx = h >> (64 - kP);
    const std::uint64_t rest = h << kP;
    const auto rank = static_cast<std::uint8_t>(rest == 0 ? 64 - kP + 1 : std::countl_zero(rest) + 1);
    registers_[idx] = std::max(registers_[idx], rank);
  }
  ValuesSource values_;
  std::vector<std::uint64_t> ord_hash_;
  std::unordered_set<std::uint64_t> exact_;
  std::vector<std::uint8_t> registers_;
};

class TermsNode final : public AggNode {
 public:
  TermsNode(const Aggregation& def, Context* ctx, const FieldDef* f)
      : AggNode(def, ctx), values_(f) {}
  Status SetSegment(std::size_t seg) override {
    STELA_RETURN_IF_ERROR(values_.SetSegment(*ctx_, seg));
    by_ord_.clear();
    for (auto& [k, b] : strings_) STELA_RETURN_IF_ERROR(SetBucketSegment(&b, seg));
    for (auto& [k, b] : numbers_) STELA_RETURN_IF_ERROR(SetBucketSegment(&b, seg));
    return Status::OK();
  }
  Status Collect(std::uint32_t doc) override {
    const codec::DocValuesColumn* c = values_.column();
    if (values_.count(doc) == 0) return Status::OK();
    if (c->kind() == codec::DocValuesKind::kKeyword) {
      if (by_ord_.empty()) by_ord_.assign(c->terms().size(), nullptr);
      std::uint32_t last = UINT32_MAX;
      for (std::uint32_t o : c->ordinals(doc)) {
        if (o == last) continue;  // a doc counts once per term
        last = o;
        Bucket*& b = by_ord_[o];
        if (b == nullptr) {
          auto [it, inserted] = strings_.try_emplace(c->terms()[o]);
          if (inserted) STELA_RETURN_IF_ERROR(NewBucket(def_, ctx_, &it->second));
          b = &it->second;
        }
        STELA_RETURN_IF_ERROR(CollectBucket(b, doc));
      }
      return Status::OK();
    }
    bool first = true;
    std::int64_t last = 0;
    for (std::int64_t v : c->numbers(doc)) {
      if (!first && v == last) continue;
      first = false;
      last = v;
      auto [it, inserted] = numbers_.try_emplace(v);
      if (inserted) STELA_RETURN_IF_ERROR(NewBucket(def_, ctx_, &it->second));
      STELA_RETURN_IF_ERROR(CollectBucket(&it->second, doc));
    }
    return Status::OK();
  }
  Status Render(std::string* out) override {
    struct Entry {
      Bucket* b;
      const std::string* s;
      std::int64_t n;
    };
    std::vector<Entry> entries;
    for (auto& [k, b] : strings_) {
      if (b.doc_count >= def_.min_doc_count) entries.push_back({&b, &k, 0});
    }
    for (auto& [k, b] : numbers_) {
      if (b.doc_count >= def_.min_doc_count) entries.push_back({&b, nullptr, k});
    }
    const bool dbl = values_.is_double();
    auto key_less = [&](const Entry& a, const Entry& b) {
      if (a.s != nullptr) return *a.s < *b.s;
      if (dbl) return codec::DoubleFromSortableBits(a.n) < codec::DoubleFromSortableBits(b.n);
      return a.n < b.n;
    };
    std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
      if (def_.order_by_key) return def_.order_ascending ? key_less(a, b) : key_less(b, a);
      if (a.b->doc_count != b.b->doc_count) {
        return def_.order_ascending ? a.b->doc_count < b.b->doc_count
                                    : a.b->doc_count > b.b->doc_count;
      }
      return key_less(a, b);
    });
    std::uint64_t other = 0;
    for (std::size_t i = def_.size; i < entries.size(); ++i) other += entries[i].b->doc_count;
    if (entries.size() > def_.size) entries.resize(def_.size);
    ctx_->buckets += entries.size();
    if (ctx_->buckets > ctx_->limits->max_buckets) return TooManyBuckets(*ctx_, ctx_->buckets);
    out->append("{\"doc_count_error_upper_bound\":0,\"sum_other_doc_count\":" +
                std::to_string(other) + ",\"buckets\":[");
    const FieldDef* f = values_.field();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append("{\"key\":");
      const Entry& e = entries[i];
      if (e.s != nullptr) {
        AppendJsonString(*e.s, out);
      } else if (dbl) {
        AppendDouble(codec::DoubleFromSortableBits(e.n), out);
      } else {
        out->append(std::to_string(e.n));
        if (f->type == FieldType::kDate) {
          out->append(",\"key_as_string\":");
          AppendJsonString(FormatDateMillis(e.n), out);
        } else if (f->type == FieldType::kBoolean) {
          out->append(e.n ? ",\"key_as_string\":\"true\"" : ",\"key_as_string\":\"false\"");
        }
      }
      out->push_back(',');
      STELA_RETURN_IF_ERROR(RenderBucketBody(e.b, out));
      out->push_back('}');
    }
    out->append("]}");
    return Status::OK();
  }

 private:
  ValuesSource values_;
  std::map<std::string, Bucket> strings_;
  std::map<std::int64_t, Bucket> numbers_;
  std::vector<Bucket*> by_ord_;
};

// range and date_range: [from, to) per range; a doc counts once per range it has a value in.
class RangeNode final : public AggNode {
 public:
  RangeNode(const Aggregation& def, Context* ctx, const FieldDef* f)
      : AggNode(def, ctx), values_(f), buckets_(def.ranges.size()) {}
  Status Init() {
    for (Bucket& b : buckets_) STELA_RETURN_IF_ERROR(NewBucket(def_, ctx_, &b));
    return Status::OK();
  }
  Status SetSegment(std::size_t seg) override {
    STELA_RETURN_IF_ERROR(values_.SetSegment(*ctx_, seg));
    for (Bucket& b : buckets_) STELA_RETURN_IF_ERROR(SetBucketSegment(&b, seg));
    return Status::OK();
  }
  Status Collect(std::uint32_t doc) override {
    for (std::size_t r = 0; r < def_.ranges.size(); ++r) {
      const auto& range = def_.ranges[r];
      bool hit = false;
      values_.ForEachNumber(doc, [&](double v) {
        if ((!range.from || v >= *range.from) && (!range.to || v < *range.to)) hit = true;
      });
      if (hit) STELA_RETURN_IF_ERROR(CollectBucket(&buckets_[r], doc));
    }
    return Status::OK();
  }
  Status Render(std::string* out) override {
    ctx_->buckets += buckets_.size();
    if (ctx_->buckets > ctx_->limits->max_buckets) return TooManyBuckets(*ctx_, ctx_->buckets);
    const bool date = def_.kind == Aggregation::Kind::kDateRange;
    out->append(def_.keyed ? "{\"buckets\":{" : "{\"buckets\":[");
    for (std::size_t r = 0; r < buckets_.size(); ++r) {
      const auto& range = def_.ranges[r];
      auto text = [&](std::optional<double> v) {
        if (!v) return std::string("*");
        return date ? FormatDateMillis(static_cast<std::int64_t>(*v)) : JavaDouble(*v);
      };
      const std::string key = range.key.empty() ? text(range.from) + "-" + text(range.to)
                                                : range.key;
      if (r > 0) out->push_back(',');
      if (def_.keyed) {
        AppendJsonString(key, out);
        out->append(":{");
      } else {
        out->append("{\"key\":");
        AppendJsonString(key, out);
        out->push_back(',');
      }
      if (range.from) {
        out->append("\"from\":");
        AppendDouble(*range.from, out);
        out->push_back(',');
        if (date) {
          out->append("\"from_as_string\":");
          AppendJsonString(FormatDateMillis(static_cast<std::int64_t>(*range.from)), out);
          out->push_back(',');
        }
      }
      if (range.to) {
        out->append("\"to\":");
        AppendDouble(*range.to, out);
        out->push_back(',');
        if (date) {
          out->append("\"to_as_string\":");
          AppendJsonString(FormatDateMillis(static_cast<std::int64_t>(*range.to)), out);
          out->push_back(',');
        }
      }
      STELA_RETURN_IF_ERROR(RenderBucketBody(&buckets_[r], out));
      out->push_back('}');
    }
    out->append(def_.keyed ? "}}" : "]}");
    return Status::OK();
  }

 private:
  ValuesSource values_;
  std::vector<Bucket> buckets_;
};

// histogram and date_histogram; empty buckets between the first and last are filled
// (min_doc_count 0, Elasticsearch's default).
class HistogramNode final : public AggNode {
 public:
  HistogramNode(const Aggregation& def, Context* ctx, const FieldDef* f)
      : AggNode(def, ctx), values_(f) {}
  Status SetSegment(std::size_t seg) override {
    STELA_RETURN_IF_ERROR(values_.SetSegment(*ctx_, seg));
    for (auto& [k, b] : buckets_) STELA_RETURN_IF_ERROR(SetBucketSegment(&b, seg));
    return Status::OK();
  }
  Status Collect(std::uint32_t doc) override {
    Status st;
    double last = NAN;
    values_.ForEachNumber(doc, [&](double v) {
      if (!st.ok()) return;
      auto key = KeyOf(v);
      if (!key.ok()) {
        st = key.status();
        return;
      }
      if (*key == last) return;
      last = *key;
      auto [it, inserted] = buckets_.try_emplace(*key);
      if (inserted) st = NewBucket(def_, ctx_, &it->second);
      if (st.ok()) st = CollectBucket(&it->second, doc);
    });
    return st;
  }
  Status Render(std::string* out) override {
    const bool date = def_.kind == Aggregation::Kind::kDateHistogram;
    std::vector<double> keys;
    if (def_.min_doc_count == 0) {
      std::optional<double> lo, hi;
      if (!buckets_.empty()) {
        lo = buckets_.begin()->first;
        hi = buckets_.rbegin()->first;
      }
      if (def_.extended_min) {
        STELA_ASSIGN_OR_RETURN(double k, KeyOf(*def_.extended_min));
        lo = lo ? std::min(*lo, k) : k;
      }
      if (def_.extended_max) {
        STELA_ASSIGN_OR_RETURN(double k, KeyOf(*def_.extended_max));
        hi = hi ? std::max(*hi, k) : k;
      }
      if (lo && hi) {
        for (double k = *lo; k <= *hi;) {
          keys.push_back(k);
          if (ctx_->buckets + keys.size() > ctx_->limits->max_buckets) {
            return TooManyBuckets(*ctx_, ctx_->buckets + keys.size());
          }
          STELA_ASSIGN_OR_RETURN(double next, NextKey(k));
          if (next <= k) break;
          k = next;
        }
      }
    } else {
      for (auto& [k, b] : buckets_) {
        if (b.doc_count >= def_.min_doc_count) keys.push_back(k);
      }
    }
    ctx_->buckets += keys.size();
    if (ctx_->buckets > ctx_->limits->max_buckets) return TooManyBuckets(*ctx_, ctx_->buckets);
    out->append(def_.keyed ? "{\"buckets\":{" : "{\"buckets\":[");
    Bucket empty;
    STELA_RETURN_IF_ERROR(NewBucket(def_, ctx_, &empty));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) out->push_back(',');
      std::string key_text;
      if (date) {
        key_text = FormatDateMillis(static_cast<std::int64_t>(keys[i]));
      } else {
        AppendDouble(keys[i], &key_text);
      }
      if (def_.keyed) {
        AppendJsonString(key_text, out);
        out->append(":{");
      } else {
        out->push_back('{');
      }
      out->append("\"key\":");
      if (date) {
        out->append(std::to_string(static_cast<std::int64_t>(keys[i])));
        out->append(",\"key_as_string\":");
        AppendJsonString(key_text, out);
      } else {
        AppendDouble(keys[i], out);
      }
      out->push_back(',');
      auto it = buckets_.find(keys[i]);
      STELA_RETURN_IF_ERROR(RenderBucketBody(it != buckets_.end() ? &it->second : &empty, out));
      out->push_back('}');
    }
    out->append(def_.keyed ? "}}" : "]}");
    return Status::OK();
  }

 private:
  static char CalendarUnit(const std::string& s) {
    if (s == "minute" || s == "1m" || s == "m") return 'm';
    if (s == "hour" || s == "1h" || s == "h") return 'h';
    if (s == "day" || s == "1d" || s == "d") return 'd';
    if (s == "week" || s == "1w" || s == "w") return 'w';
    if (s == "month" || s == "1M" || s == "M") return 'M';
    if (s == "quarter" || s == "1q" || s == "q") return 'q';
    if (s == "year" || s == "1y" || s == "y") return 'y';
    if (s == "second" || s == "1s" || s == "s") return 's';
    return 0;
  }
  StatusOr<double> KeyOf(double v) const {
    if (!def_.calendar_interval.empty()) {
      STELA_ASSIGN_OR_RETURN(std::int64_t k, RoundDownToUnit(static_cast<std::int64_t>(v),
                                                             CalendarUnit(def_.calendar_interval)));
      return static_cast<double>(k);
    }
    return std::floor((v - def_.offset) / def_.interval) * def_.interval + def_.offset;
  }
  StatusOr<double> NextKey(double k) const {
    if (!def_.calendar_interval.empty()) {
      STELA_ASSIGN_OR_RETURN(std::int64_t n, AddUnits(static_cast<std::int64_t>(k), 1,
                                                      CalendarUnit(def_.calendar_interval)));
      return static_cast<double>(n);
    }
    return k + def_.interval;
  }

  ValuesSource values_;
  std::map<double, Bucket> buckets_;
};

// filter (a query) and missing (docs without a value).
class SingleBucketNode final : public AggNode {
 public:
  SingleBucketNode(const Aggregation& def, Context* ctx, const FieldDef* f)
      : AggNode(def, ctx), values_(f) {}
  Status Init() {
    if (def_.kind == Aggregation::Kind::kFilter) {
      STELA_ASSIGN_OR_RETURN(plan_, Rewrite(*ctx_->reader, def_.filter.get(), *ctx_->limits,
                                            nullptr));
    }
    return NewBucket(def_, ctx_, &bucket_);
  }
  Status SetSegment(std::size_t seg) override {
    STELA_RETURN_IF_ERROR(values_.SetSegment(*ctx_, seg));
    if (plan_) {
      STELA_ASSIGN_OR_RETURN(scorer_, BuildScorer(*ctx_->reader, *plan_, seg));
    }
    return SetBucketSegment(&bucket_, seg);
  }
  Status Collect(std::uint32_t doc) override {
    if (def_.kind == Aggregation::Kind::kFilter) {
      if (scorer_ == nullptr || scorer_->Advance(doc) != doc) return Status::OK();
    } else if (values_.count(doc) > 0) {
      return Status::OK();
    }
    return CollectBucket(&bucket_, doc);
  }
  Status Render(std::string* out) override {
    out->push_back('{');
    STELA_RETURN_IF_ERROR(RenderBucketBody(&bucket_, out));
    out->push_back('}');
    return Status::OK();
  }

 private:
  ValuesSource values_;
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<Scorer> scorer_;
  Bucket bucket_;
};

StatusOr<std::unique_ptr<AggNode>> CreateNode(const Aggregation& def, Context* ctx) {
  using K = Aggregation::Kind;
  const FieldDef* f = nullptr;
  if (def.kind != K::kFilter) {
    STELA_ASSIGN_OR_RETURN(f, AggField(def, ctx));
  }
  switch (def.kind) {
    case K::kTerms:
      return std::unique_ptr<AggNode>(std::make_unique<TermsNode>(def, ctx, f));
    case K::kRange:
    case K::kDateRange: {
      auto n = std::make_unique<RangeNode>(def, ctx, f);
      STELA_RETURN_IF_ERROR(n->Init());
      return std::unique_ptr<AggNode>(std::move(n));
    }
    case K::kHistogram:
    case K::kDateHistogram:
      return std::unique_ptr<AggNode>(std::make_unique<HistogramNode>(def, ctx, f));
    case K::kMin:
    case K::kMax:
    case K::kSum:
    case K::kAvg:
    case K::kStats:
    case K::kValueCount:
      return std::unique_ptr<AggNode>(std::make_unique<MetricNode>(def, ctx, f));
    case K::kCardinality:
      return std::unique_ptr<AggNode>(std::make_unique<CardinalityNode>(def, ctx, f));
    case K::kFilter:
    case K::kMissing: {
      auto n = std::make_unique<SingleBucketNode>(def, ctx, f);
      STELA_RETURN_IF_ERROR(n->Init());
      return std::unique_ptr<AggNode>(std::move(n));
    }
  }
  return Status::Internal("unknown aggregation kind");
}

}  // namespace

AggsCollector::~AggsCollector() = default;

StatusOr<std::unique_ptr<AggsCollector>> AggsCollector::Create(
    const internal::SnapshotReader& reader, const std::vector<std::unique_ptr<Aggregation>>& aggs,
    const SearchLimits& limits) {
  std::unique_ptr<AggsCollector> c(new AggsCollector());
  c->ctx_ = std::make_unique<Context>();
  c->ctx_->reader = &reader;
  c->ctx_->limits = &limits;
  for (const auto& a : aggs) {
    STELA_ASSIGN_OR_RETURN(auto node, CreateNode(*a, c->ctx_.get()));
    c->roots_.push_back(std::move(node));
  }
  return c;
}

Status AggsCollector::SetSegment(std::size_t seg) {
  ctx_->segment = seg;
  for (auto& r : roots_) STELA_RETURN_IF_ERROR(r->SetSegment(seg));
  return Status::OK();
}

Status AggsCollector::Collect(std::uint32_t doc) {
  for (auto& r : roots_) STELA_RETURN_IF_ERROR(r->Collect(doc));
  return Status::OK();
}

StatusOr<std::string> AggsCollector::Render() {
  std::string out = "{";
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(roots_[i]->name(), &out);
    out.push_back(':');
    STELA_RETURN_IF_ERROR(roots_[i]->Render(&out));
  }
  out.push_back('}');
  return out;
}

}  // namespace stela::engine::search
