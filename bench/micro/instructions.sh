#!/usr/bin/env bash
# Instruction counts (callgrind) per pass over each language's text: raw ICU break iteration
# (UTF-16) against the whole analysis chain. Repeatable whatever else the machine is doing, so
# the ratio does not drift with noise the way MB/s does.
#   bench/micro/instructions.sh [BUILD_DIR] [LANG...]   (text as in analysis_bench)
set -euo pipefail
BUILD=${1:-build}
shift || true
LANGS=${*:-en de fr es ru ar zh ja th}
BIN=$BUILD/bench/micro/analysis_bench
count() {  # $1 benchmark regex, $2 function pattern -> instructions per call
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    --toggle-collect="$2" "$BIN" --benchmark_filter="$1" --benchmark_min_time=0.01 >/dev/null 2>&1
  local ir calls
  ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
  calls=$(grep -c . <(callgrind_annotate --inclusive=yes "$out" 2>/dev/null | grep -F "$3" || true))
  rm -f "$out"
  echo "$ir"
}
printf "%-5s %16s %16s %8s\n" lang raw_icu_Ir chain_Ir ratio
for lang in $LANGS; do
  raw=$(count "BM_IcuBreakUtf16/$lang\$" '*RawBreakPass*' RawBreakPass)
  chain=$(count "BM_Chain/$lang\$" '*ChainStream::Analyze*' Analyze)
  printf "%-5s %16s %16s %7.2fx\n" "$lang" "$raw" "$chain" "$(echo "$chain / $raw" | bc -l)"
done
