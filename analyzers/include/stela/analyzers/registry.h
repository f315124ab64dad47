// Registry: the named analyzers (Elasticsearch's names) and the per-language chains.
//
// Built once at start-up (api/server) and passed down; no global instance exists.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/analyzers/analyzer.h"
#include "stela/common/status.h"

namespace stela::analyzers {

// Immutable after construction; thread-safe.
class Registry {
 public:
  // Registers every built-in analyzer: `standard`, `simple`, `whitespace`, `keyword`, `stop`,
  // `icu_analyzer`, `cjk`, `thai`, `auto`, and one per language under its Elasticsearch name
  // (`english`, `german`, ...). Returns Internal if a stemmer or ICU data is missing.
  static StatusOr<std::unique_ptr<Registry>> CreateBuiltin();

  // Returns NotFound "failed to find analyzer [name]" (Elasticsearch's wording) when unknown.
  StatusOr<const Analyzer*> Find(std::string_view name) const;

  // The chain for an ISO 639-1 code ("de", also "nb"/"nn" -> Norwegian, "pt-BR" -> Portuguese),
  // or the auto-detecting analyzer for "auto". A language without a stemmer gets the ICU chain
  // (segmentation and case folding only). Returns InvalidArgument for a malformed code.
  StatusOr<const Analyzer*> ForLanguage(std::string_view code) const;

  // Adds `analyzer` under its name. Returns InvalidArgument if the name is taken.
  Status Add(std::unique_ptr<Analyzer> analyzer);

  std::vector<std::string> names() const;
  // Codes of the languages with a dedicated chain (stemmer or special segmentation).
  std::vector<std::string> languages() const;

 private:
  Registry() = default;
  // The chain for a canonical code: its own, a close language's, or the ICU fallback. Non-null.
  const Analyzer* ChainFor(std::string_view canonical) const;
  // The chain the `auto` analyzer uses for a language: the language's chain, also keeping each
  // word's unstemmed form (ChainOptions::keep_unstemmed).
  const Analyzer* AutoChainFor(std::string_view canonical) const;

  std::map<std::string, std::unique_ptr<Analyzer>, std::less<>> by_name_;
  std::map<std::string, const Analyzer*, std::less<>> by_language_;
  std::map<std::string, std::unique_ptr<Analyzer>, std::less<>> auto_chains_;  // by language
  const Analyzer* fallback_ = nullptr;  // ICU chain for languages without a dedicated one
  const Analyzer* auto_ = nullptr;
};

}  // namespace stela::analyzers
