#include "engine/codec/postings.h"

#include <algorithm>

#include "engine/common/bitpack.h"
#include "engine/common/interpolative.h"

namespace stela::engine::codec {

Status PostingsWriter::Add(std::uint32_t doc, std::uint32_t freq, const std::uint32_t* positions,
                           std::uint32_t field_length) {
  if (!docs_.empty() && doc <= docs_.back()) {
    return Status::InvalidArgument("docs out of order: " + std::to_string(doc) + " after " +
                                   std::to_string(docs_.back()));
  }
  if (doc == kNoMoreDocs) return Status::InvalidArgument("doc id reserved for the end");
  if (freq == 0) return Status::InvalidArgument("term frequency must be at least 1");
  if (with_positions_) {
    for (std::uint32_t i = 1; i < freq; ++i) {
      if (positions[i] < positions[i - 1]) {
        return Status::InvalidArgument("positions must not decrease");
      }
    }
    positions_.insert(positions_.end(), positions, positions + freq);
  }
  docs_.push_back(doc);
  freqs_.push_back(freq);
  lengths_.push_back(field_length);
  total_term_freq_ += freq;
  return Status::OK();
}

void PostingsWriter::Finish(std::string* out) {
  const std::size_t n = docs_.size();
  const std::size_t num_blocks = (n + kBlockSize - 1) / kBlockSize;
  // Since version 2 the block count follows from doc_freq, the last body's size from the list's
  // size, and a one-doc list's frequency from total_term_freq, so none of them is written (most
  // terms are rare: the header is most of their bytes). Version 3 packs frequencies and
  // positions with patched frame of reference (FORMAT.md); version 4 codes doc ids with binary
  // interpolative coding, which adapts to clusters of docs within a block.
  out->push_back(static_cast<char>(with_positions_ ? kKindV4Positions : kKindV4));
  PutVarint32(out, static_cast<std::uint32_t>(n));
  PutVarint64(out, total_term_freq_ - n);

  std::string& headers = headers_;
  std::string& bodies = bodies_;
  std::string& body = body_;
  std::vector<std::uint32_t>& deltas = deltas_;
  headers.clear();
  bodies.clear();
  std::uint32_t buf[kBlockSize];
  std::size_t pos_index = 0;
  std::int64_t prev_last = -1;
  for (std::size_t b = 0; b < num_blocks; ++b) {
    const std::size_t begin = b * kBlockSize;
    const std::size_t count = std::min<std::size_t>(kBlockSize, n - begin);
    body.clear();
    std::uint32_t max_freq = 0, min_length = ~0u;
    for (std::size_t i = 0; i < count; ++i) {
      max_freq = std::max(max_freq, freqs_[begin + i]);
      min_length = std::min(min_length, lengths_[begin + i]);
    }
    // A block of one doc (most rare terms' whole list) is fully described by its header: the
    // doc is last_doc and its frequency is max_freq. Only positions follow.
    const bool single = count == 1;
    if (!single) {
      // The block's docs but its last (the header has that one), between the previous block's
      // last doc and this one's: consecutive docs cost zero bits.
      const std::uint32_t lo = static_cast<std::uint32_t>(prev_last + 1);
      PackInterpolative(docs_.data() + begin, count - 1, lo, docs_[begin + count - 1] - 1, &body);
      for (std::size_t i = 0; i < count; ++i) buf[i] = freqs_[begin + i] - 1;
      PackPatched(buf, count, &body);
    }
    if (with_positions_) {
      // Deltas within each doc (its first from 0), the block's docs back to back.
      deltas.clear();
      for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t last = 0;
        for (std::uint32_t k = 0; k < freqs_[begin + i]; ++k) {
          const std::uint32_t p = positions_[pos_index++];
          deltas.push_back(p - last);
          last = p;
        }
      }
      if (deltas.size() < kPatchedPositionsMin) {
        for (std::uint32_t d : deltas) PutVarint32(&body, d);
      } else {
        for (std::size_t at = 0; at < deltas.size(); at += kPositionChunk) {
          PackPatched(deltas.data() + at, std::min<std::size_t>(kPositionChunk, deltas.size() - at),
                      &body);
        }
      }
    }
    const std::uint32_t last_doc = docs_[begin + count - 1];
    PutVarint32(&headers, static_cast<std::uint32_t>(last_doc - (prev_last + 1)));
    if (b + 1 < num_blocks) PutVarint32(&headers, static_cast<std::uint32_t>(body.size()));
    if (n > 1) PutVarint32(&headers, max_freq);
    PutVarint32(&headers, min_length);
    bodies += body;
    prev_last = last_doc;
  }
  out->append(headers);
  out->append(bodies);
  docs_.clear();
  freqs_.clear();
  lengths_.clear();
  positions_.clear();
  total_term_freq_ = 0;
}

