#!/usr/bin/env bash
# The README's second command (and all of .ci/run): install dependencies, build, run every test.
#  1. the release build with all GoogleTest suites, through ctest;
#  2. a clang build of the libFuzzer targets, each run briefly over its seed corpus.
# STELA_FUZZ_SECONDS (default 30) sets how long each fuzzer runs; 0 only replays the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

echo "== build (release, tests) =="
scripts/build.sh -DSTELA_WERROR=ON
echo "== ctest =="
ctest --test-dir build --output-on-failure --parallel "$(nproc)" --timeout 600

echo "== fuzzers (clang, ASan+UBSan) =="
FUZZ_DIR=build-fuzz
if [ ! -f "$FUZZ_DIR/build.ninja" ]; then
  cmake --preset fuzz
fi
cmake --build "$FUZZ_DIR" --parallel "$(nproc)"
seconds=${STELA_FUZZ_SECONDS:-30}
for fuzzer in "$FUZZ_DIR"/tests/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer")
  seeds=tests/fuzz/corpus/${name%_fuzzer}
  work=$(mktemp -d)
  echo "-- $name: ${seconds}s over $seeds"
  if [ "$seconds" -gt 0 ]; then
    "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$work/" "$work" "$seeds" 2>&1 | tail -n 12
  else
    "$fuzzer" -runs=0 "$seeds" 2>&1 | tail -n 3
  fi
  rm -rf "$work"
done
echo "all tests passed"
