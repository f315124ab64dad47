// libFuzzer target: arbitrary bytes as an encoded postings list and as each on-disk record.
// Decoders must answer Corruption (or decode consistently), never crash or read out of bounds.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "engine/codec/postings.h"
#include "engine/index/records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  stela::engine::codec::PostingsIterator it;
  if (it.Init(bytes).ok()) {
    stela::engine::codec::PostingsSizes sizes;
    (void)it.AddSizes(&sizes);
    std::vector<std::uint32_t> positions;
    std::uint32_t last = 0;
    bool first = true;
    int steps = 0;
    while (it.doc() != stela::engine::codec::kNoMoreDocs && steps++ < 100000) {
      if (!first && it.doc() <= last) std::abort();  // docs must increase
      first = false;
      last = it.doc();
      (void)it.Positions(&positions);
      if (steps % 3 == 0) {
        it.Advance(it.doc() + 1000);
      } else {
        it.Next();
      }
    }
  }
  using namespace stela::engine::index;
  CommitRecord c;
  (void)DecodeCommit(bytes, &c);
  SegmentInfo s;
  (void)DecodeSegmentInfo(bytes, &s);
  stela::engine::StoredDocument d;
  (void)DecodeStoredDocument(bytes, &d);
  Operation op;
  (void)DecodeOperation(bytes, &op);
  IdLocation loc;
  (void)DecodeIdLocation(bytes, &loc);
  std::vector<std::uint32_t> norms;
  (void)DecodeNorms(bytes, size % 4096, &norms);
  return 0;
}
