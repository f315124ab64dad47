#include "analyzers/chain/auto_analyzer.h"

#include <unordered_map>

#include "stela/analyzers/language_detector.h"

namespace stela::analyzers {

namespace {

class AutoAnalyzer;

// One per thread; creates the per-language streams it needs on first use and keeps them.
class AutoStream final : public TokenStream {
 public:
  explicit AutoStream(const ChainLookup& chain_for) : chain_for_(chain_for) {}

  Status Analyze(std::string_view text, std::string_view language,
                 std::vector<Token>* out) override {
    std::string code;
    if (!language.empty()) {
      code = CanonicalLanguage(language);
    } else {
      // CLD2's top guess is used even when it calls itself unreliable (short values): a wrong
      // guess on a few words costs little, because queries are expanded into every language's
      // variants, while leaving all short values unstemmed would lose their inflections.
      STELA_ASSIGN_OR_RETURN(Detection d, DetectLanguage(text));
      code = std::move(d.language);
    }
    const Analyzer* chain = chain_for_(code);
    auto it = streams_.find(chain);
    if (it == streams_.end()) {
      STELA_ASSIGN_OR_RETURN(std::unique_ptr<TokenStream> stream, chain->NewStream());
      it = streams_.emplace(chain, std::move(stream)).first;
    }
    STELA_RETURN_IF_ERROR(it->second->Analyze(text, "", out));
    last_language_ = std::move(code);
    return Status::OK();
  }

  std::string_view last_language() const override { return last_language_; }

 private:
  const ChainLookup& chain_for_;
  std::unordered_map<const Analyzer*, std::unique_ptr<TokenStream>> streams_;
  std::string last_language_;
};

class AutoAnalyzer final : public Analyzer {
 public:
  AutoAnalyzer(std::string name, ChainLookup chain_for)
      : name_(std::move(name)), chain_for_(std::move(chain_for)) {}
  std::string_view name() const override { return name_; }
  std::string_view language() const override { return "auto"; }
  StatusOr<std::unique_ptr<TokenStream>> NewStream() const override {
    return std::unique_ptr<TokenStream>(new AutoStream(chain_for_));
  }

 private:
  std::string name_;
  ChainLookup chain_for_;
};

}  // namespace

std::unique_ptr<Analyzer> NewAutoAnalyzer(std::string name, ChainLookup chain_for) {
  return std::make_unique<AutoAnalyzer>(std::move(name), std::move(chain_for));
}

}  // namespace stela::analyzers
