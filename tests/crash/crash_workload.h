// The deterministic workload of the crash test: operation i of a run with a given seed is the same
// in the child that performs it and in the parent that checks the result.
#pragma once

#include <cstdint>
#include <string>

namespace stela::crashtest {

enum class OpKind { kIndex, kReplace, kDelete, kRefresh };

struct Op {
  OpKind kind;
  std::string id;
  std::string source;  // kIndex / kReplace
};

inline std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline std::string SourceFor(std::uint64_t i) {
  static const char* kWords[] = {"alpha", "beta", "gamma", "delta", "häuser", "東京", "données"};
  std::string body;
  for (std::uint64_t k = 0; k < 1 + i % 9; ++k) {
    if (!body.empty()) body += ' ';
    body += kWords[Mix(i * 31 + k) % 7];
  }
  return R"({"n": )" + std::to_string(i) + R"(, "body": ")" + body + R"(", "tag": "t)" +
         std::to_string(i % 5) + R"("})";
}

inline Op OpAt(std::uint64_t seed, std::uint64_t i) {
  const std::uint64_t r = Mix(seed ^ (i * 0x2545F4914F6CDD1DULL)) % 100;
  if (r < 65 || i < 10) return {OpKind::kIndex, "d" + std::to_string(i), SourceFor(i)};
  const std::uint64_t target = Mix(seed + i) % i;  // an earlier op's id
  if (r < 80) return {OpKind::kReplace, "d" + std::to_string(target), SourceFor(i)};
  if (r < 95) return {OpKind::kDelete, "d" + std::to_string(target), ""};
  return {OpKind::kRefresh, "", ""};
}

}  // namespace stela::crashtest
