#include "stela/analyzers/registry.h"

#include <limits>

#include "analyzers/chain/auto_analyzer.h"
#include "analyzers/langdata/languages.h"
#include "stela/analyzers/language_detector.h"

namespace stela::analyzers {

namespace {

ChainOptions LanguageChain(const langdata::LanguageInfo& info) {
  ChainOptions o;
  o.language = std::string(info.code);
  o.stemmer = std::string(info.stemmer);
  o.stop_words = std::string(info.stop_words);
  o.elision.assign(info.elision.begin(), info.elision.end());
  o.english_possessive = info.english_possessive;
  o.turkish_lowercase = info.turkish_lowercase;
  o.strip_apostrophe_suffix = info.turkish_lowercase;
  return o;
}

bool IsWellFormedCode(std::string_view code) {
  if (code.empty() || code.size() > 16) return false;
  for (char c : code) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<Registry>> Registry::CreateBuiltin() {
  std::unique_ptr<Registry> r(new Registry());
  auto add = [&r](std::string name, ChainOptions options) -> StatusOr<const Analyzer*> {
    STELA_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> a,
                           NewChainAnalyzer(std::move(name), std::move(options)));
    const Analyzer* raw = a.get();
    STELA_RETURN_IF_ERROR(r->Add(std::move(a)));
    return raw;
  };

  ChainOptions standard;
  standard.case_mode = CaseMode::kLowercase;
  STELA_RETURN_IF_ERROR(add("standard", standard).status());

  ChainOptions simple;
  simple.tokenizer = Tokenizer::kLetter;
  simple.case_mode = CaseMode::kLowercase;
  STELA_RETURN_IF_ERROR(add("simple", simple).status());

  ChainOptions stop = simple;
  stop.stop_words = "en";
  STELA_RETURN_IF_ERROR(add("stop", stop).status());

  ChainOptions whitespace;
  whitespace.tokenizer = Tokenizer::kWhitespace;
  whitespace.case_mode = CaseMode::kNone;
  STELA_RETURN_IF_ERROR(add("whitespace", whitespace).status());

  ChainOptions keyword;
  keyword.tokenizer = Tokenizer::kKeyword;
  keyword.case_mode = CaseMode::kNone;
  keyword.max_token_length = std::numeric_limits<std::uint32_t>::max();
  STELA_RETURN_IF_ERROR(add("keyword", keyword).status());

  // ICU segmentation and NFKC case folding only: languages without a dedicated chain.
  STELA_ASSIGN_OR_RETURN(r->fallback_, add("icu_text", ChainOptions{}));

  ChainOptions icu_analyzer;
  icu_analyzer.ascii_folding = true;
  STELA_RETURN_IF_ERROR(add("icu_analyzer", icu_analyzer).status());

  ChainOptions cjk;
  cjk.cjk_bigrams = true;
  cjk.stop_words = "en";
  STELA_RETURN_IF_ERROR(add("cjk", cjk).status());

  for (const langdata::LanguageInfo& info : langdata::Languages()) {
    STELA_ASSIGN_OR_RETURN(const Analyzer* a, add(std::string(info.analyzer), LanguageChain(info)));
    r->by_language_.emplace(std::string(info.code), a);
    ChainOptions for_auto = LanguageChain(info);
    for_auto.keep_unstemmed = true;
    STELA_ASSIGN_OR_RETURN(auto chain, NewChainAnalyzer("auto_" + std::string(info.code), for_auto));
    r->auto_chains_.emplace(std::string(info.code), std::move(chain));
  }
  // Elasticsearch's `brazilian` has its own light stemmer; here it is Snowball Portuguese.
  STELA_RETURN_IF_ERROR(add("brazilian", LanguageChain(*langdata::FindLanguage("pt"))).status());

  const Registry* self = r.get();
  std::unique_ptr<Analyzer> auto_analyzer = NewAutoAnalyzer("auto", [self](std::string_view code) {
    return self->AutoChainFor(code);
  });
  r->auto_ = auto_analyzer.get();
  STELA_RETURN_IF_ERROR(r->Add(std::move(auto_analyzer)));
  return r;
}

Status Registry::Add(std::unique_ptr<Analyzer> analyzer) {
  std::string name(analyzer->name());
  if (by_name_.count(name) != 0) {
    return Status::InvalidArgument("analyzer [" + name + "] is already defined");
  }
  by_name_.emplace(std::move(name), std::move(analyzer));
  return Status::OK();
}

StatusOr<const Analyzer*> Registry::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return Status::NotFound("failed to find analyzer [" + std::string(name) + "]");
  }
  return it->second.get();
}

StatusOr<const Analyzer*> Registry::ForLanguage(std::string_view code) const {
  if (!IsWellFormedCode(code)) {
    return Status::InvalidArgument("[" + std::string(code) + "] is not a language code");
  }
  if (code == "auto") return auto_;
  return ChainFor(CanonicalLanguage(code));
}

const Analyzer* Registry::AutoChainFor(std::string_view canonical) const {
  auto it = auto_chains_.find(langdata::ChainLanguage(canonical));
  return it != auto_chains_.end() ? it->second.get() : fallback_;
}

const Analyzer* Registry::ChainFor(std::string_view canonical) const {
  auto it = by_language_.find(langdata::ChainLanguage(canonical));
  return it != by_language_.end() ? it->second : fallback_;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, a] : by_name_) out.push_back(name);
  return out;
}

std::vector<std::string> Registry::languages() const {
  std::vector<std::string> out;
  for (const auto& [code, a] : by_language_) out.push_back(code);
  return out;
}

}  // namespace stela::analyzers
