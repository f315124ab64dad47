#!/usr/bin/env python3
"""Turns the texts a Debian machine already holds into Stela's JSON-lines corpus format.

Sources (nothing is downloaded):
  * the package lists apt keeps (/var/lib/apt/lists/*_Packages*, any compression apt reads):
    each package's name, section, version, size and description, in English;
  * translated descriptions, when apt keeps Translation-xx files (Description-xx);
  * the message catalogs of installed programs (/usr/share/locale/LANG/LC_MESSAGES/*.mo):
    each catalog's translated messages, grouped a few dozen per document, in ~100+ languages.

Each output line: {"id", "lang", "title", "body", "section", "version", "installed_size",
"source"} (the last four only for packages). Usage:

  bench/datasets/debian_sample.py [--limit N] [--out FILE]   (default: all, to stdout)
"""
import argparse
import glob
import json
import os
import struct
import subprocess
import sys


def apt_lines(path):
    """Yields the lines of an apt list file, decompressed by apt's own helper."""
    helper = '/usr/lib/apt/apt-helper'
    if os.path.exists(helper):
        proc = subprocess.Popen([helper, 'cat-file', path], stdout=subprocess.PIPE)
        for raw in proc.stdout:
            yield raw.decode('utf-8', 'replace').rstrip('\n')
        proc.wait()
    else:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                yield line.rstrip('\n')


def stanzas(path):
    fields, last = {}, None
    for line in apt_lines(path):
        if not line:
            if fields:
                yield fields
            fields, last = {}, None
        elif line[0] in ' \t' and last:
            fields[last] += '\n' + line
        elif ':' in line:
            key, _, value = line.partition(':')
            last = key
            fields[key] = value.strip()
    if fields:
        yield fields


def description_text(text):
    """Debian's description format: first line short, continuation lines, ' .' paragraphs."""
    lines = text.split('\n')
    short = lines[0].strip()
    body = []
    for line in lines[1:]:
        line = line.strip()
        body.append('' if line == '.' else line)
    return short, '\n'.join(body).strip()


def packages():
    seen = set()
    for path in sorted(glob.glob('/var/lib/apt/lists/*_Packages*')):
        for st in stanzas(path):
            name = st.get('Package')
            if not name or name in seen:
                continue
            seen.add(name)
            short, long_text = description_text(st.get('Description', ''))
            doc = {
                'id': 'pkg:' + name,
                'lang': 'en',
                'title': name + ' - ' + short,
                'body': long_text or short,
                'section': st.get('Section', ''),
                'version': st.get('Version', ''),
                'source': 'packages',
            }
            try:
                doc['installed_size'] = int(st.get('Installed-Size', '0'))
            except ValueError:
                pass
            yield doc
    for path in sorted(glob.glob('/var/lib/apt/lists/*_i18n_Translation-*')):
        lang = path.rsplit('Translation-', 1)[1].split('.')[0]
        for st in stanzas(path):
            name = st.get('Package')
            key = next((k for k in st if k.startswith('Description-')), None)
            if not name or not key:
                continue
            short, long_text = description_text(st[key])
            yield {
                'id': 'ddtp:%s:%s' % (lang, name),
                'lang': lang.split('_')[0],
                'title': name + ' - ' + short,
                'body': long_text or short,
                'source': 'translation',
            }


def mo_messages(path):
    """The (msgid, msgstr) pairs of a GNU gettext .mo file."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 28:
        return []
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic == 0x950412de else '>' if magic == 0xde120495 else None
    if endian is None:
        return []
    _, count, orig, trans = struct.unpack(endian + '4I', data[4:20])
    out = []
    for i in range(count):
        olen, ooff = struct.unpack(endian + '2I', data[orig + 8 * i:orig + 8 * i + 8])
        tlen, toff = struct.unpack(endian + '2I', data[trans + 8 * i:trans + 8 * i + 8])
        msgid = data[ooff:ooff + olen].decode('utf-8', 'replace')
        msgstr = data[toff:toff + tlen].decode('utf-8', 'replace')
        if msgid and msgstr and msgid != msgstr:
            out.append((msgid.split('\x00')[0], msgstr.split('\x00')[0]))
    return out


def catalogs(group=30):
    for path in sorted(glob.glob('/usr/share/locale/*/LC_MESSAGES/*.mo')):
        lang = path.split('/')[4]
        domain = os.path.basename(path)[:-3]
        try:
            messages = mo_messages(path)
        except (OSError, struct.error):
            continue
        for k in range(0, len(messages), group):
            chunk = [m[1].replace('%s', '').replace('%d', '').strip() for m in messages[k:k + group]]
            chunk = [c for c in chunk if c]
            if not chunk:
                continue
            yield {
                'id': 'mo:%s:%s:%d' % (lang, domain, k // group),
                'lang': lang.split('_')[0].split('@')[0],
                'title': '%s (%s)' % (chunk[0][:80], domain),
                'body': '\n'.join(chunk),
                'source': 'locale',
            }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--limit', type=int, default=0, help='stop after this many documents')
    ap.add_argument('--out', default='-', help='output file (default stdout)')
    args = ap.parse_args()
    out = sys.stdout if args.out == '-' else open(args.out, 'w', encoding='utf-8')
    n = 0
    # Interleave the sources so a small --limit still holds many languages.
    sources = [packages(), catalogs()]
    while sources and (args.limit == 0 or n < args.limit):
        for src in list(sources):
            doc = next(src, None)
            if doc is None:
                sources.remove(src)
                continue
            out.write(json.dumps(doc, ensure_ascii=False) + '\n')
            n += 1
            if args.limit and n >= args.limit:
                break
    if out is not sys.stdout:
        out.close()
    print('debian_sample: %d documents' % n, file=sys.stderr)


if __name__ == '__main__':
    main()
