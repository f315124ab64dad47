#!/usr/bin/env bash
# The README's first command: install dependencies, build, start a Stela node on embedded
# defaults (http://127.0.0.1:9200, data in ./data), load a multilingual sample made from this
# machine's own Debian package lists and message catalogs, show a search, and keep serving until
# Ctrl-C. STELA_PORT, STELA_DATA and STELA_SAMPLE_DOCS (default 20000) change the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
STELA=build/api/server/stela
PORT=${STELA_PORT:-9200}
DATA=${STELA_DATA:-data}
DOCS=${STELA_SAMPLE_DOCS:-20000}
URL="http://127.0.0.1:$PORT"

"$STELA" serve --data "$DATA" --port "$PORT" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER' INT TERM
for _ in $(seq 1 100); do
  curl -sf "$URL/" >/dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "stela serve did not start" >&2; exit 1; }
  sleep 0.1
done

if [ "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/sample")" != "200" ]; then
  echo "== loading $DOCS sample documents into index [sample] =="
  curl -sf -XPUT "$URL/sample" -H 'Content-Type: application/json' -d '{
    "settings": {"number_of_replicas": 0},
    "mappings": {"properties": {
      "title": {"type": "text"}, "body": {"type": "text"}, "lang": {"type": "keyword"},
      "section": {"type": "keyword"}, "source": {"type": "keyword"},
      "version": {"type": "keyword"}, "installed_size": {"type": "long"}}}}' >/dev/null
  sample=$(mktemp)
  python3 bench/datasets/debian_sample.py --limit "$DOCS" --out "$sample"
  # _bulk in chunks of 2,000 documents, with progress.
  python3 - "$sample" "$URL" <<'PY'
import json, sys, urllib.request
path, url = sys.argv[1], sys.argv[2]
docs = [json.loads(l) for l in open(path, encoding='utf-8')]
for start in range(0, len(docs), 2000):
    lines = []
    for d in docs[start:start + 2000]:
        lines.append(json.dumps({'index': {'_id': d['id']}}))
        lines.append(json.dumps(d, ensure_ascii=False))
    body = ('\n'.join(lines) + '\n').encode('utf-8')
    req = urllib.request.Request(url + '/sample/_bulk', data=body,
                                 headers={'Content-Type': 'application/x-ndjson'})
    res = json.load(urllib.request.urlopen(req))
    if res['errors']:
        sys.exit('bulk errors: %s' % [i for i in res['items'] if 'error' in next(iter(i.values()))][:3])
    print('\r  %d/%d documents' % (min(start + 2000, len(docs)), len(docs)), end='', file=sys.stderr)
print(file=sys.stderr)
PY
  rm -f "$sample"
  curl -sf -XPOST "$URL/sample/_refresh" >/dev/null
fi

echo
echo "== a search: curl '$URL/sample/_search?q=compression&size=3&_source=title,lang' =="
curl -s "$URL/sample/_search?q=compression&size=3&_source=title,lang"
echo
echo
echo "== the same in German words, no language given: 'Kompression' =="
curl -s "$URL/sample/_search" -H 'Content-Type: application/json' \
  -d '{"size": 3, "_source": ["title", "lang"], "query": {"match": {"body": "Kompression"}}}'
echo
echo
echo "stela is serving $URL (index [sample]); Ctrl-C stops it."
wait $SERVER
