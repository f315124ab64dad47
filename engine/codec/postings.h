// The postings codec: one term's postings (doc ids, frequencies, positions) encoded as blocks of
// 128 docs, with the block headers up front as skip data and per-block maxima for block-max
// pruning. The byte format is in FORMAT.md beside this file.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/coding.h"
#include "stela/common/status.h"

namespace stela::engine::codec {

inline constexpr std::uint32_t kNoMoreDocs = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint32_t kBlockSize = 128;
// A list's first byte: its format version and whether it has positions (FORMAT.md).
inline constexpr std::uint8_t kKindV1 = 1;  // read only; a flags byte follows
inline constexpr std::uint8_t kKindV2 = 2;  // read only
inline constexpr std::uint8_t kKindV2Positions = 3;
inline constexpr std::uint8_t kKindV3 = 4;  // read only
inline constexpr std::uint8_t kKindV3Positions = 5;
inline constexpr std::uint8_t kKindV4 = 6;
inline constexpr std::uint8_t kKindV4Positions = 7;
// Since version 3: a block whose docs have fewer positions than this writes them as varints, more
// as patched bit-packed chunks of kPositionChunk.
inline constexpr std::uint32_t kPatchedPositionsMin = 8;
inline constexpr std::uint32_t kPositionChunk = 128;

// The doc count of an encoded list, from its first bytes (no block headers are read).
// Returns Corruption for an unknown format or bad bytes.
StatusOr<std::uint32_t> DocFreq(std::string_view encoded);

// Builds one term's postings. Docs must be added in increasing order. Not thread-safe.
class PostingsWriter {
 public:
  explicit PostingsWriter(bool with_positions) : with_positions_(with_positions) {}

  // Adds `doc` with `positions` (increasing; their count is the term frequency, which must be at
  // least 1) and the length of the field in that doc (for block maxima; 0 if unknown).
  // Without positions, `freq` alone is recorded. Returns InvalidArgument on out-of-order docs,
  // zero frequency, or decreasing positions.
  Status Add(std::uint32_t doc, std::uint32_t freq, const std::uint32_t* positions,
             std::uint32_t field_length);

  // Appends the encoded postings to `*out` and resets the writer for the next term.
  void Finish(std::string* out);

  std::uint32_t doc_freq() const { return static_cast<std::uint32_t>(docs_.size()); }
  bool has_positions() const { return with_positions_; }
  std::uint64_t total_term_freq() const { return total_term_freq_; }

 private:
  bool with_positions_;
  std::vector<std::uint32_t> docs_;
  std::vector<std::uint32_t> freqs_;
  std::vector<std::uint32_t> lengths_;
  std::vector<std::uint32_t> positions_;  // all docs' positions, concatenated
  // Finish's scratch, kept across lists: a segment's terms are written one writer after another,
  // and fresh buffers cost several allocations per term.
  std::string headers_, bodies_, body_;
  std::vector<std::uint32_t> deltas_;  // one block's position deltas
  std::uint64_t total_term_freq_ = 0;
};

// Per-block summary, readable without decoding the block (skip data and block-max pruning).
struct BlockInfo {
  std::uint32_t last_doc;
  std::uint32_t max_freq;
  std::uint32_t min_length;  // shortest field among the block's docs (0 if unknown)
};

// Bytes spent on each part of postings lists (for size reports: bits per doc id, per freq).
struct PostingsSizes {
  std::uint64_t postings = 0;        // (doc, freq) pairs
  std::uint64_t doc_bytes = 0;       // bit-packed doc gaps, with their width bytes
  std::uint64_t freq_bytes = 0;      // bit-packed frequencies, with their width bytes
  std::uint64_t position_bytes = 0;  // positions (varints or patched chunks)
  std::uint64_t header_bytes = 0;    // list header and skip data
};

// Iterates one encoded postings list. The bytes must outlive the iterator. Not thread-safe.
// Errors (bad bytes) end the iteration (doc() == kNoMoreDocs) and are reported by status().
class PostingsIterator {
 public:
  PostingsIterator() = default;

