// The public gRPC contract (api/proto/stela/v1/stela.proto) from Node with @grpc/grpc-js:
// index admin, client-streaming bulk, search, get, errors as gRPC status codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { startStela, corpus } from './stela.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SEED = Number(process.env.STELA_TEST_SEED || 20261129);
const DOCS = Number(process.env.STELA_NODE_DOCS || 10000);

let node;
let client;
before(async () => {
  node = await startStela();
  const definition = protoLoader.loadSync(resolve(here, '../../../api/proto/stela/v1/stela.proto'), {
    keepCase: true, longs: Number, defaults: true, oneofs: true,
  });
  const { stela } = grpc.loadPackageDefinition(definition);
  client = new stela.v1.Stela(`127.0.0.1:${node.grpcPort}`, grpc.credentials.createInsecure());
});
after(async () => {
  client.close();
  const exit = await node.stop();
  assert.deepEqual(exit, { code: 0, signal: null });
});

const call = (method, request) => new Promise((ok, fail) => {
  client[method](request, (err, res) => (err ? fail(err) : ok(res)));
});

test('grpc-js: streaming bulk and search', async () => {
  const health = await call('Health', {});
  assert.ok(['green', 'yellow'].includes(health.status));

  await call('CreateIndex', {
    index: 'grpc-books',
    body_json: JSON.stringify({
      settings: { number_of_replicas: 0 },
      mappings: { properties: { title: { type: 'text' }, body: { type: 'text' }, tag: { type: 'keyword' }, views: { type: 'long' } } },
    }),
  });
  const exists = await call('CreateIndex', { index: 'grpc-books', body_json: '' }).catch((e) => e);
  assert.equal(exists.code, grpc.status.ALREADY_EXISTS);

  const docs = corpus(DOCS, SEED);
  const bulk = await new Promise((ok, fail) => {
    const stream = client.Bulk((err, res) => (err ? fail(err) : ok(res)));
    for (const d of docs) {
      stream.write({ action: 'INDEX', index: 'grpc-books', id: d.id, document_json: JSON.stringify(d) });
    }
    stream.write({ action: 'DELETE', index: 'grpc-books', id: 'doc-0' });
    stream.end();
  });
  assert.equal(bulk.errors, false);
  assert.equal(bulk.items.length, DOCS + 1);
  assert.equal(bulk.items[0].status, 201);
  assert.equal(bulk.items[DOCS].result, 'deleted');

  await call('Refresh', { index: 'grpc-books' });
  const res = await call('Search', {
    index: 'grpc-books',
    body_json: JSON.stringify({
      query: { bool: { must: { match: { body: 'river' } }, filter: { term: { tag: 'beta' } } } },
      size: 5,
      aggs: { tags: { terms: { field: 'tag' } } },
      highlight: { fields: { body: {} } },
    }),
  });
  assert.ok(res.total > 0);
  assert.ok(res.hits.length > 0 && res.hits.length <= 5);
  for (const h of res.hits) {
    const src = JSON.parse(h.source_json);
    assert.equal(src.tag, 'beta');
    assert.match(src.body, /river/);
    assert.match(h.highlight.body.fragments[0], /<em>river<\/em>/);
  }
  assert.equal(JSON.parse(res.aggregations_json).tags.buckets[0].key, 'beta');

  const doc = await call('GetDocument', { index: 'grpc-books', id: 'doc-5' });
  assert.equal(JSON.parse(doc.source_json).id, 'doc-5');
  const gone = await call('GetDocument', { index: 'grpc-books', id: 'doc-0' }).catch((e) => e);
  assert.equal(gone.code, grpc.status.NOT_FOUND);
  const stale = await call('IndexDocument', {
    index: 'grpc-books', id: 'doc-5', source_json: '{"title":"x"}',
    conditions: { if_seq_no: doc.seq_no + 1000, if_primary_term: doc.primary_term },
  }).catch((e) => e);
  assert.equal(stale.code, grpc.status.ABORTED);
  const bad = await call('Search', { index: 'grpc-books', body_json: '{"query": {"bogus": {}}}' }).catch((e) => e);
  assert.equal(bad.code, grpc.status.INVALID_ARGUMENT);
  assert.match(bad.details, /parsing_exception/);
  const missing = await call('Search', { index: 'nope', body_json: '' }).catch((e) => e);
  assert.equal(missing.code, grpc.status.NOT_FOUND);
});
