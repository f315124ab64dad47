// The chain analyzer: tokenizer -> length split -> case folding -> possessive / elision ->
// ASCII folding -> stop words -> Snowball stemmer, with CJK bigrams as an alternative path.
//
// Why segmentation comes before normalisation: normalising first would move offsets, and the
// offsets must slice the caller's original bytes. So each token is folded on its own, which is
// what Lucene's ICU tokenizer + ICU normaliser filter do too.
#include <memory>
#include <string>
#include <set>

#include "analyzers/filters/stop_set.h"
#include "analyzers/filters/term_cache.h"
#include "analyzers/filters/term_hash.h"
#include "analyzers/icu/case_folder.h"
#include "analyzers/icu/simple_segmenters.h"
#include "analyzers/icu/utf8.h"
#include "analyzers/icu/word_segmenter.h"
#include "analyzers/langdata/languages.h"
#include "analyzers/snowball/stemmer.h"
#include "stela/analyzers/analyzer.h"

namespace stela::analyzers {

namespace {

constexpr std::size_t kMaxTextBytes = (std::size_t{1} << 31) - 1;

class ChainAnalyzer;

// One per thread.
class ChainStream final : public TokenStream {
 public:
  ChainStream(const ChainAnalyzer& analyzer, std::unique_ptr<icu::WordSegmenter> segmenter,
              icu::CaseFolder folder, std::unique_ptr<snowball::Stemmer> stemmer)
      : analyzer_(analyzer),
        segmenter_(std::move(segmenter)),
        folder_(std::move(folder)),
        stemmer_(std::move(stemmer)),
        cache_(kTermCacheSlots) {}

  Status Analyze(std::string_view text, std::string_view language,
                 std::vector<Token>* out) override {
    const std::size_t first_new = out->size();
    Status s = Run(text, out);
    if (!s.ok()) out->resize(first_new);  // all or nothing
    return s;
  }
  std::string_view last_language() const override;

 private:
  struct CjkUnit {
    std::uint32_t start, end;
  };

  // Sets term_ to what the chain makes of the raw token `raw`: from the cache, else through
  // ComputeTerm. `*keep` is false when the token is dropped (stop word, nothing left after
  // folding); `*consumes_position` says whether it still takes a position (leaves a gap).
  Status MakeTerm(std::string_view raw, bool* keep, bool* consumes_position);
  // Folds, filters and stems `raw` into term_.
  Status ComputeTerm(std::string_view raw, bool* keep, bool* consumes_position);
  Status FlushCjkRun(std::string_view text, std::uint32_t* position, std::vector<Token>* out);

  Status Run(std::string_view text, std::vector<Token>* out);

  const ChainAnalyzer& analyzer_;
  std::unique_ptr<icu::WordSegmenter> segmenter_;  // null unless the tokenizer is kIcuWord
  icu::CaseFolder folder_;
  // 16384 slots (~1.2 MB per stream) catch most repeats of the frequent words.
  static constexpr std::size_t kTermCacheSlots = 16384;
  static constexpr std::uint8_t kKeep = 1, kConsumes = 2, kTwo = 4;
  // keep_unstemmed: the last term had a different stem; unstemmed_ holds the folded word.
  bool two_ = false;
  std::string unstemmed_;
  std::string pair_;
  std::unique_ptr<snowball::Stemmer> stemmer_;  // null without a stemmer
  TermCache cache_;
  std::vector<icu::WordSpan> spans_;
  std::vector<CjkUnit> cjk_run_;
  std::string term_;
  std::string scratch_;
};

class ChainAnalyzer final : public Analyzer {
 public:
  ChainAnalyzer(std::string name, ChainOptions options)
      : name_(std::move(name)),
        options_(std::move(options)),
        stop_(langdata::StopWords(options_.stop_words)) {
    for (const std::string& a : options_.elision) elision_.insert(a);
  }

  std::string_view name() const override { return name_; }
  std::string_view language() const override { return options_.language; }

  StatusOr<std::unique_ptr<TokenStream>> NewStream() const override {
    std::unique_ptr<icu::WordSegmenter> segmenter;
    if (options_.tokenizer == Tokenizer::kIcuWord) {
      STELA_ASSIGN_OR_RETURN(segmenter, icu::WordSegmenter::Create());
    }
    STELA_ASSIGN_OR_RETURN(icu::CaseFolder folder, icu::CaseFolder::Create());
    std::unique_ptr<snowball::Stemmer> stemmer;
    if (!options_.stemmer.empty()) {
      STELA_ASSIGN_OR_RETURN(stemmer, snowball::Stemmer::Create(options_.stemmer));
    }
    return std::unique_ptr<TokenStream>(
        new ChainStream(*this, std::move(segmenter), std::move(folder), std::move(stemmer)));
  }

  const ChainOptions& options() const { return options_; }
  bool IsStopWord(std::string_view term, std::uint64_t hash) const {
    return stop_.Contains(term, hash);
  }
  bool IsElided(std::string_view article) const { return elision_.count(article) != 0; }
  bool has_elision() const { return !elision_.empty(); }

