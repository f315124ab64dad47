// Key layouts of the engine's column families (engine/FORMAT.md describes the values).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/coding.h"

namespace stela::engine::index::keys {

// terms: segment(4) field(2) term
inline std::string Term(std::uint32_t seg, std::uint16_t field, std::string_view term) {
  std::string k;
  PutFixed32BE(&k, seg);
  k.push_back(static_cast<char>(field >> 8));
  k.push_back(static_cast<char>(field));
  k.append(term);
  return k;
}

// docs: segment(4) docno(4)
inline std::string Doc(std::uint32_t seg, std::uint32_t docno) {
  std::string k;
  PutFixed32BE(&k, seg);
  PutFixed32BE(&k, docno);
  return k;
}

// segments: segment(4) kind(1) [field(2)]
inline constexpr char kSegmentInfo = 0, kLiveDocs = 1, kNorms = 2, kDocValues = 3;
inline std::string Segment(std::uint32_t seg, char kind) {
  std::string k;
  PutFixed32BE(&k, seg);
  k.push_back(kind);
  return k;
}
inline std::string Norms(std::uint32_t seg, std::uint16_t field) {
  std::string k = Segment(seg, kNorms);
  k.push_back(static_cast<char>(field >> 8));
  k.push_back(static_cast<char>(field));
  return k;
}

inline std::string DocValues(std::uint32_t seg, std::uint16_t field) {
  std::string k = Segment(seg, kDocValues);
  k.push_back(static_cast<char>(field >> 8));
  k.push_back(static_cast<char>(field));
  return k;
}

// The first key of segment `seg` in any segment-prefixed family, and the first key after it.
// Segment ids start at 1 and stay below 2^32 - 1.
inline std::string SegmentBegin(std::uint32_t seg) {
  std::string k;
  PutFixed32BE(&k, seg);
  return k;
}
inline std::string SegmentEnd(std::uint32_t seg) { return SegmentBegin(seg + 1); }

// ops: seq_no(8)
inline std::string Op(std::uint64_t seq_no) {
  std::string k;
  PutFixed64BE(&k, seq_no);
  return k;
}

inline constexpr std::string_view kCommitKey = "commit";
inline constexpr std::string_view kMappingsKey = "mappings";

}  // namespace stela::engine::index::keys
