// Measures language detection accuracy on "lang<TAB>paragraph" lines (standard input), as
// written by bench/datasets/language_samples.py --tsv. Prints per-language accuracy, the total,
// and the share analysed by the right chain (a close language sharing the chain, hr for sr or
// ms for id, analyses the text exactly as the right answer would).
//
//   build/bench/micro/detect_eval < paragraphs.tsv
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "analyzers/langdata/languages.h"
#include "engine/common/malloc_tuning.h"
#include "stela/analyzers/language_detector.h"

int main() {
  stela::TuneMalloc();  // as the server: CLD2's per-call buffers would trim and regrow the heap
  std::map<std::string, std::pair<int, int>> per_language;
  std::map<std::string, std::map<std::string, int>> confusions;
  int right = 0, total = 0, reliable = 0, right_chain = 0;
  for (std::string line; std::getline(std::cin, line);) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string truth = stela::analyzers::CanonicalLanguage(line.substr(0, tab));
    auto d = stela::analyzers::DetectLanguage(std::string_view(line).substr(tab + 1));
    if (!d.ok()) continue;
    const bool ok = d->language == truth;
    per_language[truth].first += ok;
    per_language[truth].second += 1;
    if (!ok) ++confusions[truth][d->language.empty() ? "none" : d->language];
    right += ok;
    right_chain += stela::analyzers::langdata::ChainLanguage(d->language) ==
                   stela::analyzers::langdata::ChainLanguage(truth);
    reliable += d->reliable;
    ++total;
  }
  std::printf("%-5s %9s %8s  most common wrong answers\n", "lang", "right", "accuracy");
  for (const auto& [lang, rt] : per_language) {
    std::string wrong;
    for (const auto& [guess, n] : confusions[lang]) {
      wrong += guess + ":" + std::to_string(n) + " ";
    }
    std::printf("%-5s %4d/%-4d %7.1f%%  %s\n", lang.c_str(), rt.first, rt.second,
                100.0 * rt.first / rt.second, wrong.substr(0, 60).c_str());
  }
  std::printf("total %d/%d = %.1f%% (CLD2 called %.1f%% reliable); right chain %.1f%%\n", right,
              total, 100.0 * right / total, 100.0 * reliable / total, 100.0 * right_chain / total);
  return 0;
}
