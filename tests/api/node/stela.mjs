// Starts a Stela node for a test suite: its own data directory, a free loopback port, stopped
// (SIGTERM, then checked) at the end. STELA_BIN names the binary (default: the release build).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function startStela() {
  const bin = process.env.STELA_BIN || resolve(here, '../../../build/api/server/stela');
  const dir = mkdtempSync(join(tmpdir(), 'stela-node-test-'));
  const portFile = join(dir, 'port');
  const child = spawn(bin, ['serve', '--data', join(dir, 'data'), '--port', '0', '--grpc-port', '0', '--port-file', portFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  for (let i = 0; i < 600 && !existsSync(portFile); i++) {
    if (exited) throw new Error(`stela exited early: ${JSON.stringify(exited)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [port, grpcPort] = readFileSync(portFile, 'utf8').trim().split('\n').map(Number);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    grpcPort,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
}

// A small multilingual corpus, generated from a seed (printed by the suites).
const words = {
  en: ['search', 'engine', 'quick', 'brown', 'fox', 'lazy', 'dog', 'river', 'mountain', 'library', 'window', 'garden'],
  de: ['Suche', 'Maschine', 'schnell', 'Fuchs', 'Hund', 'Fluss', 'Berg', 'Bibliothek', 'Fenster', 'Garten', 'Häuser', 'Straße'],
  fr: ['recherche', 'moteur', 'rapide', 'renard', 'chien', 'rivière', 'montagne', 'bibliothèque', 'fenêtre', 'jardin'],
  zh: ['搜索', '引擎', '北京', '大学', '图书馆', '河流', '山脉', '花园'],
};

export function corpus(n, seed) {
  let s = seed >>> 0;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
  const langs = Object.keys(words);
  const docs = [];
  for (let i = 0; i < n; i++) {
    const lang = langs[i % langs.length];
    const w = words[lang];
    const pick = () => w[Math.floor(rnd() * w.length)];
    const sep = lang === 'zh' ? '' : ' ';
    const title = [pick(), pick(), pick()].join(sep);
    const body = Array.from({ length: 8 + Math.floor(rnd() * 20) }, pick).join(sep);
    docs.push({
      id: `doc-${i}`,
      title, body, lang,
      tag: ['alpha', 'beta', 'gamma'][i % 3],
      views: i,
      published: new Date(Date.UTC(2024, i % 12, 1 + (i % 28))).toISOString(),
    });
  }
  return docs;
}
