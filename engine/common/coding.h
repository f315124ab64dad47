// Byte coding used by every on-disk format: LEB128 varints, big-endian fixed-width integers
// (so keys sort numerically as bytes), and bounds-checked decoding that reports Corruption.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "stela/common/status.h"

namespace stela {

inline void PutVarint32(std::string* out, std::uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutVarint64(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutFixed32BE(std::string* out, std::uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

inline void PutFixed64BE(std::string* out, std::uint64_t v) {
  PutFixed32BE(out, static_cast<std::uint32_t>(v >> 32));
  PutFixed32BE(out, static_cast<std::uint32_t>(v));
}

inline std::uint16_t DecodeFixed16BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint16_t>((u[0] << 8) | u[1]);
}

inline std::uint32_t DecodeFixed32BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

inline std::uint64_t DecodeFixed64BE(const char* p) {
  return (std::uint64_t{DecodeFixed32BE(p)} << 32) | DecodeFixed32BE(p + 4);
}

inline void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutVarint32(out, static_cast<std::uint32_t>(s.size()));
  out->append(s);
}

// Reads from a byte range; every Get* fails with Corruption instead of reading past the end.
// Not thread-safe.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool empty() const { return p_ == end_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  const char* position() const { return p_; }

  Status GetVarint32(std::uint32_t* v) {
    std::uint64_t x = 0;
    STELA_RETURN_IF_ERROR(GetVarint64(&x));
    if (x > 0xFFFFFFFFu) return Status::Corruption("varint32 overflows 32 bits");
    *v = static_cast<std::uint32_t>(x);
    return Status::OK();
  }

  Status GetVarint64(std::uint64_t* v) {
    std::uint64_t result = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (p_ == end_) return Status::Corruption("truncated varint");
      const auto byte = static_cast<unsigned char>(*p_++);
      result |= std::uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return Status::OK();
      }
    }
    return Status::Corruption("varint longer than 10 bytes");
  }

  Status GetFixed32BE(std::uint32_t* v) {
    if (remaining() < 4) return Status::Corruption("truncated fixed32");
    *v = DecodeFixed32BE(p_);
    p_ += 4;
    return Status::OK();
  }

  Status GetFixed64BE(std::uint64_t* v) {
    if (remaining() < 8) return Status::Corruption("truncated fixed64");
    *v = DecodeFixed64BE(p_);
    p_ += 8;
    return Status::OK();
  }

  Status GetByte(std::uint8_t* v) {
    if (p_ == end_) return Status::Corruption("truncated byte");
    *v = static_cast<std::uint8_t>(*p_++);
    return Status::OK();
  }

  Status GetBytes(std::size_t n, std::string_view* out) {
    if (remaining() < n) return Status::Corruption("truncated: needs " + std::to_string(n) +
                                                   " bytes, has " + std::to_string(remaining()));
    *out = std::string_view(p_, n);
    p_ += n;
    return Status::OK();
  }

  Status GetLengthPrefixed(std::string_view* out) {
    std::uint32_t n = 0;
    STELA_RETURN_IF_ERROR(GetVarint32(&n));
    return GetBytes(n, out);
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace stela
