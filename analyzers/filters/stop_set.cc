#include "analyzers/filters/stop_set.h"

#include <bit>

#include "analyzers/filters/term_hash.h"

namespace stela::analyzers {

StopSet::StopSet(std::span<const std::string_view> words) {
  if (words.empty()) return;
  // At most 50% full, so probes stay short.
  slots_.resize(std::bit_ceil(words.size() * 2));
  mask_ = slots_.size() - 1;
  for (std::string_view w : words) {
    if (w.empty()) continue;
    const std::uint64_t h = TermHash(w);
    if (Contains(w, h)) continue;
    std::size_t i = h & mask_;
    while (!slots_[i].word.empty()) i = (i + 1) & mask_;
    slots_[i] = Slot{h, std::string(w)};
  }
}

}  // namespace stela::analyzers
