// StopSet: an immutable open-addressing set of stop words, looked up with a precomputed TermHash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stela::analyzers {

// Immutable after construction; thread-safe.
class StopSet {
 public:
  StopSet() = default;
  explicit StopSet(std::span<const std::string_view> words);

  // True if `term` (whose TermHash is `hash`) is in the set.
  bool Contains(std::string_view term, std::uint64_t hash) const {
    if (slots_.empty()) return false;
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.word.empty()) return false;
      if (s.hash == hash && s.word == term) return true;
    }
  }
  bool empty() const { return slots_.empty(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::string word;  // empty means free
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

}  // namespace stela::analyzers
