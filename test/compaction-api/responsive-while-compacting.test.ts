// The relay keeps answering while it compacts: a ~2 MB conversation sent to /compact/v1 is
// compacted in a worker thread, and /healthz and a plain chat request answer promptly meanwhile
// (compacting on the event loop held every other request for the whole compaction).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

const MODEL = 'deepseek-chat';

/** A Chat history of about `bytes` bytes: 1,000-odd shell turns with distinct outputs. */
function hugeChat(bytes: number): any[] {
  const messages: any[] = [{ role: 'system', content: 'You are a coding agent.' }, { role: 'user', content: 'Find why the nightly build is slow.' }];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const output = Array.from({ length: 40 }, (_, k) => `build/step_${n}/unit_${k}.o compiled in ${(n * 37 + k * 11) % 997} ms (cache ${(n + k) % 3 ? 'miss' : 'hit'})`).join('\n');
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${n}`, type: 'function', function: { name: 'shell', arguments: JSON.stringify({ command: `make -C build step_${n}` }) } }] });
    messages.push({ role: 'tool', tool_call_id: `call_${n}`, content: output });
    size += output.length + 150;
  }
  messages.push({ role: 'user', content: 'Summarize the slowest steps.' });
  return messages;
}

describe('the relay while it compacts a large conversation', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'chat-only', models: [MODEL], recordLimit: 0 });
    relay = await startTestRelay({ channels: [{ name: 'deepseek', type: 'openai-chat', baseUrl: upstream.url, models: [MODEL] }] });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  const post = (path: string, body: string) => fetch(`${relay.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' }, body });

  test('/healthz and a plain chat request answer promptly while a 2 MB compaction runs', async () => {
    const big = JSON.stringify({ model: MODEL, messages: hugeChat(2_000_000) });
    assert.ok(big.length > 1_900_000);
    const small = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'ping' }] });
    let compacting = true;
    const compaction = post('/compact/v1/chat/completions', big).then(async (res) => {
      compacting = false;
      return { status: res.status, headers: res.headers, body: await res.json() };
    });
    const probes: { ms: number; status: number }[] = [];
    const chats: { ms: number; status: number }[] = [];
    while (compacting) {
      let started = performance.now();
      const health = await fetch(`${relay.url}/healthz`);
      await health.arrayBuffer();
      if (compacting) probes.push({ ms: performance.now() - started, status: health.status });
      if (probes.length % 5 === 2 && compacting) {
        started = performance.now();
        const chat = await post('/v1/chat/completions', small);
        await chat.arrayBuffer();
        if (compacting) chats.push({ ms: performance.now() - started, status: chat.status });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const done = await compaction;
    assert.equal(done.status, 200, JSON.stringify(done.body).slice(0, 300));
    assert.ok(Number(done.headers.get('x-compaction-tokens-before')) > 400_000, 'the conversation was large');
    assert.ok(Number(done.headers.get('x-compaction-tokens-after')) < 128_000 * 0.85, 'and was compacted');
    assert.ok(probes.length >= 3, `the relay answered /healthz during the compaction (${probes.length} times)`);
    assert.ok(chats.length >= 1, 'and a plain chat request');
    const slowest = Math.max(...probes.map((p) => p.ms), ...chats.map((c) => c.ms));
    assert.ok(slowest < 500, `every answer came within 500 ms while compacting (slowest ${slowest.toFixed(0)} ms)`);
    assert.ok([...probes, ...chats].every((p) => p.status === 200));
  });
});

describe('the relay when its compaction queue is full', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'chat-only', models: [MODEL], recordLimit: 0 });
    relay = await startTestRelay({ channels: [{ name: 'deepseek', type: 'openai-chat', baseUrl: upstream.url, models: [MODEL] }], config: { compactionWorkers: 1, compactionQueueLimit: 0 } });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('a compaction that finds no room is refused with an OpenAI-shaped 503 and Retry-After', async () => {
    const body = JSON.stringify({ model: MODEL, messages: hugeChat(1_000_000) });
    const send = async (text: string) => {
      const res = await fetch(`${relay.url}/compact/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' }, body: text });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
    };
    const big = [0, 1, 2].map(() => send(body));
    await new Promise((r) => setTimeout(r, 50));
    const small = await send(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'A short question.' }] }));
    assert.equal(small.status, 200, 'a short conversation, far under the budget, is not queued behind them');
    const answers = await Promise.all(big);
    assert.ok(answers.some((a) => a.status === 200), 'one compaction ran');
    const refused = answers.filter((a) => a.status !== 200);
    assert.ok(refused.length >= 1, 'the others found the queue full');
    for (const answer of refused) {
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error.code, 'compaction_overloaded');
      assert.equal(answer.body.error.type, 'server_error');
      assert.ok(Number(answer.retryAfter) >= 1, `Retry-After: ${answer.retryAfter}`);
    }
  });
});
