#!/usr/bin/env python3
"""Compares two engines' top-10 result files (qid TAB ids joined by \\x01) on known-item queries:
MRR@10 per engine and per language, and overlap@10 between the two lists.

  bench/compare_results.py QUERIES.jsonl STELA.tsv LUCENE.tsv
"""
import collections
import json
import sys


def load(path):
    out = {}
    for line in open(path, encoding='utf-8'):
        qid, _, ids = line.rstrip('\n').partition('\t')
        out[qid] = ids.split('\x01') if ids else []
    return out


def main():
    queries = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
    a, b = load(sys.argv[2]), load(sys.argv[3])
    rr = collections.defaultdict(lambda: [0.0, 0.0, 0])
    overlap = []
    for q in queries:
        qid = str(q.get('qid'))
        if qid not in a or qid not in b:
            continue
        for k, res in ((0, a[qid]), (1, b[qid])):
            if q.get('target_id') in res:
                rr[q['lang']][k] += 1.0 / (res.index(q['target_id']) + 1)
        rr[q['lang']][2] += 1
        overlap.append(len(set(a[qid]) & set(b[qid])) / 10.0)
    n = sum(v[2] for v in rr.values())
    print('queries %d: MRR@10 stela %.4f, lucene %.4f; overlap@10 %.3f' % (
        n, sum(v[0] for v in rr.values()) / n, sum(v[1] for v in rr.values()) / n,
        sum(overlap) / max(1, len(overlap))))
    worst = sorted(((v[0] - v[1]) / v[2], lang, v[2]) for lang, v in rr.items() if v[2] >= 20)
    print('languages where stela trails most (difference in MRR, queries):')
    for d, lang, count in worst[:10]:
        print('  %s %+.3f (%d)' % (lang, d, count))


if __name__ == '__main__':
    main()
