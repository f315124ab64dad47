#!/usr/bin/env bash
# The README's second command (and all of .ci/run): install dependencies, build, run every test.
#  1. the release build with all GoogleTest suites, through ctest;
#  2. a ThreadSanitizer build of the concurrent suites (analyzers, engine index, check-index,
#     search);
#  3. the official Node.js clients (Elasticsearch 7, 8, 9 and OpenSearch, and @grpc/grpc-js on
#     the gRPC contract) against a node the suite starts (tests/api/node, npm registry packages
#     pinned by package-lock.json);
#  4. a clang build of the libFuzzer targets, each run briefly over its seed corpus.
# STELA_FUZZ_SECONDS (default 30) sets how long each fuzzer runs; 0 only replays the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

echo "== build (release, tests) =="
scripts/build.sh -DSTELA_WERROR=ON
echo "== ctest =="
ctest --test-dir build --output-on-failure --parallel "$(nproc)" --timeout 600 | tee build/ctest.log
ctest_total=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' build/ctest.log)

echo "== ThreadSanitizer: concurrent suites =="
if [ ! -f build-tsan/build.ninja ]; then
  cmake --preset tsan
fi
TSAN_TESTS=(analyzers/chain/stela_analyzers_test engine/index/stela_engine_index_test
            engine/check/stela_engine_check_test engine/search/stela_engine_search_test)
cmake --build build-tsan --parallel "$(nproc)" --target \
  "${TSAN_TESTS[@]##*/}"
for t in "${TSAN_TESTS[@]}"; do
  filter='*'
  # The search suite's reference test is single-threaded and slow under TSan: run the
  # concurrency test only.
  case "$t" in *search*) filter='SearchConcurrency*' ;; esac
  # Suppressions cover only races inside uninstrumented Debian libraries (see the file).
  TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 exitcode=66" \
    "build-tsan/$t" --gtest_brief=1 --gtest_filter="$filter"
done

echo "== Node.js clients against stela serve =="
(
  cd tests/api/node
  npm ci --no-audit --no-fund --loglevel=error
  STELA_BIN="$PWD/../../../build/api/server/stela" node --test clients.test.mjs grpc.test.mjs
) 2>&1 | tee build/node-tests.log
node_pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' build/node-tests.log)
node_fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' build/node-tests.log)
if [ "${node_fail:-1}" != "0" ]; then
  echo "Node client tests failed" >&2
  exit 1
fi

echo "== fuzzers (clang, ASan+UBSan) =="
FUZZ_DIR=build-fuzz
if [ ! -f "$FUZZ_DIR/build.ninja" ]; then
  cmake --preset fuzz
fi
fuzzers=()
for f in tests/fuzz/*_fuzzer.cc; do fuzzers+=("$(basename "${f%.cc}")"); done
cmake --build "$FUZZ_DIR" --parallel "$(nproc)" --target "${fuzzers[@]}"
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
echo "all suites passed (ctest, ThreadSanitizer, Node clients, fuzzers)"
echo "tests: $(( ${ctest_total:-0} + ${node_pass:-0} )) passed, 0 failed"
