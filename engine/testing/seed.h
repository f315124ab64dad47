// TestSeed: the seed of a randomised test, random unless STELA_TEST_SEED gives one, printed
// once per process under `name` so a failing run can be replayed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace stela::testing {

inline std::uint64_t TestSeed(const char* name) {
  const char* env = std::getenv("STELA_TEST_SEED");
  const std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::printf("%s: STELA_TEST_SEED=%llu\n", name, static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace stela::testing
