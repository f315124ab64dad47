// The in-memory postings of the open segment, one field's worth per PostingsBuffer.
//
// Indexing appends one 12-byte occurrence (term id, docno, position) per token and interns each
// distinct term once in an arena-backed open-addressing table, so a token costs no allocation
// (the previous map of term -> three vectors paid a node and up to three reallocations per
// term, and a free per term at refresh). At refresh, ForEachTerm groups the occurrences by term
// with a counting sort (stable, so docnos stay ascending and a doc's positions stay in order)
// and visits the terms in byte order with their docs, frequencies and positions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

namespace stela::engine::index {

// The hash TermDictionary files `term` under (computed by the document parser, outside the
// index lock, and carried with each term).
std::uint32_t HashTerm(std::string_view term);

// Distinct terms, each stored once; ids are dense, in order of first appearance.
class TermDictionary {
 public:
  TermDictionary();
  // The id of `term` (whose HashTerm is `hash`), adding it when unseen (*added is set then).
  std::uint32_t Intern(std::string_view term, std::uint32_t hash, bool* added);
  // Starts loading the table slot of `hash` (see PostingsBuffer::Prefetch).
  void Prefetch(std::uint32_t hash) const {
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  std::string_view Term(std::uint32_t id) const {
    return std::string_view(arena_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(offsets_.size() - 1); }

 private:
  void Grow();
  std::string arena_;                  // all term bytes, back to back
  std::vector<std::uint64_t> offsets_;  // term id -> start in arena_; one more for the end
  // Open addressing, linear probing: (hash << 32) | (term id + 1), 0 = empty. The hash beside
  // the id lets a probe skip other terms without touching their bytes, and growing rehash
  // nothing.
  std::vector<std::uint64_t> slots_;
};

// One term's postings as ForEachTerm hands them out: docs ascending, freqs[i] positions per doc
// back to back in `positions` (empty for fields without positions).
struct TermPostings {
  std::string_view term;
  const std::uint32_t* docs;
  const std::uint32_t* freqs;
  std::size_t count;
  const std::uint32_t* positions;
};

class PostingsBuffer {
 public:
  explicit PostingsBuffer(bool positional) : positional_(positional) {}
  bool positional() const { return positional_; }
  // Adds one token of doc `docno`; docnos must not decrease between calls. Returns the bytes
  // of memory the call added (for the buffer's flush bound).
  std::size_t Add(std::string_view term, std::uint32_t hash, std::uint32_t docno,
                  std::uint32_t position);
  // Hints that a term of HashTerm `hash` comes soon: the dictionary is far larger than the
  // CPU's caches and a lookup was mostly waiting for its slot, so the caller fetches the slot
  // a few terms ahead.
  void Prefetch(std::uint32_t hash) const { dict_.Prefetch(hash); }
  std::uint32_t terms() const { return dict_.size(); }
  // Visits every term in byte order; stops at the first error and returns it.
  Status ForEachTerm(const std::function<Status(const TermPostings&)>& fn) const;

 private:
  struct Occurrence {
    std::uint32_t term, docno, position;
  };
  // Occurrences live in chunks rather than one vector: a growing vector copied the whole
  // buffer at every doubling and touched fresh pages each time (about 3% of indexing time).
  // Chunks start small (a buffer holds one PostingsBuffer per field, most of them small) and
  // double up to 32768 occurrences (384 KiB).
  struct Chunk {
    std::unique_ptr<Occurrence[]> data;
    std::size_t capacity;
  };
  template <typename Fn>
  void ForEachOccurrence(Fn fn) const {
    std::size_t left = occurrences_;
    for (const Chunk& c : chunks_) {
      const std::size_t n = std::min(left, c.capacity);
      for (std::size_t i = 0; i < n; ++i) fn(c.data[i]);
      left -= n;
    }
  }
  bool positional_;
  TermDictionary dict_;
  std::vector<Chunk> chunks_;
  std::size_t last_used_ = 0;  // occurrences in chunks_.back()
  std::size_t occurrences_ = 0;
};

}  // namespace stela::engine::index