 private:
  std::string name_;
  ChainOptions options_;
  StopSet stop_;
  std::set<std::string, std::less<>> elision_;  // a handful of short articles
};

// Position of the first apostrophe (U+0027 or U+2019) in `s`, and its byte length.
std::size_t FindApostrophe(std::string_view s, std::size_t* len) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\'') {
      *len = 1;
      return i;
    }
    if (s.compare(i, 3, "\xE2\x80\x99") == 0) {
      *len = 3;
      return i;
    }
  }
  return std::string_view::npos;
}

bool StripPossessive(std::string* term) {
  for (std::string_view suffix : {std::string_view("'s"), std::string_view("\xE2\x80\x99s")}) {
    if (term->size() > suffix.size() && term->ends_with(suffix)) {
      term->resize(term->size() - suffix.size());
      return true;
    }
  }
  return false;
}

Status ChainStream::MakeTerm(std::string_view raw, bool* keep, bool* consumes_position) {
  two_ = false;
  if (raw.size() > TermCache::kMaxKeyBytes) return ComputeTerm(raw, keep, consumes_position);
  const std::uint64_t hash = TermHash(raw);
  if (const TermCache::Entry* e = cache_.Find(raw, hash)) {
    *keep = (e->flags & kKeep) != 0;
    *consumes_position = (e->flags & kConsumes) != 0;
    if (*keep && (e->flags & kTwo) != 0) {
      // Cached as the unstemmed word then the stem, split where the entry says.
      const std::string_view v = e->value;
      unstemmed_.assign(v.substr(0, e->split));
      term_.assign(v.substr(e->split));
      two_ = true;
    } else if (*keep) {
      term_.assign(e->value);
    }
    return Status::OK();
  }
  STELA_RETURN_IF_ERROR(ComputeTerm(raw, keep, consumes_position));
  const std::uint8_t flags = static_cast<std::uint8_t>(
      (*keep ? kKeep : 0) | (*consumes_position ? kConsumes : 0) | (two_ ? kTwo : 0));
  if (two_) {
    if (unstemmed_.size() > 0xFF) return Status::OK();  // not cached: the split would not fit
    pair_.assign(unstemmed_).append(term_);
    cache_.Put(raw, hash, pair_, flags, static_cast<std::uint8_t>(unstemmed_.size()));
  } else {
    cache_.Put(raw, hash, *keep ? std::string_view(term_) : std::string_view(), flags);
  }
  return Status::OK();
}

Status ChainStream::ComputeTerm(std::string_view raw, bool* keep, bool* consumes_position) {
  const ChainOptions& opt = analyzer_.options();
  *keep = false;
  *consumes_position = true;
  STELA_RETURN_IF_ERROR(folder_.Fold(raw, opt.case_mode, opt.turkish_lowercase, &term_));
  if (term_.empty()) {
    // Only default-ignorable code points: no token, and no gap either.
    *consumes_position = false;
    return Status::OK();
  }
  if (opt.english_possessive) StripPossessive(&term_);
  if (analyzer_.has_elision()) {
    std::size_t len = 0;
    const std::size_t at = FindApostrophe(term_, &len);
    if (at != std::string::npos && at > 0 && analyzer_.IsElided(std::string_view(term_).substr(0, at))) {
      term_.erase(0, at + len);
    }
  }
  if (opt.strip_apostrophe_suffix) {
    // Turkish writes case suffixes on proper nouns after an apostrophe: "İstanbul'daki".
    std::size_t len = 0;
    const std::size_t at = FindApostrophe(term_, &len);
    if (at != std::string::npos && at > 0) term_.resize(at);
  }
  if (opt.ascii_folding) {
    STELA_RETURN_IF_ERROR(folder_.FoldToAscii(term_, &scratch_));
    term_.swap(scratch_);
  }
  if (term_.empty() || analyzer_.IsStopWord(term_, TermHash(term_))) return Status::OK();
  if (stemmer_ != nullptr) {
    const std::string_view stem = stemmer_->Stem(term_);
    if (!stem.empty() && stem != term_) {
      if (opt.keep_unstemmed) {
        unstemmed_.assign(term_);
        two_ = true;
      }
      term_.assign(stem);
    }
  }
  *keep = true;
  return Status::OK();
}

Status ChainStream::FlushCjkRun(std::string_view text, std::uint32_t* position,
                                std::vector<Token>* out) {
  const std::size_t n = cjk_run_.size();
  // A lone character stays a unigram; a run of n >= 2 becomes n - 1 overlapping bigrams.
  const std::size_t grams = n == 1 ? 1 : n - 1;
  for (std::size_t i = 0; i < grams; ++i) {
    const std::uint32_t start = cjk_run_[i].start;
    const std::uint32_t end = cjk_run_[n == 1 ? i : i + 1].end;
    bool keep = false, consumes = false;
    STELA_RETURN_IF_ERROR(MakeTerm(text.substr(start, end - start), &keep, &consumes));
    if (keep) {
      const TokenType type = n == 1 ? TokenType::kIdeographic : TokenType::kBigram;
      if (two_) out->push_back({unstemmed_, *position, start, end, type});
      out->push_back({term_, *position, start, end, type});
    }
    if (consumes) ++*position;
  }
  cjk_run_.clear();
  return Status::OK();
}

