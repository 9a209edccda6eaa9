// A key made a moment ago works on its first request (the relay re-reads its catalog when it meets
// a key it does not know), and a flood of unknown keys cannot turn that into a flood of catalog reads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { MISS_REFRESH_INTERVAL_MS } from '../../src/access/catalog.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

let upstream: UpstreamEmulator;
let relay: TestRelay;

before(async () => {
  upstream = await startUpstreamEmulator({ mode: 'chat-only' });
  relay = await startTestRelay({ channels: [{ name: 'chat', baseUrl: upstream.url, models: ['gpt-4o-mini'] }] });
});

after(async () => {
  await relay.close();
  await upstream.close();
});

const chat = (key: string) =>
  fetch(`${relay.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });

test('a key created in the store (as the CLI or another instance does) works on its very first request', async () => {
  // Straight into the store: the relay's catalog has not seen it, and no poll has run since.
  const { secret } = await relay.relay.catalogStore.createKey('fresh-key', 'default');
  const res = await chat(secret);
  assert.equal(res.status, 200, await res.clone().text());
  const models = await fetch(`${relay.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(models.status, 200);
});

test('unknown keys are still refused, and a burst of them reads the catalog at most once per interval', async () => {
  const store = relay.relay.catalogStore;
  // Only the reads unknown keys cause are counted: the periodic poll stops here.
  relay.relay.catalog.stop();
  const original = store.readRevision.bind(store);
  let reads = 0;
  store.readRevision = async () => {
    reads++;
    return original();
  };
  try {
    await new Promise((r) => setTimeout(r, MISS_REFRESH_INTERVAL_MS));
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => chat(`sk-unknown-${i}`).then((r) => r.status)));
    const elapsed = Date.now() - started;
    assert.ok(statuses.every((s) => s === 401), `statuses: ${[...new Set(statuses)].join(', ')}`);
    const allowed = Math.ceil(elapsed / MISS_REFRESH_INTERVAL_MS) + 1;
    assert.ok(reads <= allowed, `${reads} catalog reads for 200 unknown keys in ${elapsed} ms (at most ${allowed})`);
  } finally {
    store.readRevision = original;
  }
});
