// The official clients, unchanged, against a Stela node: @elastic/elasticsearch 7, 8 and 9 and
// @opensearch-project/opensearch. One scenario per client, on its own index.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStela, corpus } from './stela.mjs';
import * as es7 from 'es7';
import * as es8 from 'es8';
import * as es9 from 'es9';
import * as os from '@opensearch-project/opensearch';

const SEED = Number(process.env.STELA_TEST_SEED || 20261129);
console.log(`client tests seed ${SEED} (STELA_TEST_SEED replays)`);
const DOCS = Number(process.env.STELA_NODE_DOCS || 10000);

let node;
before(async () => { node = await startStela(); });
after(async () => {
  const exit = await node.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, 'stela shuts down cleanly on SIGTERM');
});

// es8/es9 take the body's keys at the top level and return the body; es7 and opensearch-js
// take {body} and return {body, statusCode}.
function adapter(kind, url) {
  if (kind === 'es8' || kind === 'es9') {
    const Client = kind === 'es8' ? es8.Client : es9.Client;
    const client = new Client({ node: url });
    return {
      kind, client, flat: true,
      call: (path, params) => invoke(client, path, params),
      body: (r) => r,
    };
  }
  const Client = kind === 'es7' ? es7.Client : os.Client;
  const client = new Client({ node: url });
  return {
    kind, client, flat: false,
    call: async (path, params) => (await invoke(client, path, params)).body,
    body: (r) => r.body,
  };
}

// Calls client.a.b(params) with the right `this`.
function invoke(client, path, params) {
  const parts = path.split('.');
  let owner = client;
  for (const p of parts.slice(0, -1)) owner = owner[p];
  return owner[parts[parts.length - 1]](params);
}

// Splits {index, id, ...bodyKeys} for the body-style clients.
function req(a, top, body) {
  return a.flat ? { ...top, ...body } : { ...top, body };
}

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to fail');
}

function statusOf(e) {
  return e.meta?.statusCode ?? e.statusCode;
}
function errorBody(e) {
  return e.meta?.body ?? e.body;
}

