// Lucene query syntax (query_string, simple_query_string and the URI `q=`) -> Query:
// terms, "phrases"~slop, field:value, field:(a b), + - NOT AND OR && || !, grouping,
// prefix*, wild?card, fuzzy~N, ranges [a TO b] {a TO b} and >, >=, <, <=, _exists_:field, ^boost.
#include <charconv>
#include <cctype>
#include <functional>

#include "stela/engine/search.h"

namespace stela::engine {

namespace {

Status QsError(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("query_shard_exception: Failed to parse query [" +
                                 std::string(text) + "]: " + why);
}

enum class Occur { kDefault, kMust, kShould, kMustNot };

class QsParser {
 public:
  QsParser(std::string_view text, const std::vector<std::string>& fields, Query::Operator op,
           const SearchLimits& limits)
      : s_(text), fields_(fields), op_(op), limits_(limits) {}

  StatusOr<std::unique_ptr<Query>> Parse() {
    STELA_ASSIGN_OR_RETURN(auto q, Expression(0, {}));
    SkipSpace();
    if (pos_ < s_.size()) return QsError(s_, "unexpected [" + std::string(1, s_[pos_]) + "]");
    if (q == nullptr) {
      auto none = std::make_unique<Query>();
      none->kind = Query::Kind::kMatchNone;
      return none;
    }
    return q;
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool AtWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    const std::size_t end = pos_ + w.size();
    return end >= s_.size() || std::isspace(static_cast<unsigned char>(s_[end])) || s_[end] == '(';
  }
  static bool IsSpecial(char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '"' ||
           c == ':' || c == '^' || c == '~' || c == '[' || c == ']' || c == '{' || c == '}';
  }

  // A bare word (escapes resolved); `raw` keeps escapes for wildcard patterns.
  std::string Word(std::string* raw) {
    std::string out;
    while (pos_ < s_.size() && !IsSpecial(s_[pos_])) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
        raw->push_back('\\');
        raw->push_back(s_[pos_ + 1]);
        out.push_back(s_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      raw->push_back(s_[pos_]);
      out.push_back(s_[pos_++]);
    }
    return out;
  }

