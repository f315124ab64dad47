#include "engine/codec/doc_values.h"

#include <algorithm>
#include <bit>
#include <map>

#include "engine/common/bitpack.h"
#include "engine/common/coding.h"

namespace stela::engine::codec {

namespace {
constexpr std::uint8_t kVersion = 1;
constexpr std::uint64_t kMaxValues = std::uint64_t{1} << 28;

std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// Bit-packs 64-bit values as two 32-bit halves (PackBits is 32-bit).
void Pack64(const std::vector<std::uint64_t>& values, std::string* out) {
  std::vector<std::uint32_t> lo(values.size()), hi(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    lo[i] = static_cast<std::uint32_t>(values[i]);
    hi[i] = static_cast<std::uint32_t>(values[i] >> 32);
  }
  for (const auto* half : {&lo, &hi}) {
    const int bits = MaxBits(half->data(), half->size());
    out->push_back(static_cast<char>(bits));
    PackBits(half->data(), half->size(), bits, out);
  }
}

Status Unpack32(Decoder* d, std::size_t n, std::vector<std::uint32_t>* out) {
  std::uint8_t bits = 0;
  STELA_RETURN_IF_ERROR(d->GetByte(&bits));
  if (bits > 32) return Status::Corruption("doc values width over 32 bits");
  std::string_view packed;
  STELA_RETURN_IF_ERROR(d->GetBytes(PackedBytes(n, bits), &packed));
  out->resize(n);
  UnpackBits(packed.data(), n, bits, out->data());
  return Status::OK();
}

}  // namespace

std::int64_t SortableDoubleBits(double v) {
  if (v == 0) v = 0;
  const std::int64_t bits = std::bit_cast<std::int64_t>(v);
  return bits < 0 ? bits ^ 0x7FFFFFFFFFFFFFFFLL : bits;
}

double DoubleFromSortableBits(std::int64_t v) {
  return std::bit_cast<double>(v < 0 ? v ^ 0x7FFFFFFFFFFFFFFFLL : v);
}

Status DocValuesWriter::Check(std::uint32_t doc) {
  if (!docs_.empty() && doc < docs_.back()) {
    return Status::InvalidArgument("doc values added out of doc order");
  }
  docs_.push_back(doc);
  return Status::OK();
}

Status DocValuesWriter::AddNumber(std::uint32_t doc, std::int64_t value) {
  if (kind_ != DocValuesKind::kNumeric) return Status::InvalidArgument("not a numeric column");
  STELA_RETURN_IF_ERROR(Check(doc));
  numbers_.push_back(value);
  return Status::OK();
}

Status DocValuesWriter::AddTerm(std::uint32_t doc, std::string_view term) {
  if (kind_ != DocValuesKind::kKeyword) return Status::InvalidArgument("not a keyword column");
  STELA_RETURN_IF_ERROR(Check(doc));
  terms_.emplace_back(term);
  return Status::OK();
}

Status DocValuesWriter::Finish(std::uint32_t max_doc, std::string* out) {
  if (!docs_.empty() && docs_.back() >= max_doc) {
    return Status::InvalidArgument("doc values beyond max_doc");
  }
  out->push_back(static_cast<char>(kVersion));
  out->push_back(static_cast<char>(kind_));
  PutVarint32(out, max_doc);
  std::vector<std::uint32_t> counts(max_doc, 0);
  for (std::uint32_t d : docs_) ++counts[d];
  const int count_bits = MaxBits(counts.data(), counts.size());
  out->push_back(static_cast<char>(count_bits));
  PackBits(counts.data(), counts.size(), count_bits, out);
  // Values of each doc ascending (sorted-set / sorted-numeric semantics).
  std::vector<std::size_t> order(docs_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (kind_ == DocValuesKind::kNumeric) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return docs_[a] != docs_[b] ? docs_[a] < docs_[b] : numbers_[a] < numbers_[b];
    });
    const std::int64_t min =
        numbers_.empty() ? 0 : *std::min_element(numbers_.begin(), numbers_.end());
    PutVarint64(out, ZigZag(min));
    std::vector<std::uint64_t> deltas;
    deltas.reserve(order.size());
    for (std::size_t i : order) {
      deltas.push_back(static_cast<std::uint64_t>(numbers_[i]) - static_cast<std::uint64_t>(min));
    }
    Pack64(deltas, out);
  } else {
    std::vector<std::string> dict = terms_;
    std::sort(dict.begin(), dict.end());
    dict.erase(std::unique(dict.begin(), dict.end()), dict.end());
    PutVarint32(out, static_cast<std::uint32_t>(dict.size()));
    for (const std::string& t : dict) PutLengthPrefixed(out, t);
    std::vector<std::uint32_t> ords(terms_.size());
    for (std::size_t i = 0; i < terms_.size(); ++i) {
      ords[i] = static_cast<std::uint32_t>(std::lower_bound(dict.begin(), dict.end(), terms_[i]) -
                                           dict.begin());
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return docs_[a] != docs_[b] ? docs_[a] < docs_[b] : ords[a] < ords[b];
    });
    std::vector<std::uint32_t> sorted;
    sorted.reserve(order.size());
    for (std::size_t i : order) sorted.push_back(ords[i]);
    const int bits = MaxBits(sorted.data(), sorted.size());
    out->push_back(static_cast<char>(bits));
    PackBits(sorted.data(), sorted.size(), bits, out);
  }
  docs_.clear();
  numbers_.clear();
  terms_.clear();
  return Status::OK();
}

