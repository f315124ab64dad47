#!/usr/bin/env python3
"""Writes per-language text samples from a JSON-lines corpus ({"lang","title","body"} per line).

Usage: zstd -dc public.jsonl.zst | bench/datasets/language_samples.py OUT_DIR [--bytes N] [--tsv]

  OUT_DIR/<lang>.txt   up to N bytes (default 1 MiB) of body text per language, documents in
                       corpus order, for the analysis benchmarks (STELA_BENCH_TEXT_DIR=OUT_DIR).
  OUT_DIR/paragraphs.tsv (with --tsv) "lang<TAB>paragraph" lines: the first paragraph of each
                       document body, 40-400 characters, at most 200 per language, for measuring
                       language detection (bench/micro/detect_eval).
"""
import json
import os
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out_dir = args[0]
    limit = 1 << 20
    if "--bytes" in args:
        limit = int(args[args.index("--bytes") + 1])
    want_tsv = "--tsv" in args
    os.makedirs(out_dir, exist_ok=True)
    sizes, files, per_lang = {}, {}, {}
    tsv = open(os.path.join(out_dir, "paragraphs.tsv"), "w", encoding="utf-8") if want_tsv else None
    seen = 0
    for line in sys.stdin:
        doc = json.loads(line)
        lang, body = doc.get("lang", ""), doc.get("body") or ""
        seen += 1
        if seen % 20000 == 0:
            print(f"\r{seen} documents read", end="", file=sys.stderr, flush=True)
        if not lang or not body:
            continue
        if sizes.get(lang, 0) < limit:
            if lang not in files:
                files[lang] = open(os.path.join(out_dir, lang + ".txt"), "w", encoding="utf-8")
            files[lang].write(body + "\n")
            sizes[lang] = sizes.get(lang, 0) + len(body.encode("utf-8")) + 1
        if tsv is not None and per_lang.get(lang, 0) < 200:
            para = body.split("\n\n")[0].replace("\n", " ").replace("\t", " ").strip()
            if 40 <= len(para) <= 400:
                tsv.write(f"{lang}\t{para}\n")
                per_lang[lang] = per_lang.get(lang, 0) + 1
    for f in files.values():
        f.close()
    if tsv is not None:
        tsv.close()
    print(f"\r{seen} documents read, {len(files)} languages written to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