  StatusOr<std::unique_ptr<Query>> Expression(std::uint32_t depth,
                                              const std::vector<std::string>& fields) {
    if (depth > limits_.max_depth) return QsError(s_, "too deeply nested");
    std::vector<std::pair<Occur, std::unique_ptr<Query>>> clauses;
    Occur pending_connector = Occur::kDefault;
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] == ')') break;
      if (AtWord("AND") || s_.substr(pos_, 2) == "&&") {
        pos_ += s_[pos_] == '&' ? 2 : 3;
        if (!clauses.empty() && clauses.back().first == Occur::kDefault) {
          clauses.back().first = Occur::kMust;
        }
        pending_connector = Occur::kMust;
        continue;
      }
      if (AtWord("OR") || s_.substr(pos_, 2) == "||") {
        pos_ += 2;
        if (!clauses.empty() && clauses.back().first == Occur::kDefault) {
          clauses.back().first = Occur::kShould;
        }
        pending_connector = Occur::kShould;
        continue;
      }
      Occur occur = Occur::kDefault;
      if (s_[pos_] == '+') {
        occur = Occur::kMust;
        ++pos_;
      } else if (s_[pos_] == '-' || s_[pos_] == '!') {
        occur = Occur::kMustNot;
        ++pos_;
      } else if (AtWord("NOT")) {
        occur = Occur::kMustNot;
        pos_ += 3;
      }
      if (occur == Occur::kDefault) occur = pending_connector;
      pending_connector = Occur::kDefault;
      STELA_ASSIGN_OR_RETURN(auto q, Clause(depth, fields));
      if (q == nullptr) continue;
      clauses.emplace_back(occur, std::move(q));
      if (clauses.size() > limits_.max_clause_count) {
        return Status::ResourceExhausted(
            "too_many_nested_clauses: Query contains too many nested clauses; maxClauseCount is "
            "set to " + std::to_string(limits_.max_clause_count));
      }
    }
    if (clauses.empty()) return std::unique_ptr<Query>();
    if (clauses.size() == 1 && clauses[0].first != Occur::kMustNot) {
      return std::move(clauses[0].second);
    }
    auto b = std::make_unique<Query>();
    b->kind = Query::Kind::kBool;
    for (auto& [occur, q] : clauses) {
      Occur o = occur;
      if (o == Occur::kDefault) o = op_ == Query::Operator::kAnd ? Occur::kMust : Occur::kShould;
      switch (o) {
        case Occur::kMust: b->must.push_back(std::move(q)); break;
        case Occur::kMustNot: b->must_not.push_back(std::move(q)); break;
        default: b->should.push_back(std::move(q)); break;
      }
    }
    return b;
  }

  std::unique_ptr<Query> OverFields(const std::vector<std::string>& fields,
                                    const std::function<std::unique_ptr<Query>(const std::string&)>& one) {
    const std::vector<std::string>& fs = fields.empty() ? fields_ : fields;
    if (fs.size() == 1 && fs[0].find('*') == std::string::npos) return one(fs[0]);
    auto d = std::make_unique<Query>();
    d->kind = Query::Kind::kDisMax;
    for (const std::string& f : fs.empty() ? std::vector<std::string>{"*"} : fs) {
      d->should.push_back(one(f));
    }
    return d;
  }

  std::unique_ptr<Query> TextQuery(const std::vector<std::string>& fields, const std::string& text,
                                   bool phrase, std::uint32_t slop, const std::string& fuzziness) {
    const std::vector<std::string>& fs = fields.empty() ? fields_ : fields;
    auto q = std::make_unique<Query>();
    q->value.text = text;
    q->slop = slop;
    q->fuzziness = fuzziness;
    q->op = Query::Operator::kOr;
    if (fs.size() == 1 && fs[0].find('*') == std::string::npos) {
      q->kind = phrase ? Query::Kind::kMatchPhrase : Query::Kind::kMatch;
      q->field = fs[0];
      return q;
    }
    q->kind = Query::Kind::kMultiMatch;
    q->multi_match_type =
        phrase ? Query::MultiMatchType::kPhrase : Query::MultiMatchType::kBestFields;
    q->fields = fs;
    return q;
  }

  StatusOr<std::uint32_t> Count() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    std::uint32_t n = 0;
    if (pos_ == start) return n;
    auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + pos_, n);
    if (ec != std::errc()) return QsError(s_, "bad number");
    return n;
  }

  Status Boost(Query* q) {
    if (pos_ < s_.size() && s_[pos_] == '^') {
      ++pos_;
      std::size_t start = pos_;
      while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
      float b = 1;
      auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + pos_, b);
      if (ec != std::errc()) return QsError(s_, "bad boost");
      q->boost *= b;
    }
    return Status::OK();
  }

  StatusOr<std::unique_ptr<Query>> Clause(std::uint32_t depth,
                                          const std::vector<std::string>& fields) {
    SkipSpace();
    if (pos_ >= s_.size()) return std::unique_ptr<Query>();
    if (s_[pos_] == '(') {
      ++pos_;
      STELA_ASSIGN_OR_RETURN(auto q, Expression(depth + 1, fields));
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ')') return QsError(s_, "missing )");
      ++pos_;
      if (q != nullptr) STELA_RETURN_IF_ERROR(Boost(q.get()));
      return q;
    }
    if (s_[pos_] == '"') {
      const std::size_t end = s_.find('"', pos_ + 1);
      if (end == std::string_view::npos) return QsError(s_, "unterminated phrase");
      const std::string text(s_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      std::uint32_t slop = 0;
      if (pos_ < s_.size() && s_[pos_] == '~') {
        ++pos_;
        STELA_ASSIGN_OR_RETURN(slop, Count());
      }
      auto q = TextQuery(fields, text, true, slop, "");
      STELA_RETURN_IF_ERROR(Boost(q.get()));
      return q;
    }
    if (s_[pos_] == '[' || s_[pos_] == '{') return QsError(s_, "a range needs a field");
    std::string raw;
    std::string word = Word(&raw);
    if (pos_ < s_.size() && s_[pos_] == ':' && !word.empty()) {
      ++pos_;
      if (word == "_exists_") {
        std::string r2;
        std::string field = Word(&r2);
        auto q = std::make_unique<Query>();
        q->kind = Query::Kind::kExists;
        q->field = field;
        return q;
      }
      std::vector<std::string> inner = {word};
      SkipSpace();
      if (pos_ < s_.size() && (s_[pos_] == '[' || s_[pos_] == '{')) return Range(word);
      if (pos_ < s_.size() && s_[pos_] == '>' ) return Comparison(word);
      if (pos_ < s_.size() && s_[pos_] == '<') return Comparison(word);
      return Clause(depth + 1, inner);
    }
    if (word.empty()) {
      if (pos_ < s_.size()) ++pos_;  // a stray special character
      return std::unique_ptr<Query>();
    }
    std::string fuzziness;
    if (pos_ < s_.size() && s_[pos_] == '~') {
      ++pos_;
      STELA_ASSIGN_OR_RETURN(std::uint32_t n, Count());
      fuzziness = pos_ > 0 && std::isdigit(static_cast<unsigned char>(s_[pos_ - 1])) ? std::to_string(n) : "AUTO";
    }
    std::unique_ptr<Query> q;
    const bool has_wild = raw.find_first_of("*?") != std::string::npos;
    if (has_wild && word != "*") {
      const bool prefix_only = raw.back() == '*' && raw.find_first_of("*?") == raw.size() - 1;
      q = OverFields(fields, [&](const std::string& f) {
        auto p = std::make_unique<Query>();
        p->kind = prefix_only ? Query::Kind::kPrefix : Query::Kind::kWildcard;
        p->field = f;
        p->value.text = prefix_only ? word.substr(0, word.size() - 1) : raw;
        return p;
      });
    } else if (word == "*") {
      q = std::make_unique<Query>();
      q->kind = Query::Kind::kMatchAll;
    } else {
      q = TextQuery(fields, word, false, 0, fuzziness);
    }
    STELA_RETURN_IF_ERROR(Boost(q.get()));
    return q;
  }

  StatusOr<std::unique_ptr<Query>> Range(const std::string& field) {
    const bool lo_inc = s_[pos_] == '[';
    ++pos_;
    SkipSpace();
    std::string r1, r2;
    std::string lo = Word(&r1);
    SkipSpace();
    if (!AtWord("TO")) return QsError(s_, "range without TO");
    pos_ += 2;
    SkipSpace();
    std::string hi = Word(&r2);
    SkipSpace();
    if (pos_ >= s_.size() || (s_[pos_] != ']' && s_[pos_] != '}')) return QsError(s_, "unterminated range");
    const bool hi_inc = s_[pos_] == ']';
    ++pos_;
    auto q = std::make_unique<Query>();
    q->kind = Query::Kind::kRange;
    q->field = field;
    if (lo != "*") (lo_inc ? q->gte : q->gt) = QueryValue{QueryValue::Kind::kString, lo};
    if (hi != "*") (hi_inc ? q->lte : q->lt) = QueryValue{QueryValue::Kind::kString, hi};
    return q;
  }

  StatusOr<std::unique_ptr<Query>> Comparison(const std::string& field) {
    const bool greater = s_[pos_] == '>';
    ++pos_;
    bool inclusive = false;
    if (pos_ < s_.size() && s_[pos_] == '=') {
      inclusive = true;
      ++pos_;
    }
    std::string raw;
    std::string v = Word(&raw);
    if (v.empty()) return QsError(s_, "comparison without a value");
    auto q = std::make_unique<Query>();
    q->kind = Query::Kind::kRange;
    q->field = field;
    QueryValue qv{QueryValue::Kind::kString, v};
    if (greater) (inclusive ? q->gte : q->gt) = qv;
    else (inclusive ? q->lte : q->lt) = qv;
    return q;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  const std::vector<std::string>& fields_;
  Query::Operator op_;
  const SearchLimits& limits_;
};

}  // namespace

StatusOr<std::unique_ptr<Query>> ParseQueryString(std::string_view text,
                                                  const std::vector<std::string>& default_fields,
                                                  Query::Operator default_operator,
                                                  const SearchLimits& limits) {
  QsParser p(text, default_fields, default_operator, limits);
  return p.Parse();
}

}  // namespace stela::engine
