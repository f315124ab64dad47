#!/usr/bin/env bash
# Every Google Benchmark suite, one after the other, with JSON results beside the console output:
#   bench/micro/run.sh [BUILD_DIR] [OUT_DIR] [extra benchmark flags...]
# analysis_bench (analysis MB/s per language vs raw ICU), codec_bench (postings encode/decode
# by density), topk_bench (top-10 per query class on a generated 50k-doc shard), reorder_bench
# (document reordering by recursive graph bisection: docs/s and log2-gap bits before and after).
# Medians over 5 repetitions; for numbers that must not drift with a busy machine, use
# bench/micro/instructions.sh (callgrind instruction counts).
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-bench-results}
shift 2 || true
mkdir -p "$OUT"
for b in codec_bench topk_bench analysis_bench reorder_bench; do
  bin="$BUILD/bench/micro/$b"
  if [[ ! -x $bin ]]; then
    echo "missing $bin: build with scripts/build.sh (STELA_BUILD_BENCH=ON)" >&2
    exit 1
  fi
  echo "== $b" >&2
  "$bin" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$OUT/$b.json" --benchmark_out_format=json "$@"
done
echo "results in $OUT/*.json" >&2