for (const kind of ['es8', 'es9', 'es7', 'opensearch']) {
  test(`${kind}: the whole client workflow`, async (t) => {
    const a = adapter(kind, node.url);
    const c = a.client;
    const index = `books-${kind}`;

    await t.test('info and ping', async () => {
      const info = await a.call("info", {});
      assert.equal(info.tagline, 'You Know, for Search');
      assert.ok(info.version.number);
      const ping = await c.ping();
      assert.ok(a.flat ? ping === true : ping.statusCode === 200);
    });

    await t.test('create index with mappings', async () => {
      const r = await a.call("indices.create", req(a, { index }, {
        settings: { number_of_replicas: 0 },
        mappings: {
          properties: {
            title: { type: 'text' }, body: { type: 'text' }, lang: { type: 'keyword' },
            tag: { type: 'keyword' }, views: { type: 'long' }, published: { type: 'date' },
          },
        },
      }));
      assert.equal(r.acknowledged, true);
      const exists = await c.indices.exists({ index });
      assert.ok(a.flat ? exists === true : exists.body === true);
      const e = await errorOf(a.call("indices.create", { index }));
      assert.equal(statusOf(e), 400);
      assert.equal(errorBody(e).error.type, 'resource_already_exists_exception');
    });

    const docs = corpus(DOCS, SEED);
    await t.test(`helpers.bulk ${DOCS} docs`, async () => {
      const stats = await c.helpers.bulk({
        datasource: docs,
        onDocument: (d) => ({ index: { _index: index, _id: d.id } }),
        refreshOnCompletion: index,
      });
      assert.equal(stats.failed, 0);
      assert.equal(stats.successful, DOCS);
      const count = await a.call("count", { index });
      assert.equal(count.count, DOCS);
    });

    await t.test('search: match, bool, phrase, aggregations, highlight', async () => {
      let r = await a.call("search", req(a, { index }, { query: { match: { body: 'fox' } }, size: 5 }));
      assert.ok(r.hits.total.value > 0);
      assert.equal(r.hits.total.relation, 'eq');
      assert.ok(r.hits.hits.length > 0 && r.hits.hits.length <= 5);
      for (const h of r.hits.hits) {
        assert.equal(h._index, index);
        assert.match(h._source.body, /fox/);
        assert.ok(h._score > 0);
      }
      // German words found by stem without naming the language.
      r = await a.call("search", req(a, { index }, { query: { match: { body: 'Häusern' } } }));
      assert.ok(r.hits.hits.length > 0);
      assert.ok(r.hits.hits.every((h) => h._source.lang === 'de'));
      r = await a.call("search", req(a, { index }, {
        query: { bool: { must: { match: { body: '北京' } }, filter: [{ term: { tag: 'alpha' } }], must_not: { range: { views: { lt: 100 } } } } },
      }));
      assert.ok(r.hits.hits.length > 0);
      for (const h of r.hits.hits) {
        assert.equal(h._source.tag, 'alpha');
        assert.ok(h._source.views >= 100);
        assert.ok(h._source.body.includes('北京'));
      }
      r = await a.call("search", req(a, { index }, { query: { match_phrase: { title: docs[0].title } } }));
      assert.ok(r.hits.hits.some((h) => h._id === docs[0].id));
      r = await a.call("search", req(a, { index }, {
        size: 0,
        aggs: { tags: { terms: { field: 'tag' } }, views: { stats: { field: 'views' } },
                months: { date_histogram: { field: 'published', calendar_interval: 'month' } } },
      }));
      assert.equal(r.aggregations.tags.buckets.length, 3);
      assert.equal(r.aggregations.tags.buckets.reduce((s, b) => s + b.doc_count, 0), DOCS);
      assert.equal(r.aggregations.views.count, DOCS);
      assert.equal(r.aggregations.views.max, DOCS - 1);
      assert.equal(r.aggregations.months.buckets.length, 12);
      r = await a.call("search", req(a, { index }, {
        query: { match: { title: 'river' } }, highlight: { fields: { title: {} } },
      }));
      assert.ok(r.hits.hits.length > 0);
      assert.match(r.hits.hits[0].highlight.title[0], /<em>river<\/em>/i);
    });

    await t.test('get, update, delete, count', async () => {
      let r = await a.call("get", { index, id: 'doc-7' });
      assert.equal(r.found, true);
      assert.equal(r._source.id, 'doc-7');
      r = await a.call("update", req(a, { index, id: 'doc-7', refresh: 'true' }, { doc: { tag: 'updated' } }));
      assert.equal(r.result, 'updated');
      r = await a.call("get", { index, id: 'doc-7' });
      assert.equal(r._source.tag, 'updated');
      assert.equal(r._source.title, docs[7].title);
      r = await a.call("update", req(a, { index, id: 'new-doc' }, { doc: { title: 'upserted' }, doc_as_upsert: true }));
      assert.equal(r.result, 'created');
      r = await a.call("delete", { index, id: 'doc-8', refresh: 'true' });
      assert.equal(r.result, 'deleted');
      const e = await errorOf(a.call("get", { index, id: 'doc-8' }));
      assert.equal(statusOf(e), 404);
      const count = await a.call("count", req(a, { index }, { query: { term: { tag: 'updated' } } }));
      assert.equal(count.count, 1);
      const missing = await errorOf(a.call("update", req(a, { index, id: 'nope' }, { doc: { x: 1 } })));
      assert.equal(statusOf(missing), 404);
      assert.equal(errorBody(missing).error.type, 'document_missing_exception');
    });

    await t.test('mget and msearch', async () => {
      const r = await a.call("mget", req(a, { index }, { ids: ['doc-1', 'doc-2', 'absent'] }));
      assert.deepEqual(r.docs.map((d) => d.found), [true, true, false]);
      const m = await a.call("msearch", a.flat
        ? { searches: [{ index }, { query: { match: { body: 'dog' } } }, { index: 'no-such-index' }, { query: { match_all: {} } }] }
        : { body: [{ index }, { query: { match: { body: 'dog' } } }, { index: 'no-such-index' }, { query: { match_all: {} } }] });
      assert.equal(m.responses.length, 2);
      assert.equal(m.responses[0].status, 200);
      assert.ok(m.responses[0].hits.hits.length > 0);
      assert.equal(m.responses[1].status, 404);
    });

    await t.test('search_after pages through every hit once', async () => {
      const query = { match: { body: 'garden' } };
      const total = (await a.call("count", req(a, { index }, { query }))).count;
      const seen = new Set();
      let after;
      for (;;) {
        const body = { query, size: 97, sort: [{ views: 'asc' }] };
        if (after) body.search_after = after;
        const r = await a.call("search", req(a, { index }, body));
        if (r.hits.hits.length === 0) break;
        for (const h of r.hits.hits) {
          assert.ok(!seen.has(h._id), `${h._id} seen twice`);
          seen.add(h._id);
        }
        after = r.hits.hits[r.hits.hits.length - 1].sort;
      }
      assert.equal(seen.size, total);
    });

    await t.test('scroll via helpers.scrollSearch', async () => {
      const query = { term: { tag: 'beta' } };
      const total = (await a.call("count", req(a, { index }, { query }))).count;
      let n = 0;
      const ids = new Set();
      const params = a.flat ? { index, size: 500, query } : { index, size: 500, body: { query } };
      for await (const page of c.helpers.scrollSearch(params)) {
        for (const d of page.documents) ids.add(d.id);
        n += page.documents.length;
      }
      assert.equal(n, total);
      assert.equal(ids.size, total);
    });

    await t.test('point in time', async () => {
      if (kind === 'es7') return;  // the 7.x client predates point in time helpers for some versions
      const open = await a.call(kind === "opensearch" ? "createPit" : "openPointInTime", { index, keep_alive: '1m' });
      const id = open.id ?? open.pit_id;
      assert.ok(id);
      const r = await a.call("search", req(a, {}, { pit: { id, keep_alive: '1m' }, size: 3, sort: [{ views: 'desc' }] }));
      assert.equal(r.hits.hits.length, 3);
      assert.equal(r.hits.hits[0]._source.views, DOCS - 1);
      assert.equal(r.pit_id, id);
      await a.call(kind === "opensearch" ? "deletePit" : "closePointInTime",
                   a.flat ? { id } : kind === 'opensearch' ? { body: { pit_id: [id] } } : { body: { id } });
    });

    await t.test('version conflicts and errors surface as such', async () => {
      const cur = await a.call("get", { index, id: 'doc-3' });
      const r = await a.call("index", req(a, { index, id: 'doc-3', if_seq_no: cur._seq_no, if_primary_term: cur._primary_term }, a.flat ? { document: { title: 'v2' } } : { title: 'v2' }));
      assert.equal(r.result, 'updated');
      const e = await errorOf(a.call("index", req(a, { index, id: 'doc-3', if_seq_no: cur._seq_no, if_primary_term: cur._primary_term }, a.flat ? { document: { title: 'v3' } } : { title: 'v3' })));
      assert.equal(statusOf(e), 409);
      assert.equal(errorBody(e).error.type, 'version_conflict_engine_exception');
      const created = await errorOf(a.call("create", req(a, { index, id: 'doc-3' }, a.flat ? { document: { x: 1 } } : { x: 1 })));
      assert.equal(statusOf(created), 409);
      const missing = await errorOf(a.call("search", req(a, { index: 'no-such-index' }, { query: { match_all: {} } })));
      assert.equal(statusOf(missing), 404);
      assert.equal(errorBody(missing).error.type, 'index_not_found_exception');
      const bad = await errorOf(a.call("search", req(a, { index }, { query: { no_such_query: {} } })));
      assert.equal(statusOf(bad), 400);
      assert.equal(errorBody(bad).error.root_cause[0].type, 'parsing_exception');
      const window = await errorOf(a.call("search", req(a, { index }, { from: 9999, size: 10 })));
      assert.equal(statusOf(window), 400);
      assert.match(errorBody(window).error.reason, /Result window is too large/);
    });

    await t.test('delete_by_query and delete index', async () => {
      const r = await a.call("deleteByQuery", req(a, { index, refresh: true }, { query: { term: { tag: 'gamma' } } }));
      assert.ok(r.deleted > 0);
      const count = await a.call("count", req(a, { index }, { query: { term: { tag: 'gamma' } } }));
      assert.equal(count.count, 0);
      const d = await a.call("indices.delete", { index });
      assert.equal(d.acknowledged, true);
      const exists = await c.indices.exists({ index });
      assert.ok(a.flat ? exists === false : exists.body === false);
    });
  });
}
