// `stela bench gen` and `stela bench queries`: the benchmark corpus and query sets (issue: the
// benchmark harness). See bench/gen/corpus_gen.h for what they produce.
#pragma once

#include <string>
#include <vector>

namespace stela::api {

// Runs `stela bench SUB ...`; returns the process exit code.
int RunBench(const std::vector<std::string>& args);

}  // namespace stela::api
