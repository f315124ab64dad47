// The crash test's child: opens the index at argv[1] and performs operations argv[3].. of the
// workload with seed argv[2], printing "ack <i>" on standard output (unbuffered) after each
// acknowledged operation, until it is killed. With argv[4] = "bulk", operations go in bulks of
// 1-64 as the _bulk endpoint sends them: each write skips its own fsync, one Index::Sync ends
// the bulk, and only then are its operations acknowledged. With argv[4] = "async", the index
// uses durability async (synced every 20 ms): an ack then promises nothing.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "stela/engine/index.h"
#include "tests/crash/crash_workload.h"

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: crash_child DIR SEED FIRST_OP [bulk|async]\n");
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
  const std::string mode = argc == 5 ? argv[4] : "";
  if (mode == "async") {
    options.durability = stela::engine::Durability::kAsync;
    options.sync_interval_ms = 20;
  }
  auto index = stela::engine::Index::Open(dir, options, **registry);
  if (!index.ok()) {
    std::fprintf(stderr, "open: %s\n", index.status().ToString().c_str());
    return 4;
  }
  const bool bulk = mode == "bulk";
  stela::engine::WriteOptions write_options;
  write_options.defer_sync = bulk;
  std::uint64_t bulk_left = 0, bulk_first = i;
  for (;; ++i) {
    if (bulk && bulk_left == 0) {
      bulk_left = 1 + stela::crashtest::Mix(seed ^ i) % 64;
      bulk_first = i;
    }
    const stela::crashtest::Op op = stela::crashtest::OpAt(seed, i);
    stela::Status s;
    switch (op.kind) {
      case stela::crashtest::OpKind::kIndex:
      case stela::crashtest::OpKind::kReplace:
        s = (*index)->IndexDocument(op.id, op.source, write_options).status();
        break;
      case stela::crashtest::OpKind::kDelete:
        s = (*index)->DeleteDocument(op.id, write_options).status();
        break;
      case stela::crashtest::OpKind::kRefresh:
        s = (*index)->Refresh();
        break;
    }
    if (s.ok() && bulk && --bulk_left == 0) s = (*index)->Sync();
    if (!s.ok()) {
      std::fprintf(stderr, "op %llu: %s\n", static_cast<unsigned long long>(i),
                   s.ToString().c_str());
      return 5;
    }
    if (bulk && bulk_left != 0) continue;
    std::string acks;
    for (std::uint64_t k = bulk ? bulk_first : i; k <= i; ++k) {
      acks += "ack " + std::to_string(k) + "\n";
    }
    if (write(STDOUT_FILENO, acks.data(), acks.size()) < 0) return 6;
  }
}
