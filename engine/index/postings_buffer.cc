#include "engine/index/postings_buffer.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace stela::engine::index {

namespace {

constexpr std::size_t kInitialSlots = 1024;  // a power of two

std::uint64_t SortPrefix(std::string_view term) {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    key = (key << 8) | (i < term.size() ? static_cast<unsigned char>(term[i]) : 0u);
  }
  return key;
}

}  // namespace

std::uint32_t HashTerm(std::string_view term) {
  const std::size_t h = std::hash<std::string_view>{}(term);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

TermDictionary::TermDictionary() : offsets_{0}, slots_(kInitialSlots, 0) {}

std::uint32_t TermDictionary::Intern(std::string_view term, std::uint32_t hash, bool* added) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = slots_[i];
    if (slot == 0) {
      const auto id = static_cast<std::uint32_t>(offsets_.size() - 1);
      arena_.append(term);
      offsets_.push_back(arena_.size());
      slots_[i] = (std::uint64_t{hash} << 32) | (id + 1);
      if (std::size_t{id + 1} * 2 > slots_.size()) Grow();  // load factor at most 1/2
      *added = true;
      return id;
    }
    if (static_cast<std::uint32_t>(slot >> 32) == hash) {
      const auto id = static_cast<std::uint32_t>(slot) - 1;
      if (Term(id) == term) {
        *added = false;
        return id;
      }
    }
  }
}

void TermDictionary::Grow() {
  std::vector<std::uint64_t> slots(slots_.size() * 2, 0);
  const std::size_t mask = slots.size() - 1;
  for (const std::uint64_t slot : slots_) {
    if (slot == 0) continue;
    std::size_t i = (slot >> 32) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_.swap(slots);
}

std::size_t PostingsBuffer::Add(std::string_view term, std::uint32_t hash, std::uint32_t docno,
                                std::uint32_t position) {
  bool added = false;
  const std::uint32_t id = dict_.Intern(term, hash, &added);
  if (chunks_.empty() || last_used_ == chunks_.back().capacity) {
    const std::size_t capacity = std::size_t{256} << std::min<std::size_t>(chunks_.size(), 7);
    chunks_.push_back({std::unique_ptr<Occurrence[]>(new Occurrence[capacity]), capacity});
    last_used_ = 0;
  }
  chunks_.back().data[last_used_++] = {id, docno, positional_ ? position : 0};
  ++occurrences_;
  // A new term: its bytes, offset and two slots of the table.
  return sizeof(Occurrence) + (added ? term.size() + 24 : 0);
}

Status PostingsBuffer::ForEachTerm(const std::function<Status(const TermPostings&)>& fn) const {
  const std::uint32_t n = dict_.size();
  // Counting sort of the occurrences by term; stable, so each term's run keeps docno order.
  std::vector<std::size_t> start(std::size_t{n} + 1, 0);
  ForEachOccurrence([&](const Occurrence& o) { ++start[o.term + 1]; });
  std::partial_sum(start.begin(), start.end(), start.begin());
  // Every slot is written by the scatter below: no zeroing first (it was 1% of indexing CPU).
  const auto docs = std::make_unique_for_overwrite<std::uint32_t[]>(occurrences_);
  const auto positions =
      std::make_unique_for_overwrite<std::uint32_t[]>(positional_ ? occurrences_ : 0);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    ForEachOccurrence([&](const Occurrence& o) {
      const std::size_t at = fill[o.term]++;
      docs[at] = o.docno;
      if (positional_) positions[at] = o.position;
    });
  }
  // Byte order; the first 8 bytes, big-endian and zero-padded, decide most comparisons without
  // a trip to the arena (padding sorts a prefix first, as the full comparison does).
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order(n);
  for (std::uint32_t id = 0; id < n; ++id) order[id] = {SortPrefix(dict_.Term(id)), id};
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return dict_.Term(a.second) < dict_.Term(b.second);
  });
  std::vector<std::uint32_t> term_docs, term_freqs;
  for (const auto& [prefix, id] : order) {
    term_docs.clear();
    term_freqs.clear();
    for (std::size_t i = start[id]; i < start[id + 1]; ++i) {
      if (term_docs.empty() || term_docs.back() != docs[i]) {
        term_docs.push_back(docs[i]);
        term_freqs.push_back(0);
      }
      ++term_freqs.back();
    }
    TermPostings p{dict_.Term(id), term_docs.data(), term_freqs.data(), term_docs.size(),
                   positional_ ? positions.get() + start[id] : nullptr};
    STELA_RETURN_IF_ERROR(fn(p));
  }
  return Status::OK();
}

}  // namespace stela::engine::index
