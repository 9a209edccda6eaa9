// Limits that hold under concurrency (issue 12, item 5): a token quota and a tokens-per-minute
// limit are never overspent by requests arriving together, a request that can never fit its limit
// is refused before anything is forwarded, and the summarizer's tokens are charged to the key
// whose request caused them. Also with Redis as the shared state (skipped off CI without Redis).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisSkip = skipUnless((await reachable(REDIS_URL, 6379)) ? [] : [`no Redis at ${REDIS_URL} (set TEST_REDIS_URL)`]);

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function post(relay: TestRelay, key: string, path: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${relay.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function keyWith(relay: TestRelay, name: string, options: Record<string, unknown>): Promise<string> {
  const secret = await relay.addKey(name, 'default');
  await relay.relay.catalogStore.updateKeyOptions(name, options);
  await relay.relay.catalog.refresh();
  return secret;
}

const hi = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

/** Tokens the usage log charged to a key (what its quota counts). */
async function tokensCharged(relay: TestRelay, keyName: string, expectedRows: number): Promise<number> {
  const rows = (await relay.usageRows(expectedRows)).filter((r) => r.key_name === keyName && r.status === 200);
  return rows.reduce((sum, r) => sum + r.input_tokens + r.output_tokens + (r.summarizer_input_tokens ?? 0) + (r.summarizer_output_tokens ?? 0), 0);
}

function suite(name: string, redisUrl: string | undefined, skip: false | string) {
  describe(name, { skip }, () => {
    let upstream: UpstreamEmulator;
    let relay: TestRelay;

    before(async () => {
      if (redisUrl) process.env.COMPACT_RELAY_REDIS_PREFIX = `cr-limits-${randomBytes(4).toString('hex')}:`;
      upstream = await startUpstreamEmulator({ latencyMs: 60 });
      relay = await startTestRelay({
        config: { redisUrl },
        channels: [
          { name: 'main', baseUrl: upstream.url, models: ['gpt-4o-mini'] },
          { name: 'small', baseUrl: upstream.url, models: ['small-window'], options: { contextWindow: 8000 } },
        ],
      });
    });

    after(async () => {
      await relay.close();
      await upstream.close();
    });

    test('a token quota of 100 is not overspent by 50 concurrent requests', async () => {
      const key = await keyWith(relay, 'quota-100', { quotaTokens: 100 });
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(relay, key, '/v1/chat/completions', hi({ max_tokens: 30 }))));
      const served = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status !== 200);
      assert.ok(served.length >= 1, 'requests that fit are served');
      for (const a of refused) {
        assert.equal(a.status, 429);
        assert.equal(a.body.error.code, 'insufficient_quota');
      }
      const used = served.reduce((sum, a) => sum + a.body.usage.total_tokens, 0);
      assert.ok(used <= 100, `${served.length} requests served ${used} tokens against a quota of 100`);
      assert.equal(await tokensCharged(relay, 'quota-100', served.length), used);
    });

    test('a 1,000 tokens-per-minute limit refuses a 125k-token request before forwarding it', async () => {
      const key = await keyWith(relay, 'tpm-1000', { tpm: 1000 });
      upstream.reset();
      const big = await post(relay, key, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'word '.repeat(125_000) }] });
      assert.equal(big.status, 429);
      assert.equal(big.body.error.code, 'rate_limit_exceeded');
      assert.match(big.body.error.message, /too large.*1000 tokens per minute/);
      assert.equal(big.headers.get('x-should-retry'), 'false', 'SDKs do not retry what can never fit');
      assert.equal(upstream.requests.length, 0, 'nothing reached the upstream');
      const small = await post(relay, key, '/v1/chat/completions', hi({ max_tokens: 50 }));
      assert.equal(small.status, 200, 'the refused request reserved nothing');
    });

    test('a tokens-per-minute limit is not overspent by 50 concurrent requests', async () => {
      const key = await keyWith(relay, 'tpm-concurrent', { tpm: 300 });
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(relay, key, '/v1/chat/completions', hi({ max_tokens: 30 }))));
      const served = answers.filter((a) => a.status === 200);
      assert.ok(served.length >= 1);
      for (const a of answers.filter((x) => x.status !== 200)) assert.equal(a.body.error.code, 'rate_limit_exceeded');
      const used = served.reduce((sum, a) => sum + a.body.usage.total_tokens, 0);
      assert.ok(used <= 300, `${served.length} requests used ${used} tokens in a minute limited to 300`);
    });

    test('the summarizer\'s tokens are charged to the key whose request caused them', async () => {
      const key = await keyWith(relay, 'summarized', { quotaTokens: 60_000 });
      const messages: any[] = [{ role: 'system', content: 'You are a coding agent.' }];
      for (let i = 0; i < 24; i++) {
        messages.push({ role: 'user', content: `Step ${i}: run the tests for module ${i} and report. ` + 'The build log line repeats here. '.repeat(40) });
        messages.push({ role: 'assistant', content: `Ran the tests of module ${i}: all passed.` });
      }
      messages.push({ role: 'user', content: 'Now fix the parser.' });
      upstream.reset();
      upstream.script([{ text: '## Goal\nfix the parser\n## Next step\nfix it', usage: { input: 40_000, output: 100 } }]);
      const compacted = await post(relay, key, '/v1/responses/compact', { model: 'small-window', messages, max_tokens: 200, compaction: { budget_tokens: 2000 } });
      assert.equal(compacted.status, 200, JSON.stringify(compacted.body));
      assert.equal(upstream.requests.length, 2, 'one summarizer call, one forwarded request');
      // 40,100 summarizer tokens + the forwarded request are charged: a request that may use 20k more no longer fits 60k.
      const next = await post(relay, key, '/v1/chat/completions', hi({ max_tokens: 20_000 }));
      assert.equal(next.status, 429, 'summarizer tokens were charged to the quota');
      assert.equal(next.body.error.code, 'insufficient_quota');
      const small = await post(relay, key, '/v1/chat/completions', hi({ max_tokens: 100 }));
      assert.equal(small.status, 200, 'what is left can still be used');
    });

    test('a summary that would not fit the quota is not asked of a model: the deterministic ledger stands in', async () => {
      const messages: any[] = [{ role: 'system', content: 'You are a coding agent.' }];
      for (let i = 0; i < 24; i++) {
        messages.push({ role: 'user', content: `Step ${i}: run the tests for module ${i} and report. ` + 'The build log line repeats here. '.repeat(40) });
        messages.push({ role: 'assistant', content: `Ran the tests of module ${i}: all passed.` });
      }
      messages.push({ role: 'user', content: 'Now fix the parser.' });
      const body = { model: 'small-window', messages, max_tokens: 200, compaction: { budget_tokens: 2000 } };
      // Room for the request itself (about 7k tokens), not for a model summary of it on top.
      const key = await keyWith(relay, 'tight-summary', { quotaTokens: 11_000 });
      upstream.reset();
      const answer = await fetch(`${relay.url}/v1/responses/compact`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(answer.status, 200, await answer.clone().text());
      assert.equal(answer.headers.get('x-compaction-strategy'), 'ledger', 'no model summary');
      assert.equal(upstream.requests.length, 1, 'only the forwarded request reached the upstream');
      const served: any = await answer.json();
      assert.ok(served.usage.total_tokens <= 11_000);
    });
  });
}

suite('limits under concurrency (in-memory state)', undefined, false);
suite('limits under concurrency (Redis state)', REDIS_URL, redisSkip);
