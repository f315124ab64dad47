// Value encodings of the engine's records: commit point, segment info, stored document,
// operation, id location. Versioned; described in engine/FORMAT.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"
#include "stela/engine/index.h"

namespace stela::engine::index {

inline constexpr std::uint8_t kRecordVersion = 1;

struct CommitRecord {
  std::uint64_t committed_seq_no = 0;  // every op at or below is in the listed segments
  std::uint32_t next_segment = 1;
  std::vector<std::uint32_t> segments;
};
std::string EncodeCommit(const CommitRecord& c);
Status DecodeCommit(std::string_view in, CommitRecord* c);

struct SegmentInfo {
  std::uint32_t id = 0;
  std::uint32_t max_doc = 0;  // docnos are 0 .. max_doc-1
  std::map<std::uint16_t, FieldStats> fields;
};
std::string EncodeSegmentInfo(const SegmentInfo& s);
Status DecodeSegmentInfo(std::string_view in, SegmentInfo* s);

// Stored document: the docs column family's value.
std::string EncodeStoredDocument(const StoredDocument& d);
Status DecodeStoredDocument(std::string_view in, StoredDocument* d);

enum class OpType : std::uint8_t { kIndex = 1, kDelete = 2 };
struct Operation {
  OpType type = OpType::kIndex;
  std::uint64_t seq_no = 0;
  std::uint64_t primary_term = 0;
  std::uint64_t version = 0;
  std::string id;
  std::string source;  // kIndex only
};
std::string EncodeOperation(const Operation& op);
Status DecodeOperation(std::string_view in, Operation* op);

// Where the committed copy of an id lives (ids column family).
struct IdLocation {
  std::uint32_t segment = 0;
  std::uint32_t docno = 0;
  std::uint64_t seq_no = 0;
  std::uint64_t version = 0;
  std::uint64_t primary_term = 0;
};
std::string EncodeIdLocation(const IdLocation& l);
Status DecodeIdLocation(std::string_view in, IdLocation* l);

// The statistics of a field from its norms: docs with a non-zero length, and their sum.
FieldStats StatsFromNorms(const std::vector<std::uint32_t>& lengths);

// Field lengths of one field in one segment (norms), one varint per docno.
std::string EncodeNorms(const std::vector<std::uint32_t>& lengths);
Status DecodeNorms(std::string_view in, std::uint32_t max_doc, std::vector<std::uint32_t>* lengths);

}  // namespace stela::engine::index