namespace {

// A list's first bytes, before its doc count: the kind byte (and version 1's flags byte), which
// give the format version and whether positions follow.
Status ReadKind(Decoder* d, std::uint8_t* version, bool* has_positions) {
  std::uint8_t kind = 0;
  STELA_RETURN_IF_ERROR(d->GetByte(&kind));
  if (kind == kKindV1) {
    // Version 1 (written before format version 2) spells out what version 2 derives.
    std::uint8_t flags = 0;
    STELA_RETURN_IF_ERROR(d->GetByte(&flags));
    if (flags > 1) return Status::Corruption("unknown postings flags");
    *has_positions = flags & 1;
    *version = 1;
  } else if (kind == kKindV2 || kind == kKindV2Positions) {
    *has_positions = kind == kKindV2Positions;
    *version = 2;
  } else if (kind == kKindV3 || kind == kKindV3Positions) {
    *has_positions = kind == kKindV3Positions;
    *version = 3;
  } else if (kind == kKindV4 || kind == kKindV4Positions) {
    *has_positions = kind == kKindV4Positions;
    *version = 4;
  } else {
    return Status::Corruption("unknown postings format " + std::to_string(kind));
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::uint32_t> DocFreq(std::string_view encoded) {
  Decoder d(encoded);
  std::uint8_t version = 0;
  bool has_positions = false;
  STELA_RETURN_IF_ERROR(ReadKind(&d, &version, &has_positions));
  std::uint32_t doc_freq = 0;
  STELA_RETURN_IF_ERROR(d.GetVarint32(&doc_freq));
  return doc_freq;
}

bool PostingsIterator::Fail(Status s) {
  status_ = std::move(s);
  doc_ = kNoMoreDocs;
  return false;
}

Status PostingsIterator::Init(std::string_view encoded) {
  // A fresh iterator's state, but the block tables keep their capacity: an iterator re-initialised
  // term after term (merges, query planning) then allocates only for a list longer than before.
  std::vector<BlockInfo> blocks;
  std::vector<std::uint32_t> body_offsets;
  blocks.swap(blocks_);
  body_offsets.swap(body_offsets_);
  *this = PostingsIterator();
  blocks_.swap(blocks);
  body_offsets_.swap(body_offsets);
  blocks_.clear();
  body_offsets_.clear();
  encoded_size_ = encoded.size();
  Decoder d(encoded);
  STELA_RETURN_IF_ERROR(ReadKind(&d, &version_, &has_positions_));
  const bool v1 = version_ == 1;
  STELA_RETURN_IF_ERROR(d.GetVarint32(&doc_freq_));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&total_term_freq_));
  const std::uint64_t expected_blocks = (std::uint64_t{doc_freq_} + kBlockSize - 1) / kBlockSize;
  std::uint32_t num_blocks = static_cast<std::uint32_t>(expected_blocks);
  if (v1) {
    STELA_RETURN_IF_ERROR(d.GetVarint32(&num_blocks));
    if (num_blocks != expected_blocks) {
      return Status::Corruption("block count does not match doc count");
    }
    if (total_term_freq_ < doc_freq_) return Status::Corruption("fewer occurrences than docs");
  } else {
    if (total_term_freq_ > ~std::uint64_t{0} - doc_freq_) {
      return Status::Corruption("total term frequency overflows");
    }
    total_term_freq_ += doc_freq_;
  }
  // Each block header takes at least 2 bytes: a count beyond that is corrupt, and must not
  // size an allocation.
  if (num_blocks > d.remaining() / 2) return Status::Corruption("more blocks than bytes");
  blocks_.resize(num_blocks);
  body_offsets_.resize(num_blocks + 1);
  std::uint64_t prev_last_plus1 = 0;
  std::uint64_t offset = 0;
  for (std::uint32_t b = 0; b < num_blocks; ++b) {
    std::uint32_t delta = 0, bytes = 0, max_freq = 0, min_length = 0;
    STELA_RETURN_IF_ERROR(d.GetVarint32(&delta));
    const bool last_block = b + 1 == num_blocks;
    if (v1 || !last_block) STELA_RETURN_IF_ERROR(d.GetVarint32(&bytes));
    if (v1 || doc_freq_ > 1) {
      STELA_RETURN_IF_ERROR(d.GetVarint32(&max_freq));
    } else {
      if (total_term_freq_ > 0xFFFFFFFFu) return Status::Corruption("frequency over 32 bits");
      max_freq = static_cast<std::uint32_t>(total_term_freq_);
    }
    STELA_RETURN_IF_ERROR(d.GetVarint32(&min_length));
    const std::uint64_t last = prev_last_plus1 + delta;
    if (last >= kNoMoreDocs) return Status::Corruption("doc id out of range");
    if (max_freq == 0) return Status::Corruption("block with zero max frequency");
    if (!v1 && last_block) {
      if (offset > d.remaining()) return Status::Corruption("block sizes exceed the data");
      bytes = static_cast<std::uint32_t>(d.remaining() - offset);
    }
    blocks_[b] = BlockInfo{static_cast<std::uint32_t>(last), max_freq, min_length};
    body_offsets_[b] = static_cast<std::uint32_t>(offset);
    offset += bytes;
    prev_last_plus1 = last + 1;
  }
  if (offset != d.remaining()) return Status::Corruption("block sizes do not match the data");
  body_offsets_[num_blocks] = static_cast<std::uint32_t>(offset);
  STELA_RETURN_IF_ERROR(d.GetBytes(offset, &bodies_));
  if (num_blocks == 0) {
    doc_ = kNoMoreDocs;
    return Status::OK();
  }
  if (!LoadBlock(0)) return status_;
  return Status::OK();
}

Status PostingsIterator::ReadBlockValues(Decoder* d, std::uint32_t* out, const char* what) const {
  std::string_view packed;
  if (version_ >= 3) {
    const std::size_t used = UnpackPatched(d->position(), d->remaining(), block_count_, out);
    if (used == 0) return Status::Corruption(std::string("bad ") + what);
    return d->GetBytes(used, &packed);
  }
  std::uint8_t bits = 0;
  STELA_RETURN_IF_ERROR(d->GetByte(&bits));
  if (bits > 32) return Status::Corruption(std::string(what) + " wider than 32 bits");
  STELA_RETURN_IF_ERROR(d->GetBytes(PackedBytes(block_count_, bits), &packed));
  UnpackBits(packed.data(), block_count_, bits, out);
  return Status::OK();
}

bool PostingsIterator::LoadBlock(std::size_t block) {
  block_ = block;
  block_count_ = block + 1 == blocks_.size()
                     ? doc_freq_ - static_cast<std::uint32_t>(block * kBlockSize)
                     : kBlockSize;
  Decoder d(bodies_.substr(body_offsets_[block], body_offsets_[block + 1] - body_offsets_[block]));
  if (block_count_ == 1) {
    docs_[0] = blocks_[block].last_doc;
    freqs_[0] = blocks_[block].max_freq;
    return StartBlock(d);
  }
  if (version_ >= 4) {
    const std::size_t used =
        UnpackBlockDocs(block, block_count_, d.position(), d.remaining(), docs_);
    std::string_view packed;
    if (used == kInterpolativeError || !d.GetBytes(used, &packed).ok()) {
      return Fail(Status::Corruption("bad doc ids"));
    }
    return LoadFrequencies(d, block);
  }
  if (Status s = ReadBlockValues(&d, docs_, "doc gaps"); !s.ok()) return Fail(s);
  std::uint64_t prev = block == 0 ? 0 : std::uint64_t{blocks_[block - 1].last_doc} + 1;
  for (std::uint32_t i = 0; i < block_count_; ++i) {
    prev += docs_[i];
    if (prev >= kNoMoreDocs) return Fail(Status::Corruption("doc id out of range"));
    docs_[i] = static_cast<std::uint32_t>(prev);
    ++prev;
  }
  if (docs_[block_count_ - 1] != blocks_[block].last_doc) {
    return Fail(Status::Corruption("block's last doc disagrees with the skip data"));
  }
  return LoadFrequencies(d, block);
}

std::size_t PostingsIterator::UnpackBlockDocs(std::size_t block, std::uint32_t count,
                                              const char* in, std::size_t avail,
                                              std::uint32_t* docs) const {
  const std::uint32_t lo = block == 0 ? 0 : blocks_[block - 1].last_doc + 1;
  const std::uint32_t last = blocks_[block].last_doc;     // Init made it >= lo
  if (last - lo < count - 1) return kInterpolativeError;  // the docs do not fit below it
  docs[count - 1] = last;
  return UnpackInterpolative(in, avail, count - 1, lo, last - 1, docs);
}

bool PostingsIterator::LoadFrequencies(Decoder d, std::size_t block) {
  if (Status s = ReadBlockValues(&d, freqs_, "frequencies"); !s.ok()) return Fail(s);
  for (std::uint32_t i = 0; i < block_count_; ++i) {
    if (freqs_[i] >= blocks_[block].max_freq) {  // stored as freq - 1
      return Fail(Status::Corruption("frequency above the block maximum"));
    }
    ++freqs_[i];
  }
  return StartBlock(d);
}

bool PostingsIterator::StartBlock(const Decoder& d) {
  positions_ = std::string_view(d.position(), d.remaining());
  if (!has_positions_ && !positions_.empty()) {
    return Fail(Status::Corruption("trailing bytes in a block without positions"));
  }
  positions_read_ = 0;
  positions_doc_ = 0;
  patched_positions_ = false;
  if (has_positions_ && version_ >= 3) {
    block_positions_ = 0;
    for (std::uint32_t i = 0; i < block_count_; ++i) block_positions_ += freqs_[i];
    patched_positions_ = block_positions_ >= kPatchedPositionsMin;
    positions_value_ = 0;
    next_chunk_ = 0;
    loaded_chunk_ = ~std::uint64_t{0};
  }
  in_block_ = 0;
  doc_ = docs_[0];
  return true;
}

bool PostingsIterator::Next() {
  if (doc_ == kNoMoreDocs) return false;
  if (++in_block_ < block_count_) {
    doc_ = docs_[in_block_];
    return true;
  }
  if (block_ + 1 >= blocks_.size()) {
    doc_ = kNoMoreDocs;
    return false;
  }
  return LoadBlock(block_ + 1);
}

bool PostingsIterator::Advance(std::uint32_t target) {
  if (doc_ == kNoMoreDocs) return false;
  if (doc_ >= target) return true;
  if (blocks_[block_].last_doc < target) {
    // Skip whole blocks through the headers.
    const auto found = std::partition_point(
        blocks_.begin() + static_cast<std::ptrdiff_t>(block_ + 1), blocks_.end(),
        [target](const BlockInfo& info) { return info.last_doc < target; });
    const std::size_t b = static_cast<std::size_t>(found - blocks_.begin());
    if (b == blocks_.size()) {
      doc_ = kNoMoreDocs;
      return false;
    }
    if (!LoadBlock(b)) return false;
  }
  while (docs_[in_block_] < target) ++in_block_;  // the block's last doc is >= target
  doc_ = docs_[in_block_];
  return true;
}

Status PostingsIterator::AddSizes(PostingsSizes* sizes) const {
  sizes->postings += doc_freq_;
  std::uint64_t bodies = 0;
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const std::size_t count =
        b + 1 == blocks_.size() ? doc_freq_ - b * kBlockSize : kBlockSize;
    const std::size_t len = body_offsets_[b + 1] - body_offsets_[b];
    const std::string_view body = bodies_.substr(body_offsets_[b], len);
    bodies += body.size();
    if (count == 1) {  // described by its header: only positions in the body
      sizes->position_bytes += body.size();
      continue;
    }
    if (version_ >= 4) {
      std::uint32_t scratch[kBlockSize];
      const std::size_t doc_bytes =
          UnpackBlockDocs(b, static_cast<std::uint32_t>(count), body.data(), body.size(), scratch);
      const std::size_t freq_bytes =
          doc_bytes == kInterpolativeError
              ? 0
              : PatchedBytes(body.data() + doc_bytes, body.size() - doc_bytes, count);
      if (freq_bytes == 0) return Status::Corruption("bad doc ids or frequency widths");
      sizes->doc_bytes += doc_bytes;
      sizes->freq_bytes += freq_bytes;
      sizes->position_bytes += body.size() - doc_bytes - freq_bytes;
      continue;
    }
    if (version_ >= 3) {
      const std::size_t doc_bytes = PatchedBytes(body.data(), body.size(), count);
      const std::size_t freq_bytes =
          doc_bytes == 0 ? 0
                         : PatchedBytes(body.data() + doc_bytes, body.size() - doc_bytes, count);
      if (doc_bytes == 0 || freq_bytes == 0) return Status::Corruption("bad block widths");
      sizes->doc_bytes += doc_bytes;
      sizes->freq_bytes += freq_bytes;
      sizes->position_bytes += body.size() - doc_bytes - freq_bytes;
      continue;
    }
    if (body.empty() || static_cast<std::uint8_t>(body[0]) > 32) {
      return Status::Corruption("bad doc width");
    }
    const std::size_t doc_bytes = 1 + PackedBytes(count, static_cast<std::uint8_t>(body[0]));
    if (doc_bytes >= body.size() || static_cast<std::uint8_t>(body[doc_bytes]) > 32) {
      return Status::Corruption("bad frequency width");
    }
    const std::size_t freq_bytes =
        1 + PackedBytes(count, static_cast<std::uint8_t>(body[doc_bytes]));
    if (doc_bytes + freq_bytes > body.size()) return Status::Corruption("short block");
    sizes->doc_bytes += doc_bytes;
    sizes->freq_bytes += freq_bytes;
    sizes->position_bytes += body.size() - doc_bytes - freq_bytes;
  }
  sizes->header_bytes += encoded_size_ - bodies;
  return Status::OK();
}

