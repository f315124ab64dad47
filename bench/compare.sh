#!/usr/bin/env bash
# Stela's engine (embedded, one thread, no HTTP) and Apache Lucene 8 (Debian's liblucene8-java,
# one thread) on the same corpus and queries, in the same run, on the same machine; prints the
# ratio table: indexing docs/s and MB/s, index size, median and p99 latency per query class, and
# overlap@10 of the result lists (plus MRR@10 for known-item queries).
#
#   bench/compare.sh CORPUS.jsonl QUERIES.jsonl [WORKDIR]
#
# CORPUS lines are {"id","lang","title","body",...}; QUERIES lines either {"qid","class","text"}
# (stela bench queries) or {"qid","text","target_id"} (known-item). Needs a release build
# (scripts/build.sh) and installs the JDK and Lucene packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=$(realpath "$1")
QUERIES=$(realpath "$2")
WORK=${3:-$(mktemp -d /tmp/stela-compare-XXXXXX)}
mkdir -p "$WORK"
REPS=${STELA_COMPARE_REPS:-3}

need=()
for p in liblucene8-java libicu4j-java; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
command -v javac >/dev/null || need+=(default-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
LV=$(ls /usr/share/java/lucene-core-8*.jar | head -1 | sed 's/.*lucene-core-\(.*\)\.jar/\1/')
CP="$WORK/classes:/usr/share/java/lucene-core-$LV.jar:/usr/share/java/lucene-analyzers-common-$LV.jar:/usr/share/java/lucene-analyzers-icu-$LV.jar:/usr/share/java/icu4j.jar"
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$CP" bench/peers/lucene/LuceneBench.java

echo "== Stela: indexing $(wc -l < "$CORPUS") documents ==" >&2
rm -rf "$WORK/stela"
build/bench/macro/index_bench --dir "$WORK/stela" < "$CORPUS" > "$WORK/stela-index.txt"
echo "== Lucene: indexing ==" >&2
rm -rf "$WORK/lucene"
java -Xmx4g -cp "$CP" LuceneBench index "$CORPUS" "$WORK/lucene" > "$WORK/lucene-index.json"

echo "== Stela: $REPS passes over the queries ==" >&2
build/bench/macro/search_bench --dir "$WORK/stela" --queries "$QUERIES" --reps "$REPS" \
  --results "$WORK/stela-results.tsv" > "$WORK/stela-search.txt"
echo "== Lucene: $REPS passes over the queries ==" >&2
java -Xmx4g -cp "$CP" LuceneBench search "$WORK/lucene" "$QUERIES" "$WORK/lucene-results.tsv" "$REPS" \
  > "$WORK/lucene-search.txt"

python3 - "$WORK" "$QUERIES" <<'PY'
import json, re, sys
work, queries = sys.argv[1], sys.argv[2]
si = open(work + '/stela-index.txt').read()
m = re.search(r'indexed (\d+) docs .* in ([\d.]+) s: ([\d.]+) docs/s, ([\d.]+) MB/s', si)
disk = re.search(r'disk: (\d+) bytes index, (\d+) bytes stored', si)
stela = {'docs_per_s': float(m.group(3)), 'mb_per_s': float(m.group(4)),
         'bytes': int(disk.group(1)) + int(disk.group(2))}
li = json.loads(open(work + '/lucene-index.json').read().strip().splitlines()[-1])
def classes(path):
    out = {}
    for line in open(path):
        c = re.match(r'class (\S+)\s+queries (\d+)\s+p50 ([\d.]+) ms\s+p99 ([\d.]+) ms', line)
        if c:
            out[c.group(1)] = (float(c.group(3)), float(c.group(4)))
    return out
sc, lc = classes(work + '/stela-search.txt'), classes(work + '/lucene-search.txt')
def load(p):
    r = {}
    for line in open(p, encoding='utf-8'):
        q, _, ids = line.rstrip('\n').partition('\t')
        r[q] = ids.split('\x01') if ids else []
    return r
a, b = load(work + '/stela-results.tsv'), load(work + '/lucene-results.tsv')
qs = [json.loads(l) for l in open(queries, encoding='utf-8')]
overlap = {}
rr = [0.0, 0.0, 0]
for q in qs:
    qid = str(q.get('qid'))
    if qid not in a or qid not in b:
        continue
    cls = q.get('class', 'known-item')
    denom = max(1, min(10, max(len(a[qid]), len(b[qid]))))
    overlap.setdefault(cls, []).append(len(set(a[qid]) & set(b[qid])) / denom)
    if 'target_id' in q:
        for k, res in ((0, a[qid]), (1, b[qid])):
            if q['target_id'] in res:
                rr[k] += 1.0 / (res.index(q['target_id']) + 1)
        rr[2] += 1
print('| measure | Stela | Lucene | Stela / Lucene |')
print('|---|---|---|---|')
print('| indexing docs/s | %.0f | %.0f | %.2f |' % (stela['docs_per_s'], li['docs_per_s'], stela['docs_per_s'] / li['docs_per_s']))
print('| indexing MB/s | %.2f | %.2f | %.2f |' % (stela['mb_per_s'], li['mb_per_s'], stela['mb_per_s'] / li['mb_per_s']))
print('| index size with _source (MB) | %.1f | %.1f | %.2f |' % (stela['bytes'] / 1e6, li['index_bytes'] / 1e6, stela['bytes'] / li['index_bytes']))
for cls in sorted(set(sc) & set(lc)):
    (s50, s99), (l50, l99) = sc[cls], lc[cls]
    ov = sum(overlap.get(cls, [0])) / max(1, len(overlap.get(cls, [0])))
    print('| %s p50 ms (overlap@10 %.2f) | %.3f | %.3f | %.2f |' % (cls, ov, s50, l50, s50 / l50))
    print('| %s p99 ms | %.3f | %.3f | %.2f |' % (cls, s99, l99, s99 / l99))
if rr[2]:
    print('| known-item MRR@10 | %.4f | %.4f | %.3f |' % (rr[0] / rr[2], rr[1] / rr[2], rr[0] / max(1e-9, rr[1])))
PY
echo "(raw outputs in $WORK)" >&2
