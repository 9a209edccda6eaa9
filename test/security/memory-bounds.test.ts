// Memory is bounded by configuration, not by what clients send: session keys are stored as
// fixed-size hashes scoped to the API key, in-memory tables evict their least recently used
// entries, client strings reaching the usage log are capped, and upstream answers larger than
// `upstreamBodyLimitBytes` are cut off with a clear 502 instead of being buffered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { request } from 'undici';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { affinityKeyOf } from '../../src/upstream/affinity-key.ts';
import { BoundedMap } from '../../src/state/bounded-map.ts';
import { MemorySharedState } from '../../src/state/shared-state.ts';
import type { Principal } from '../../src/access/catalog.ts';

const principal = (id: number) => ({ key: { id, keyHash: `h${id}` }, group: {} }) as unknown as Principal;

describe('client-chosen keys and in-memory tables', () => {
  test('a session key of any length is stored as a short hash, scoped to the API key', () => {
    const huge = 'k'.repeat(1024 * 1024);
    const mine = affinityKeyOf({}, { prompt_cache_key: huge }, principal(1))!;
    assert.ok(mine.length < 64, `stored as ${mine.length} characters`);
    assert.equal(affinityKeyOf({}, { prompt_cache_key: huge }, principal(1)), mine, 'stable');
    assert.notEqual(affinityKeyOf({}, { prompt_cache_key: huge }, principal(2)), mine, 'another key has its own sessions');
    assert.ok(affinityKeyOf({ 'session_id': huge }, {}, principal(1))!.length < 64);
    assert.ok(affinityKeyOf({}, { metadata: { user_id: huge } }, principal(1))!.length < 64);
    assert.equal(affinityKeyOf({}, {}, principal(1)), undefined);
  });

  test('a bounded map evicts the least recently used entry', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    assert.equal(map.get('a'), 1);
    map.set('c', 3);
    assert.equal(map.size, 2);
    assert.equal(map.has('b'), false, 'b was the least recently used');
    assert.equal(map.get('a'), 1);
    assert.equal(map.get('c'), 3);
  });

  test('the in-memory shared state keeps at most the configured number of sessions', async () => {
    const state = new MemorySharedState({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await state.setAffinity(`aff:${i}`, 'chan', 3600);
    let kept = 0;
    for (let i = 0; i < 1000; i++) if (await state.getAffinity(`aff:${i}`)) kept++;
    assert.equal(kept, 100);
    assert.equal(await state.getAffinity('aff:999'), 'chan', 'the newest are kept');
  });
});

describe('client strings and upstream answers through a running relay', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;
  const LIMIT = 64 * 1024;

  before(async () => {
    upstream = await startUpstreamEmulator({ models: ['gpt-4o-mini', 'gpt-5.5'] });
    relay = await startTestRelay({
      channels: [
        { name: 'chat', type: 'openai-chat', baseUrl: upstream.url, models: ['gpt-4o-mini', 'gpt-5.5'] },
      ],
      config: { upstreamBodyLimitBytes: LIMIT, retries: 0 },
    });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('a huge model name is a 400 naming "model"; the usage log keeps at most 256 characters of it and of the path', async () => {
    const response = await request(`${relay.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm'.repeat(1024 * 1024), messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await response.body.text();
    assert.equal(response.statusCode, 400);
    assert.equal(JSON.parse(text).error.param, 'model');
    assert.ok(text.length < 1000, `a short answer (${text.length} bytes)`);
    const long = await request(`${relay.url}/v1/${'p'.repeat(8000)}`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}` }, body: '{}' });
    assert.ok((await long.body.text()).length < 1000);
    const rows = await relay.usageRows(2);
    for (const row of rows) {
      assert.ok((row.model ?? '').length <= 256, `model kept as ${(row.model ?? '').length} characters`);
      assert.ok(row.endpoint.length <= 256, `endpoint kept as ${row.endpoint.length} characters`);
    }
  });

  test('an upstream answer larger than the limit is a 502 upstream_response_too_large, same wire and translated', async () => {
    const big = 'word '.repeat(40_000);
    upstream.script([{ text: big }]);
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'long please' }] }),
      (err: any) => err.status === 502 && err.code === 'upstream_response_too_large');
    upstream.script([{ text: big }]);
    await assert.rejects(client.responses.create({ model: 'gpt-5.5', input: 'long please' }),
      (err: any) => err.status === 502 && err.code === 'upstream_response_too_large');
    const fine = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'short' }] });
    assert.ok(fine.choices[0].message.content, 'answers under the limit pass');
  });

  test('a streamed event larger than the limit ends the stream with an error instead of being buffered, same wire and translated', async () => {
    for (const [path, body] of [
      ['/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream a long one' }], stream: true }],
      ['/responses', { model: 'gpt-5.5', input: 'stream a long one', stream: true }],
    ] as const) {
      upstream.script([{ text: 'x'.repeat(16 * LIMIT) }]);
      const response = await request(`${relay.baseURL}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.body.text();
      assert.ok(text.length < 8 * LIMIT, `${path}: cut off after ${text.length} bytes`);
      assert.ok(text.includes('larger than 65536 bytes'), `${path}: ${text.slice(-300)}`);
    }
  });
});
