#!/usr/bin/env bash
# Instruction counts (callgrind) for one pass over each language's text: raw ICU break iteration
# (UTF-16, the ceiling for any ICU chain) against the whole analysis chain. Under valgrind each
# benchmark runs exactly one iteration, so the count is per pass; unlike MB/s it does not drift
# with whatever else the machine is doing.
#   [STELA_BENCH_TEXT_DIR=DIR] bench/micro/instructions.sh [BUILD_DIR] [LANG...]
set -euo pipefail
BUILD=${1:-build}
shift || true
LANGS=${*:-en de fr es ru ar zh ja th}
BIN=$BUILD/bench/micro/analysis_bench
count() {  # $1 benchmark regex, $2 function glob -> instructions inside that function
  local out ir
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    --toggle-collect="$2" "$BIN" --benchmark_filter="$1" --benchmark_min_time=0.01 \
    >/dev/null 2>&1
  ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
  rm -f "$out"
  echo "$ir"
}
printf "%-5s %14s %14s %14s\n" lang raw_icu_Ir chain_Ir "chain/raw"
for lang in $LANGS; do
  raw=$(count "BM_IcuBreakUtf16/$lang\$" '*RawBreakPass*')
  chain=$(count "BM_Chain/$lang\$" '*ChainStream::Analyze*')
  printf "%-5s %14s %14s %13.2fx\n" "$lang" "$raw" "$chain" "$(awk "BEGIN{print $chain / $raw}")"
done