Status DocValuesColumn::Decode(std::string_view in, DocValuesColumn* out) {
  *out = DocValuesColumn();
  Decoder d(in);
  std::uint8_t version = 0, kind = 0;
  STELA_RETURN_IF_ERROR(d.GetByte(&version));
  if (version != kVersion) return Status::Corruption("unknown doc values version");
  STELA_RETURN_IF_ERROR(d.GetByte(&kind));
  if (kind != 1 && kind != 2) return Status::Corruption("unknown doc values kind");
  out->kind_ = static_cast<DocValuesKind>(kind);
  std::uint32_t max_doc = 0;
  STELA_RETURN_IF_ERROR(d.GetVarint32(&max_doc));
  if (max_doc > d.remaining() * 8 + 8) return Status::Corruption("max_doc larger than the data");
  std::vector<std::uint32_t> counts;
  STELA_RETURN_IF_ERROR(Unpack32(&d, max_doc, &counts));
  out->offsets_.resize(std::size_t{max_doc} + 1);
  std::uint64_t total = 0;
  for (std::uint32_t i = 0; i < max_doc; ++i) {
    out->offsets_[i] = static_cast<std::uint32_t>(total);
    total += counts[i];
    // Values of one column stay far below this; a larger total is a corrupt count array and
    // must not size an allocation. (Zero-width packing means the bytes cannot bound it.)
    if (total > kMaxValues) return Status::Corruption("too many doc values");
  }
  out->offsets_[max_doc] = static_cast<std::uint32_t>(total);
  if (out->kind_ == DocValuesKind::kNumeric) {
    std::uint64_t zmin = 0;
    STELA_RETURN_IF_ERROR(d.GetVarint64(&zmin));
    const std::int64_t min = UnZigZag(zmin);
    std::vector<std::uint32_t> lo, hi;
    STELA_RETURN_IF_ERROR(Unpack32(&d, total, &lo));
    STELA_RETURN_IF_ERROR(Unpack32(&d, total, &hi));
    out->numbers_.resize(total);
    for (std::size_t i = 0; i < total; ++i) {
      const std::uint64_t delta = (std::uint64_t{hi[i]} << 32) | lo[i];
      out->numbers_[i] = static_cast<std::int64_t>(static_cast<std::uint64_t>(min) + delta);
    }
  } else {
    std::uint32_t n = 0;
    STELA_RETURN_IF_ERROR(d.GetVarint32(&n));
    if (n > d.remaining()) return Status::Corruption("more terms than bytes");
    out->terms_.resize(n);
    for (std::string& t : out->terms_) {
      std::string_view s;
      STELA_RETURN_IF_ERROR(d.GetLengthPrefixed(&s));
      t.assign(s);
    }
    STELA_RETURN_IF_ERROR(Unpack32(&d, total, &out->ords_));
    for (std::uint32_t o : out->ords_) {
      if (o >= n) return Status::Corruption("ordinal beyond the dictionary");
    }
  }
  if (!d.empty()) return Status::Corruption("trailing bytes after doc values");
  return Status::OK();
}

}  // namespace stela::engine::codec
