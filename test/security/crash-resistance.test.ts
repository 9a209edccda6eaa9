// Nothing an upstream sends can kill the relay: negative, fractional and huge token counts are
// validated before limits, metrics and the store see them, and metrics or logging that throw never
// reach the request path (a failing log destination still leaves every request answered).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import pino from 'pino';
import { request } from 'undici';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startChatAndResponsesRig, startTestRelay, type ChatAndResponsesRig, type TestRelay } from '../helpers/relay-harness.ts';
import { tokenCount, MAX_TOKEN_COUNT } from '../../src/conversation/token-count.ts';

describe('hostile usage numbers from an upstream', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;

  let rig: ChatAndResponsesRig;

  before(async () => {
    rig = await startChatAndResponsesRig();
    ({ upstream, relay } = rig);
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(() => rig.close());

  test('negative, fractional and huge counts are recorded as valid whole numbers; the relay keeps serving', async () => {
    upstream.script([
      { usage: { input: -5, output: -3 } },
      { usage: { input: 10.6, output: 1e15 } },
      { usage: { input: -1, output: -1 } },
      { usage: { input: -7, output: 2 } },
    ]);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a' }] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'b' }] });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'c' }], stream: true });
    for await (const _chunk of stream) { /* drain */ }
    await client.responses.create({ model: 'gpt-5.5', input: 'd' });
    const rows = (await relay.usageRows(4)).filter((r) => r.status === 200);
    for (const row of rows) {
      for (const field of ['input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens']) {
        assert.ok(Number.isInteger(row[field]) && row[field] >= 0 && row[field] <= MAX_TOKEN_COUNT, `${field} = ${row[field]}`);
      }
    }
    assert.ok(rows.some((r) => r.input_tokens === 11 && r.output_tokens === MAX_TOKEN_COUNT), 'rounded and capped');
    const metrics = await request(`${relay.url}/metrics`);
    assert.equal(metrics.statusCode, 200);
    assert.doesNotMatch(await metrics.body.text(), /relay_tokens_total\{[^}]*\} -/, 'no negative counter');
    const alive = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] });
    assert.ok(alive.choices[0].message.content);
  });

  test('an answer that is JSON but not its API\'s shape is a 502, not a relay 500; absurd usage in raw JSON is clamped', async () => {
    await relay.addChannel({ name: 'chat-for-responses', type: 'openai-chat', baseUrl: upstream.url, models: ['gpt-4o-mini'], options: { aliases: { 'gpt-4o-translated': 'gpt-4o-mini' } } });
    upstream.script([{ rawBody: '{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[null]},"finish_reason":"tool_calls"}]}' }]);
    await assert.rejects(client.responses.create({ model: 'gpt-4o-translated', input: 'x' }), (err: any) => err.status === 502 && err.code === 'upstream_bad_response');
    upstream.script([{ rawBody: '{"id":"y","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1e999,"completion_tokens":-5,"total_tokens":"many"}}' }]);
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'absurd usage' }] });
    assert.equal(answer.choices[0].message.content, 'hi');
    const row = (await relay.usageRows(1)).find((r) => r.status === 200 && r.output_tokens === 0 && r.input_tokens === MAX_TOKEN_COUNT);
    assert.ok(row, 'Infinity recorded as the cap, a negative count as 0');
  });

  test('tokenCount accepts only whole non-negative counts up to the cap', () => {
    assert.equal(tokenCount(-1), 0);
    assert.equal(tokenCount(Number.NaN), 0);
    assert.equal(tokenCount('12'), 0);
    assert.equal(tokenCount(Infinity), MAX_TOKEN_COUNT);
    assert.equal(tokenCount(2.4), 2);
    assert.equal(tokenCount(42), 42);
  });
});

describe('a log destination that throws', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ models: ['gpt-4o-mini'] });
    let full = false;
    const failing = pino({ level: 'info' }, { write() { if (full) throw new Error('disk full'); } });
    relay = await startTestRelay({ channels: [{ name: 'chat', type: 'openai-chat', baseUrl: upstream.url, models: ['gpt-4o-mini'] }], logger: failing, config: { accessLog: true, retries: 0 } });
    full = true;
  });

  after(async () => {
    await relay?.close();
    await upstream.close();
  });

  test('requests are still answered, errors too, and the relay stays up', async () => {
    const client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
    const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(ok.choices[0].message.content);
    upstream.setFault({ kind: 'status', status: 500, count: 1 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'boom' }] }), (err: any) => err.status === 502);
    const again = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi again' }] });
    assert.ok(again.choices[0].message.content);
    assert.equal((await relay.usageRows(3)).length, 3, 'every request has its usage row');
  });
});