Status PostingsIterator::Positions(std::vector<std::uint32_t>* out) {
  out->clear();
  if (!has_positions_) return Status::NotSupported("postings were written without positions");
  if (doc_ == kNoMoreDocs) return Status::InvalidArgument("iterator is exhausted");
  if (patched_positions_) {
    for (; positions_doc_ < in_block_; ++positions_doc_) positions_value_ += freqs_[positions_doc_];
    std::uint64_t p = 0;
    const std::uint64_t first = positions_value_, end = first + freqs_[in_block_];
    if (end > block_positions_) return Status::Corruption("positions beyond the block's");
    for (std::uint64_t i = first; i < end; ++i) {
      const std::uint64_t c = i / kPositionChunk;
      if (c != loaded_chunk_) STELA_RETURN_IF_ERROR(LoadPositionChunk(c));
      p += chunk_[i % kPositionChunk];
      if (p > 0xFFFFFFFFu) return Status::Corruption("position overflows 32 bits");
      out->push_back(static_cast<std::uint32_t>(p));
    }
    return Status::OK();
  }
  Decoder d(positions_.substr(positions_read_));
  std::uint32_t v = 0;
  // Skip the positions of the docs passed over since the last call.
  for (; positions_doc_ < in_block_; ++positions_doc_) {
    for (std::uint32_t k = 0; k < freqs_[positions_doc_]; ++k) {
      STELA_RETURN_IF_ERROR(d.GetVarint32(&v));
    }
  }
  const char* start = d.position();
  std::uint64_t p = 0;
  for (std::uint32_t k = 0; k < freqs_[in_block_]; ++k) {
    STELA_RETURN_IF_ERROR(d.GetVarint32(&v));
    p += v;
    if (p > 0xFFFFFFFFu) return Status::Corruption("position overflows 32 bits");
    out->push_back(static_cast<std::uint32_t>(p));
  }
  // Leave the cursor at the start of the current doc's positions so a repeated call works.
  positions_read_ = static_cast<std::size_t>(start - positions_.data());
  return Status::OK();
}

Status PostingsIterator::LoadPositionChunk(std::uint64_t c) {
  if (c < next_chunk_) {  // a repeated call reaching back a chunk: read again from the start
    positions_read_ = 0;
    next_chunk_ = 0;
  }
  auto chunk_size = [&](std::uint64_t k) {
    return static_cast<std::size_t>(
        std::min<std::uint64_t>(kPositionChunk, block_positions_ - k * kPositionChunk));
  };
  for (; next_chunk_ < c; ++next_chunk_) {  // skip whole chunks through their headers
    const std::size_t used =
        PatchedBytes(positions_.data() + positions_read_, positions_.size() - positions_read_,
                     chunk_size(next_chunk_));
    if (used == 0) return Status::Corruption("bad position chunk");
    positions_read_ += used;
  }
  const std::size_t used =
      UnpackPatched(positions_.data() + positions_read_, positions_.size() - positions_read_,
                    chunk_size(c), chunk_);
  if (used == 0) return Status::Corruption("bad position chunk");
  positions_read_ += used;
  next_chunk_ = c + 1;
  loaded_chunk_ = c;
  return Status::OK();
}

}  // namespace stela::engine::codec
