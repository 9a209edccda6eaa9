// upstream/relay-response.ts and translate/relay-translated.ts driven through an in-memory
// response sink, no socket: what reaches the client, the usage tapped on the way, and how a
// stream that breaks off or is cut short ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { relayUpstreamResponse } from '../../src/upstream/relay-response.ts';
import { relayTranslated } from '../../src/translate/relay-translated.ts';
import type { ChannelRecord } from '../../src/store/catalog-store.ts';
import { memoryScope, memorySink } from '../helpers/memory-sink.ts';
import { eventsToResponse } from '../../src/adapters/responses/answer.ts';
import { ResponsesStreamEncoder } from '../../src/adapters/responses/stream.ts';

/** Encodes answers for a Responses client asking for `model`. */
const responsesAnswer = (model: string) => {
  const options = () => ({ id: 'resp_test', model, createdAt: 0, customTools: new Set<string>(), echo: {} });
  return { stream: () => new ResponsesStreamEncoder(options()), whole: (events: Parameters<typeof eventsToResponse>[0]) => eventsToResponse(events, options()) };
};

const channel: ChannelRecord = { id: 1, name: 'up', type: 'openai-chat', baseUrl: 'http://upstream.invalid/v1', apiKey: 'sk-up-secret', models: ['m'], priority: 0, weight: 1, enabled: true, options: {}, source: 'test' };

function upstream(status: number, contentType: string, chunks: string[] | Readable): Dispatcher.ResponseData {
  const body = Array.isArray(chunks) ? Readable.from(chunks.map((c) => Buffer.from(c))) : chunks;
  return { statusCode: status, headers: { 'content-type': contentType }, body } as unknown as Dispatcher.ResponseData;
}

const sse = (events: unknown[]) => events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`);

test('a whole JSON answer is sent as the upstream wrote it, with its usage on the scope', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink);
  const text = JSON.stringify({ id: 'c1', choices: [{ message: { role: 'assistant', content: 'hi' } }], usage: { prompt_tokens: 12, completion_tokens: 3 } });
  await relayUpstreamResponse(scope, upstream(200, 'application/json', [text]), { format: 'chat', channel, headers: { 'x-extra': '1' } });
  assert.equal(record.status, 200);
  assert.equal(record.json, text);
  assert.equal(record.headers['x-extra'], '1');
  assert.deepEqual(scope.usage, { input_tokens: 12, output_tokens: 3, cached_tokens: 0, reasoning_tokens: 0 });
  assert.equal(scope.streamed, false);
});

test('a Chat stream is forwarded chunk by chunk; the usage chunk the client did not ask for is hidden', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink);
  const events = sse([
    { id: 'c1', choices: [{ index: 0, delta: { content: 'hi' } }] },
    { id: 'c1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 1 } },
    '[DONE]',
  ]);
  await relayUpstreamResponse(scope, upstream(200, 'text/event-stream', events), { format: 'chat', channel, hideUsageChunk: true });
  assert.equal(record.streaming, true);
  assert.equal(record.ended, true);
  const text = record.chunks.join('');
  assert.match(text, /"content":"hi"/);
  assert.doesNotMatch(text, /prompt_tokens/);
  assert.match(text, /data: \[DONE\]/);
  assert.equal(scope.streamed, true);
  assert.equal(scope.completed, true);
  assert.equal(scope.usage.input_tokens, 5);
});

test('a stream cut short ends with an error frame naming the channel, and the scope says why', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink);
  await relayUpstreamResponse(scope, upstream(200, 'text/event-stream', sse([{ id: 'c1', choices: [{ index: 0, delta: { content: 'hi' } }] }])), { format: 'chat', channel });
  assert.equal(scope.errorCode, 'stream_truncated');
  assert.match(record.chunks.at(-1)!, /"code":"stream_truncated"/);
  assert.match(record.chunks.at(-1)!, /Upstream channel \\"up\\"/);
  assert.equal(record.ended, true);
  assert.notEqual(scope.completed, true);
});

test('a full client buffer makes the relay wait for the sink to drain before writing on', async () => {
  const { sink, record } = memorySink({ fullOnWrites: [1] });
  const scope = memoryScope(sink);
  const events = sse([{ id: 'c1', choices: [{ index: 0, delta: { content: 'a' } }] }, { id: 'c1', choices: [{ index: 0, delta: { content: 'b' } }] }, '[DONE]']);
  await relayUpstreamResponse(scope, upstream(200, 'text/event-stream', events), { format: 'chat', channel });
  assert.equal(record.drainWaits, 1);
  assert.equal(record.chunks.length, 3);
});

test('an upstream that breaks off mid-stream gets a clean error frame, with nothing after it', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink);
  const body = new Readable({ read() {} });
  body.push(Buffer.from(sse([{ id: 'c1', choices: [{ index: 0, delta: { content: 'a' } }] }])[0]));
  setImmediate(() => body.destroy(new Error('socket hang up')));
  await relayUpstreamResponse(scope, upstream(200, 'text/event-stream', body), { format: 'chat', channel });
  assert.equal(scope.errorCode, 'upstream_stream_error');
  assert.match(record.chunks.at(-1)!, /broke off the stream: socket hang up/);
  assert.equal(record.ended, true);
});

test('an upstream error status is thrown for the HTTP layer to map; nothing is written to the sink', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink);
  const failing = upstream(500, 'application/json', [JSON.stringify({ error: { message: 'boom' } })]);
  await assert.rejects(relayUpstreamResponse(scope, failing, { format: 'chat', channel }), (err: { status?: number }) => err.status === 502);
  assert.equal(record.status, undefined);
});

test('a translated Chat answer reaches a Responses client as one response object on the sink', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink, { endpoint: '/v1/responses' });
  const text = JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello' } }], usage: { prompt_tokens: 7, completion_tokens: 2 } });
  await relayTranslated(scope, upstream(200, 'application/json', [text]), { upstream: 'chat', answer: responsesAnswer('m'), channel });
  assert.equal(record.status, 200);
  const answer = record.json as { object: string; model: string; output: { content: { text: string }[] }[] };
  assert.equal(answer.object, 'response');
  assert.equal(answer.model, 'm');
  assert.equal(answer.output[0].content[0].text, 'hello');
  assert.equal(scope.usage.input_tokens, 7);
});
