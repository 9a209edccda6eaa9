// Limits and quotas as a key holder meets them: requests per minute, tokens per minute and
// concurrent requests per key and per group; token and cost quotas; every rejection a 429 in
// the OpenAI shape with retry-after. Also /metrics and logs that never contain a secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

describe('limits, quotas, metrics, logs', () => {
  let upstream: UpstreamEmulator;
  let slow: UpstreamEmulator;
  let relay: TestRelay;
  let logs = '';

  before(async () => {
    upstream = await startUpstreamEmulator({ apiKey: 'upstream-secret-xyz' });
    slow = await startUpstreamEmulator({ latencyMs: 300 });
    const sink = new Writable({ write(chunk, _enc, done) { logs += chunk; done(); } });
    relay = await startTestRelay({
      logger: pino({ level: 'info' }, sink),
      config: { accessLog: true, prices: { 'priced-model': { input: 1_000_000, output: 1_000_000 } } },
      channels: [
        { name: 'main', baseUrl: upstream.url, apiKey: 'upstream-secret-xyz', models: ['gpt-4o-mini', 'priced-model'] },
        { name: 'slow', baseUrl: slow.url, models: ['slow-model'] },
      ],
    });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
    await slow.close();
  });

  async function keyWith(name: string, options: Record<string, unknown>, group = 'default') {
    const secret = await relay.addKey(name, group);
    await relay.relay.catalogStore.updateKeyOptions(name, options);
    await relay.relay.catalog.refresh();
    return new OpenAI({ apiKey: secret, baseURL: relay.baseURL, maxRetries: 0 });
  }

  const ask = (client: OpenAI, model = 'gpt-4o-mini', content = 'hi', extra: { max_tokens?: number } = {}) => client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra });

  test('requests per minute per key: the N+1th request is a 429 with retry-after', async () => {
    const client = await keyWith('rpm-key', { rpm: 3 });
    for (let i = 0; i < 3; i++) await ask(client);
    const raw = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).asResponse().catch((e) => e);
    assert.equal(raw.status, 429);
    assert.equal(raw.error.type, 'rate_limit_error');
    assert.match(raw.message, /rpm-key.*3 requests per minute/);
    assert.ok(Number(raw.headers.get('retry-after')) >= 1);
    const other = await keyWith('other-key', {});
    await ask(other);
  });

  test('OpenAI\'s x-ratelimit headers count down the tightest limit, streamed answers included', async () => {
    const client = await keyWith('header-key', { rpm: 5, tpm: 100_000 });
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).asResponse();
    assert.equal(first.headers.get('x-ratelimit-limit-requests'), '5');
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '4');
    assert.match(first.headers.get('x-ratelimit-reset-requests') ?? '', /^\d+(ms|s|m\d+s)$/);
    assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '100000');
    assert.ok(Number(first.headers.get('x-ratelimit-remaining-tokens')) < 100_000);
    const streamed = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }).asResponse();
    assert.equal(streamed.headers.get('x-ratelimit-remaining-requests'), '3');
    await streamed.text();
    const unlimited = await keyWith('no-limit-key', {});
    const free = await unlimited.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).asResponse();
    assert.equal(free.headers.get('x-ratelimit-limit-requests'), null, 'no limit, no header');
  });

  test('per group: keys of one group share its limit', async () => {
    await relay.relay.catalogStore.upsertGroup('team', ['*'], { rpm: 2 });
    const a = await keyWith('team-a', {}, 'team');
    const b = await keyWith('team-b', {}, 'team');
    await ask(a);
    await ask(b);
    await assert.rejects(ask(a), (err: any) => err.status === 429 && /group "team"/.test(err.message));
  });

  test('tokens per minute: estimated before (input plus max_tokens), corrected after', async () => {
    const client = await keyWith('tpm-key', { tpm: 200 });
    await ask(client, 'gpt-4o-mini', 'x'.repeat(400), { max_tokens: 50 });
    await assert.rejects(ask(client, 'gpt-4o-mini', 'x'.repeat(400), { max_tokens: 50 }), (err: any) => err.status === 429 && /tokens per minute/.test(err.message));
  });

  test('concurrent requests: a second request while one is in flight is refused', async () => {
    const client = await keyWith('conc-key', { concurrency: 1 });
    const first = ask(client, 'slow-model');
    await new Promise((r) => setTimeout(r, 80));
    await assert.rejects(ask(client, 'slow-model'), (err: any) => err.status === 429 && err.code === 'concurrency_limit_exceeded');
    await first;
    await ask(client, 'slow-model');
  });

  test('quotas: tokens and cost, exhausted → 429 insufficient_quota', async () => {
    const tokens = await keyWith('quota-key', { quotaTokens: 40 });
    await ask(tokens, 'gpt-4o-mini', 'hi', { max_tokens: 25 });
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(ask(tokens, 'gpt-4o-mini', 'hi', { max_tokens: 25 }), (err: any) => err.status === 429 && err.code === 'insufficient_quota' && /40 tokens/.test(err.message));
    const cost = await keyWith('budget-key', { quotaUsd: 50 });
    await ask(cost, 'priced-model', 'hi', { max_tokens: 25 });
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(ask(cost, 'priced-model', 'hi', { max_tokens: 25 }), (err: any) => err.status === 429 && err.code === 'insufficient_quota' && /\$50/.test(err.message));
  });

  test('/metrics in Prometheus format, and logs with request ids but no secrets', async () => {
    // Scans of random paths and model names must not become metric labels (unbounded series).
    for (let i = 0; i < 3; i++) await fetch(`${relay.url}/scan-${i}/wp-login.php`);
    await fetch(`${relay.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' }, body: '{"model":"no-such-model-42","messages":[]}' });
    const response = await fetch(`${relay.url}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /relay_requests_total\{endpoint="\/v1\/chat\/completions",status="200",model="gpt-4o-mini",channel="main"\} \d+/);
    assert.match(text, /relay_requests_total\{[^}]*status="429"/);
    assert.match(text, /relay_request_duration_seconds_bucket/);
    assert.match(text, /relay_time_to_first_byte_seconds_bucket/);
    assert.match(text, /relay_compaction_tokens_saved_total/);
    assert.ok(!text.includes('wp-login') && !text.includes('no-such-model-42'), 'raw paths and unknown models are not labels');
    assert.match(text, /relay_requests_total\{endpoint="unmatched",status="404",model="",channel=""\} 3/);
    assert.match(logs, /"requestId":"req_[0-9a-f]{24}"/);
    assert.ok(!logs.includes('upstream-secret-xyz'), 'the channel key is never logged');
    assert.ok(!logs.includes(relay.key), 'the client key is never logged');
  });
});