Status ChainStream::Run(std::string_view text, std::vector<Token>* out) {
  const ChainOptions& opt = analyzer_.options();
  if (text.size() > kMaxTextBytes) {
    return Status::InvalidArgument("text of " + std::to_string(text.size()) +
                                   " bytes is too long to analyze (limit 2 GiB)");
  }
  // The ICU segmenter validates while it converts; the simple tokenizers need a separate pass.
  if (opt.tokenizer != Tokenizer::kIcuWord) STELA_RETURN_IF_ERROR(icu::ValidateUtf8(text));
  switch (opt.tokenizer) {
    case Tokenizer::kIcuWord:
      STELA_RETURN_IF_ERROR(segmenter_->Segment(text, &spans_));
      break;
    case Tokenizer::kWhitespace:
      icu::SegmentWhitespace(text, &spans_);
      break;
    case Tokenizer::kLetter:
      icu::SegmentLetters(text, &spans_);
      break;
    case Tokenizer::kKeyword:
      icu::SegmentKeyword(text, &spans_);
      break;
  }
  std::uint32_t position = 0;
  cjk_run_.clear();
  // The term cache slot of the token kPrefetchAhead spans on is fetched while this one is
  // processed (a guess: split and CJK tokens look up other keys, which is merely a wasted hint).
  constexpr std::size_t kPrefetchAhead = 4;
  for (std::size_t k = 0; k < spans_.size(); ++k) {
    const icu::WordSpan& span = spans_[k];
    if (k + kPrefetchAhead < spans_.size()) {
      const icu::WordSpan& next = spans_[k + kPrefetchAhead];
      if (next.end - next.start <= TermCache::kMaxKeyBytes) {
        cache_.Prefetch(TermHash(text.substr(next.start, next.end - next.start)));
      }
    }
    std::string_view raw = text.substr(span.start, span.end - span.start);
    if (opt.cjk_bigrams && static_cast<unsigned char>(raw[0]) >= 0x80) {
      std::size_t i = 0;
      if (icu::IsCjkScript(icu::NextCodePoint(raw, &i))) {
        if (!cjk_run_.empty() && cjk_run_.back().end != span.start) {
          STELA_RETURN_IF_ERROR(FlushCjkRun(text, &position, out));
        }
        for (std::size_t j = 0; j < raw.size();) {
          const std::size_t at = j;
          icu::NextCodePoint(raw, &j);
          cjk_run_.push_back({span.start + static_cast<std::uint32_t>(at),
                              span.start + static_cast<std::uint32_t>(j)});
        }
        continue;
      }
    }
    if (!cjk_run_.empty()) STELA_RETURN_IF_ERROR(FlushCjkRun(text, &position, out));

    // Split tokens longer than max_token_length code points (bytes >= code points, so the
    // byte length is a cheap first test).
    std::uint32_t start = span.start;
    while (start < span.end) {
      std::string_view rest = text.substr(start, span.end - start);
      // PrefixBytes stops after max_token_length code points: linear in the piece, not in
      // what remains of a huge token.
      const std::size_t piece = rest.size() > opt.max_token_length
                                    ? icu::PrefixBytes(rest, opt.max_token_length)
                                    : rest.size();
      bool keep = false, consumes = false;
      STELA_RETURN_IF_ERROR(MakeTerm(rest.substr(0, piece), &keep, &consumes));
      const std::uint32_t end = start + static_cast<std::uint32_t>(piece);
      if (keep && two_) out->push_back({unstemmed_, position, start, end, span.type});
      if (keep) out->push_back({term_, position, start, end, span.type});
      if (consumes) ++position;
      start = end;
    }
  }
  if (!cjk_run_.empty()) STELA_RETURN_IF_ERROR(FlushCjkRun(text, &position, out));
  return Status::OK();
}

std::string_view ChainStream::last_language() const { return analyzer_.options().language; }

}  // namespace

StatusOr<std::unique_ptr<Analyzer>> NewChainAnalyzer(std::string name, ChainOptions options) {
  if (options.max_token_length == 0) {
    return Status::InvalidArgument("[max_token_length] must be positive");
  }
  if (!options.stemmer.empty() && !snowball::HasAlgorithm(options.stemmer)) {
    return Status::InvalidArgument("unknown stemmer language [" + options.stemmer + "]");
  }
  if (!options.stop_words.empty() && !langdata::HasStopWords(options.stop_words)) {
    return Status::InvalidArgument("no built-in stop words for [" + options.stop_words + "]");
  }
  return std::unique_ptr<Analyzer>(new ChainAnalyzer(std::move(name), std::move(options)));
}

}  // namespace stela::analyzers
