// The crash test's child: opens the index at argv[1] and performs operations argv[3].. of the
// workload with seed argv[2], printing "ack <i>" on standard output (unbuffered) after each
// acknowledged operation, until it is killed.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "stela/engine/index.h"
#include "tests/crash/crash_workload.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: crash_child DIR SEED FIRST_OP\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  std::uint64_t i = std::strtoull(argv[3], nullptr, 10);
  auto registry = stela::analyzers::Registry::CreateBuiltin();
  if (!registry.ok()) return 3;
  stela::engine::IndexOptions options;
  options.max_buffer_bytes = 256 << 10;  // small, so size-triggered refreshes happen too
  options.reorder_min_docs = 64;          // merges reorder their docs, so kills land in that too
  auto index = stela::engine::Index::Open(dir, options, **registry);
  if (!index.ok()) {
    std::fprintf(stderr, "open: %s\n", index.status().ToString().c_str());
    return 4;
  }
  for (;; ++i) {
    const stela::crashtest::Op op = stela::crashtest::OpAt(seed, i);
    stela::Status s;
    switch (op.kind) {
      case stela::crashtest::OpKind::kIndex:
      case stela::crashtest::OpKind::kReplace:
        s = (*index)->IndexDocument(op.id, op.source).status();
        break;
      case stela::crashtest::OpKind::kDelete:
        s = (*index)->DeleteDocument(op.id).status();
        break;
      case stela::crashtest::OpKind::kRefresh:
        s = (*index)->Refresh();
        break;
    }
    if (!s.ok()) {
      std::fprintf(stderr, "op %llu: %s\n", static_cast<unsigned long long>(i),
                   s.ToString().c_str());
      return 5;
    }
    const std::string line = "ack " + std::to_string(i) + "\n";
    if (write(STDOUT_FILENO, line.data(), line.size()) < 0) return 6;
  }
}
