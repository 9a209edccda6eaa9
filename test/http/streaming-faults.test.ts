// Upstream faults around streams, as a client sees them: a failure before the first byte is a
// clean 502; a stream cut after it ends with an error event the SDK raises; a client that goes
// away mid-stream makes the relay abort the upstream request at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startChatAndResponsesRig, type ChatAndResponsesRig, type TestRelay } from '../helpers/relay-harness.ts';

describe('stream faults', () => {
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

  test('a connection reset before the first byte is a 502', async () => {
    upstream.setFault({ kind: 'reset', count: 3 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }), (err: any) => err.status === 502);
  });

  test('a chat stream cut after the first byte ends with an error the SDK raises', async () => {
    upstream.setFault({ kind: 'truncate-stream', afterEvents: 2, count: 1 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    let chunks = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of stream) chunks++;
      })(),
      (err: any) => /ended the stream before it was complete|broke off the stream/.test(err.message),
    );
    assert.ok(chunks >= 1, 'the chunks before the cut were delivered');
    const rows = await relay.usageRows(1);
    assert.match(rows[0].error_code, /stream_truncated|upstream_stream_error/);
  });

  test('a Responses stream cut after the first byte ends with an error event', async () => {
    upstream.setFault({ kind: 'truncate-stream', afterEvents: 3, count: 1 });
    const stream = await client.responses.create({ model: 'gpt-5.5', input: 'x', stream: true });
    await assert.rejects((async () => {
      for await (const _ of stream) { /* drain */ }
    })());
  });

  test('a client that disconnects mid-stream aborts the upstream request within 100 ms', async () => {
    const slow = await startUpstreamEmulator({ models: ['gpt-4o-mini'], streamChunkDelayMs: 300, replyText: 'a long answer that streams slowly, piece by piece, over a second or more' });
    await relay.addChannel({ name: 'slow', type: 'openai-chat', baseUrl: slow.url, models: ['slow-model'], options: { aliases: { 'slow-model': 'gpt-4o-mini' } } });
    try {
      const controller = new AbortController();
      const stream = await client.chat.completions.create({ model: 'slow-model', messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: controller.signal });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      const abortedAt = Date.now();
      controller.abort();
      const deadline = Date.now() + 2000;
      while (!slow.requests[0]?.abortedAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(slow.requests[0].abortedAt, 'the upstream saw the request go away');
      assert.ok(slow.requests[0].abortedAt! - abortedAt <= 100, `aborted after ${slow.requests[0].abortedAt! - abortedAt} ms`);
      const rows = await relay.usageRows(1);
      assert.equal(rows.find((r) => r.model === 'slow-model')?.status, 499);
    } finally {
      await slow.close();
    }
  });
});
