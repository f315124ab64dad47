// libFuzzer target: random bytes through every analyzer. The first byte picks the analyzer (and,
// for `auto`, whether a language is named); the rest is the text. Invalid UTF-8 must give
// InvalidArgument; anything else must succeed with well-formed tokens. The word segmenter's direct
// UAX #29 path, wherever it takes the text, must give exactly ICU's spans. Any crash, hang,
// sanitizer report or broken invariant is a finding.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/icu/utf8.h"
#include "analyzers/icu/word_segmenter.h"
#include "stela/analyzers/registry.h"

namespace {

using stela::analyzers::Analyzer;
using stela::analyzers::Registry;
using stela::analyzers::Token;
using stela::analyzers::TokenStream;

struct State {
  std::unique_ptr<Registry> registry;
  std::vector<const Analyzer*> analyzers;
  std::map<const Analyzer*, std::unique_ptr<TokenStream>> streams;
  std::unique_ptr<stela::analyzers::icu::WordSegmenter> segmenter;
};

State* g_state = nullptr;  // built once in LLVMFuzzerInitialize; the fuzzer is single-threaded

void Check(bool cond) {
  if (!cond) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto registry = Registry::CreateBuiltin();
  Check(registry.ok());
  g_state = new State;
  g_state->registry = std::move(registry).value();
  auto segmenter = stela::analyzers::icu::WordSegmenter::Create();
  Check(segmenter.ok());
  g_state->segmenter = std::move(segmenter).value();
  for (const std::string& name : g_state->registry->names()) {
    g_state->analyzers.push_back(*g_state->registry->Find(name));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Analyzer* analyzer = g_state->analyzers[data[0] % g_state->analyzers.size()];
  const bool name_language = (data[0] & 0x80) != 0;
  std::unique_ptr<TokenStream>& stream = g_state->streams[analyzer];
  if (!stream) {
    auto s = analyzer->NewStream();
    Check(s.ok());
    stream = std::move(s).value();
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<Token> tokens;
  const stela::Status status = stream->Analyze(text, name_language ? "fr" : "", &tokens);
  const bool valid = stela::analyzers::icu::ValidateUtf8(text).ok();
  std::vector<stela::analyzers::icu::WordSpan> direct, icu;
  if (g_state->segmenter->SegmentDirect(text, &direct)) {
    Check(valid && g_state->segmenter->SegmentWithIcu(text, &icu).ok());
    Check(direct.size() == icu.size());
    for (std::size_t i = 0; i < icu.size(); ++i) {
      Check(direct[i].start == icu[i].start && direct[i].end == icu[i].end &&
            direct[i].type == icu[i].type);
    }
  }
  Check(status.ok() == valid);
  if (!status.ok()) {
    Check(status.IsInvalidArgument() && tokens.empty());
    return 0;
  }
  std::uint32_t last_start = 0, last_position = 0;
  for (const Token& t : tokens) {
    Check(!t.term.empty());
    Check(stela::analyzers::icu::ValidateUtf8(t.term).ok());
    Check(t.start_offset < t.end_offset && t.end_offset <= text.size());
    Check(t.start_offset >= last_start && t.position >= last_position);
    last_start = t.start_offset;
    last_position = t.position;
  }
  return 0;
}
