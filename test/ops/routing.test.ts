// Routing under failure, as clients see it: retries before the first byte, failover across
// priority tiers, no retry of a client's own 4xx, circuit breaking with recovery probes, and
// session affinity that holds while a channel is healthy and moves when it is not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

const chat = (client: OpenAI, model: string, extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra } as any);

describe('routing, retries, failover, circuits and affinity', () => {
  let primary: UpstreamEmulator;
  let secondary: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;

  before(async () => {
    primary = await startUpstreamEmulator({ replyText: 'from primary' });
    secondary = await startUpstreamEmulator({ replyText: 'from secondary' });
    relay = await startTestRelay({
      config: { retries: 2, circuitFailureThreshold: 2, circuitCooldownMs: 300 },
      channels: [
        { name: 'primary', baseUrl: primary.url, models: ['tiered'], priority: 10 },
        { name: 'secondary', baseUrl: secondary.url, models: ['tiered'], priority: 0 },
        { name: 'a', baseUrl: primary.url, models: ['shared'], weight: 1 },
        { name: 'b', baseUrl: secondary.url, models: ['shared'], weight: 1 },
        { name: 'single', baseUrl: primary.url, models: ['single'] },
      ],
    });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await primary.close();
    await secondary.close();
  });

  test('a transient 503 is retried before the first byte and the client never sees it', async () => {
    primary.reset();
    primary.setFault({ kind: 'status', status: 503, count: 1 });
    const completion = await chat(client, 'single');
    assert.equal(completion.choices[0].message.content, 'from primary');
    assert.equal(primary.requests.length, 2, 'one failed attempt, one served');
  });

  test('a client\'s own 4xx is not retried', async () => {
    primary.reset();
    primary.script([{ status: 400, error: { message: 'bad tool schema', code: 'invalid_value' } }]);
    await assert.rejects(chat(client, 'single'), (err: any) => err.status === 400 && /bad tool schema/.test(err.message));
    assert.equal(primary.requests.length, 1);
  });

  test('failover: the higher tier fails, the lower tier serves; then the circuit skips the broken channel until a probe succeeds', async () => {
    primary.reset();
    secondary.reset();
    primary.setFault({ kind: 'status', status: 500 });
    const first = await chat(client, 'tiered');
    assert.equal(first.choices[0].message.content, 'from secondary');
    const afterFirst = primary.requests.filter((r) => r.body.model === 'tiered').length;
    assert.ok(afterFirst >= 1);
    for (let i = 0; i < 3; i++) assert.equal((await chat(client, 'tiered')).choices[0].message.content, 'from secondary');
    assert.equal(primary.requests.filter((r) => r.body.model === 'tiered').length, 2, 'the circuit opened after two failures: no more attempts on primary');
    primary.setFault(null);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await chat(client, 'tiered')).choices[0].message.content, 'from primary', 'after the cool-down a probe goes to primary and succeeds');
    assert.equal((await chat(client, 'tiered')).choices[0].message.content, 'from primary');
  });

  test('affinity: one prompt_cache_key stays on one channel, and moves when that channel fails', async () => {
    primary.reset();
    secondary.reset();
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add((await chat(client, 'shared', { prompt_cache_key: 'session-42' })).choices[0].message.content!);
    assert.equal(seen.size, 1, `stayed on one channel: ${[...seen]}`);
    const home = [...seen][0];
    const homeUpstream = home === 'from primary' ? primary : secondary;
    homeUpstream.setFault({ kind: 'status', status: 502 });
    const moved = await chat(client, 'shared', { prompt_cache_key: 'session-42' });
    assert.notEqual(moved.choices[0].message.content, home, 'failed over to the other channel');
    homeUpstream.setFault(null);
    await new Promise((r) => setTimeout(r, 350));
    const again = await chat(client, 'shared', { prompt_cache_key: 'session-42' });
    assert.equal(again.choices[0].message.content, moved.choices[0].message.content, 'the session now stays where it moved');
    const spread = new Set<string>();
    for (let i = 0; i < 30; i++) spread.add((await chat(client, 'shared', { prompt_cache_key: `s-${i}` })).choices[0].message.content!);
    assert.equal(spread.size, 2, 'different sessions spread over both channels');
  });
});