  // Parses the header and skip data. Returns Corruption for malformed bytes.
  Status Init(std::string_view encoded);

  std::uint32_t doc_freq() const { return doc_freq_; }
  std::uint64_t total_term_freq() const { return total_term_freq_; }
  bool has_positions() const { return has_positions_; }
  const std::vector<BlockInfo>& blocks() const { return blocks_; }

  // The current doc. After Init the iterator stands on the first doc (kNoMoreDocs when the list
  // is empty); after the last, and after an error, it is kNoMoreDocs.
  std::uint32_t doc() const { return doc_; }
  std::uint32_t freq() const { return freqs_[in_block_]; }

  // Moves to the next doc; false at the end (or on corruption).
  bool Next();
  // Moves to the first doc >= target (never backwards); false if there is none. Skips whole
  // blocks through the skip data without decoding them.
  bool Advance(std::uint32_t target);
  // The index of the block holding the current doc (for block-max pruning).
  std::size_t block_index() const { return block_; }

  // Replaces `*out` with the current doc's positions. Returns Corruption on bad bytes and
  // NotSupported if the list was written without positions.
  Status Positions(std::vector<std::uint32_t>* out);

  const Status& status() const { return status_; }

  // Adds this list's byte breakdown to `*sizes` (after a successful Init). Returns Corruption
  // when a block's width byte is out of range or its data is short.
  Status AddSizes(PostingsSizes* sizes) const;

 private:
  bool LoadBlock(std::size_t block);
  // Version 4: the `count` docs of block `block` from its interpolative-coded bytes at `in`
  // and its bounds in the skip data. Returns the bytes read, or kInterpolativeError.
  std::size_t UnpackBlockDocs(std::size_t block, std::uint32_t count, const char* in,
                              std::size_t avail, std::uint32_t* docs) const;
  // The rest of LoadBlock once the block's docs are in docs_: `d` is at the frequencies.
  bool LoadFrequencies(Decoder d, std::size_t block);
  // The block's doc gaps (versions 1-3) or frequencies (block_count_ of them), as the list's
  // version packs them.
  Status ReadBlockValues(Decoder* d, std::uint32_t* out, const char* what) const;
  // Since version 3, patched positions: decodes chunk `c` of the block's positions into chunk_.
  Status LoadPositionChunk(std::uint64_t c);
  // Points the position cursor at the rest of the block body and stands on its first doc.
  bool StartBlock(const Decoder& d);
  bool Fail(Status s);

  std::uint32_t doc_freq_ = 0;
  std::uint64_t total_term_freq_ = 0;
  std::uint8_t version_ = 0;
  bool has_positions_ = false;
  std::vector<BlockInfo> blocks_;
  std::vector<std::uint32_t> body_offsets_;  // start of each block body in bodies_
  std::string_view bodies_;
  std::size_t encoded_size_ = 0;

  std::size_t block_ = 0;
  std::uint32_t block_count_ = 0;  // docs in the loaded block
  std::uint32_t in_block_ = 0;     // index of the current doc in the block
  std::uint32_t docs_[kBlockSize];
  std::uint32_t freqs_[kBlockSize];
  std::uint32_t doc_ = kNoMoreDocs;
  // Positions of the loaded block: a varint stream, consumed lazily up to the current doc.
  std::string_view positions_;
  std::size_t positions_read_ = 0;  // bytes of positions_ consumed
  std::uint32_t positions_doc_ = 0;  // index of the doc whose positions start there
  // Since version 3, patched positions: the block's positions as one sequence in chunks.
  bool patched_positions_ = false;
  std::uint64_t block_positions_ = 0;  // positions in the block (sum of its freqs)
  std::uint64_t positions_value_ = 0;  // index in that sequence of positions_doc_'s first
  std::uint64_t next_chunk_ = 0;       // the chunk that starts at positions_[positions_read_]
  std::uint64_t loaded_chunk_ = ~std::uint64_t{0};
  std::uint32_t chunk_[kPositionChunk];
  Status status_;
};

}  // namespace stela::engine::codec
