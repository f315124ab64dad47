// Analysis throughput per language (MB/s of UTF-8 input), next to raw ICU word-break iteration
// over the same text, the ceiling for any ICU-based chain.
//
//   BM_IcuBreakUtf16/<lang>   ICU BreakIterator over UTF-16 (text converted before timing)
//   BM_Segment/<lang>         Stela's WordSegmenter: UTF-8 -> UTF-16, break iteration, byte offsets
//   BM_Chain/<lang>           the language's analyzer: segmentation, folding, stop words, stemmer
//   BM_Auto/<lang>            the `auto` analyzer: CLD2 detection per value, then the chain
//   BM_Detect/<lang>/<bytes>  language detection alone, on values of about <bytes> bytes (what a
//                             call costs beside what a byte costs)
//
// Text: STELA_BENCH_TEXT_DIR/<lang>.txt if set (bench/datasets/language_samples.py writes real
// text there), else the golden sentences of tests/golden/<lang> repeated to 256 KiB. The auto
// benchmark analyses the text in values of about 1 KiB (line groups), as documents would be.
#include <benchmark/benchmark.h>
#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analyzers/icu/word_segmenter.h"
#include "stela/analyzers/language_detector.h"
#include "stela/analyzers/registry.h"

namespace {

namespace fs = std::filesystem;
using stela::analyzers::Registry;
using stela::analyzers::Token;

constexpr const char* kLanguages[] = {"en", "de", "fr", "es", "ru", "ar", "zh", "ja", "th"};

const std::string& Text(const std::string& lang) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(lang);
  if (it != cache.end()) return it->second;
  std::string text;
  if (const char* dir = std::getenv("STELA_BENCH_TEXT_DIR")) {
    std::ifstream in(fs::path(dir) / (lang + ".txt"), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (text.empty()) {
    std::ifstream in(fs::path(STELA_SOURCE_DIR) / "tests" / "golden" / lang / "sentences.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string base = ss.str();
    while (!base.empty() && text.size() < 256 * 1024) text += base;
  }
  return cache.emplace(lang, std::move(text)).first->second;
}

// Splits text into values of about `size` bytes (1 KiB by default) at line ends.
std::vector<std::string_view> Values(const std::string& text, std::size_t size = 1024) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', std::min(text.size(), start + size));
    end = end == std::string::npos ? text.size() : end + 1;
    out.emplace_back(text.data() + start, end - start);
    start = end;
  }
  return out;
}

const Registry& TheRegistry() {
  static const std::unique_ptr<Registry> registry = std::move(Registry::CreateBuiltin()).value();
  return *registry;
}

// One pass of raw break iteration, kept out of line so callgrind can count it alone:
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*RawBreakPass*' ...
[[gnu::noinline]] std::size_t RawBreakPass(icu::BreakIterator* bi, const icu::UnicodeString& s) {
  std::size_t words = 0;
  bi->setText(s);
  for (int32_t b = bi->first(); b != icu::BreakIterator::DONE; b = bi->next()) {
    words += bi->getRuleStatus() >= UBRK_WORD_NONE_LIMIT;
  }
  return words;
}

void BM_IcuBreakUtf16(benchmark::State& state, std::string lang) {
  const std::string& text = Text(lang);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> bi(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  const icu::UnicodeString utf16 = icu::UnicodeString::fromUTF8(text);
  std::size_t words = 0;
  for (auto _ : state) words += RawBreakPass(bi.get(), utf16);
  benchmark::DoNotOptimize(words);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Segment(benchmark::State& state, std::string lang) {
  const std::string& text = Text(lang);
  auto segmenter = std::move(stela::analyzers::icu::WordSegmenter::Create()).value();
  std::vector<stela::analyzers::icu::WordSpan> spans;
  for (auto _ : state) {
    if (!segmenter->Segment(text, &spans).ok()) state.SkipWithError("segment failed");
    benchmark::DoNotOptimize(spans.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Chain(benchmark::State& state, std::string lang) {
  const std::string& text = Text(lang);
  auto analyzer = TheRegistry().ForLanguage(lang);
  auto stream = std::move((*analyzer)->NewStream()).value();
  std::vector<Token> tokens;
  for (auto _ : state) {
    tokens.clear();
    if (!stream->Analyze(text, &tokens).ok()) state.SkipWithError("analyze failed");
    benchmark::DoNotOptimize(tokens.data());
  }
  state.counters["tokens"] = static_cast<double>(tokens.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Auto(benchmark::State& state, std::string lang) {
  const std::string& text = Text(lang);
  const std::vector<std::string_view> values = Values(text);
  auto stream = std::move((*TheRegistry().ForLanguage("auto"))->NewStream()).value();
  std::vector<Token> tokens;
  for (auto _ : state) {
    for (std::string_view v : values) {
      tokens.clear();
      if (!stream->Analyze(v, &tokens).ok()) state.SkipWithError("analyze failed");
      benchmark::DoNotOptimize(tokens.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Detect(benchmark::State& state, std::string lang, std::size_t size) {
  const std::string& text = Text(lang);
  const std::vector<std::string_view> values = Values(text, size);
  for (auto _ : state) {
    for (std::string_view v : values) {
      auto d = stela::analyzers::DetectLanguage(v);
      if (!d.ok()) state.SkipWithError("detection failed");
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["values"] = static_cast<double>(values.size());
}

const bool kRegistered = [] {
  for (const char* lang : kLanguages) {
    benchmark::RegisterBenchmark((std::string("BM_IcuBreakUtf16/") + lang).c_str(),
                                 BM_IcuBreakUtf16, lang);
    benchmark::RegisterBenchmark((std::string("BM_Segment/") + lang).c_str(),
                                 BM_Segment, lang);
    benchmark::RegisterBenchmark((std::string("BM_Chain/") + lang).c_str(), BM_Chain, lang);
    benchmark::RegisterBenchmark((std::string("BM_Auto/") + lang).c_str(), BM_Auto, lang);
    for (std::size_t size : {64, 256, 1024}) {
      benchmark::RegisterBenchmark(
          (std::string("BM_Detect/") + lang + "/" + std::to_string(size)).c_str(), BM_Detect,
          lang, size);
    }
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
