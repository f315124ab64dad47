// Document reordering for smaller postings: recursive graph bisection.
//
// Doc ids compress to the log2 of the gaps between them, so an order that puts documents sharing
// terms next to each other makes every list's gaps smaller. Recursive graph bisection (Dhulipala
// et al., "Compressing Graphs and Indexes with Recursive Graph Bisection", KDD 2016) finds one:
// split the documents in two halves, swap pairs of documents between the halves while that
// lowers the estimated cost of both halves' postings (the sum over terms of
// degree * log2(half size / (degree + 1))), then recurse into each half. Merges use it (see
// IndexOptions::reorder_min_docs); see engine/DESIGN.md "Document order".
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace stela::engine::index {

// Documents as sets of term numbers: doc d holds terms[offsets[d] .. offsets[d + 1]), each
// below num_terms and each at most once.
struct DocTerms {
  std::uint32_t num_terms = 0;
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint32_t> terms;

  std::uint32_t num_docs() const { return static_cast<std::uint32_t>(offsets.size() - 1); }
};

struct BisectionOptions {
  // Swap rounds per split; fewer when under 1 doc in 500 moves (on the generated and the real
  // corpus, 8 rounds ordered as well as 20).
  std::uint32_t max_iterations = 12;
  std::uint32_t min_partition = 32;   // ranges under twice this are not split (halves >= this)
  // When set and true, splitting stops early (the order is still a permutation of the docs).
  const std::atomic<bool>* abort = nullptr;
};

// An order of docs that puts docs sharing terms near each other: order[new position] = doc.
// Deterministic for the same input.
std::vector<std::uint32_t> BisectionOrder(const DocTerms& docs, const BisectionOptions& options);

// The sum over every term's docs in `order` of log2(gap to the term's previous doc), the first
// counted from position -1: about the bits a gap coder spends, the quantity the order lowers.
double LogGapBits(const DocTerms& docs, const std::vector<std::uint32_t>& order);

}  // namespace stela::engine::index
