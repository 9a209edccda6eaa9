// The HTTP response sink over a stand-in for node's ServerResponse (no socket): every answer
// carries the request id and its admission's rate-limit headers, first-byte time is marked once,
// and an event stream waits for 'drain', or for the client going away, before writing on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { httpResponseSink } from '../../src/http/response-sink.ts';
import { memoryScope, memorySink } from '../helpers/memory-sink.ts';
import type { Admission } from '../../src/access/limits.ts';

class FakeResponse extends EventEmitter {
  status?: number;
  head: Record<string, string | number> = {};
  set: Record<string, string> = {};
  body: string[] = [];
  ended = false;
  flushed = false;
  setHeader(name: string, value: string) {
    this.set[name] = value;
  }
  writeHead(status: number, headers: Record<string, string | number>) {
    this.status = status;
    this.head = headers;
  }
  flushHeaders() {
    this.flushed = true;
  }
  write(chunk: string | Uint8Array) {
    this.body.push(String(chunk));
    return this.body.length !== 1;
  }
  end(chunk?: string) {
    if (chunk !== undefined) this.body.push(chunk);
    this.ended = true;
  }
}

const admission = { headers: { 'x-ratelimit-remaining-requests': '9' } } as unknown as Admission;

function setup() {
  const res = new FakeResponse();
  const scope = memoryScope(memorySink().sink, { id: 'req_abc', admission });
  const sink = httpResponseSink(res as unknown as ServerResponse, () => scope);
  return { res, scope, sink };
}

test('a JSON answer: content type and length, the request id, the admission headers, then the extra ones', () => {
  const { res, scope, sink } = setup();
  sink.setHeader('x-compaction-strategy', 'ledger');
  sink.sendJson(201, { ok: 'é' }, { 'x-extra': '1' });
  assert.equal(res.status, 201);
  assert.deepEqual(res.head, { 'content-type': 'application/json', 'content-length': 11, 'x-request-id': 'req_abc', 'x-ratelimit-remaining-requests': '9', 'x-extra': '1' });
  assert.deepEqual(res.set, { 'x-compaction-strategy': 'ledger' });
  assert.deepEqual(res.body, ['{"ok":"é"}']);
  assert.equal(res.ended, true);
  assert.equal(typeof scope.firstByteAt, 'number');
});

test('an event stream: SSE headers flushed at once; a full buffer is waited out until drain or abort', async () => {
  const { res, scope, sink } = setup();
  const stream = sink.startEventStream(200, { 'x-extra': '1' });
  assert.equal(res.head['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(res.head['x-request-id'], 'req_abc');
  assert.equal(res.flushed, true);
  assert.equal(stream.write('data: 1\n\n'), false);
  const drained = stream.drained();
  res.emit('drain');
  await drained;
  assert.equal(res.listenerCount('drain'), 0, 'the drain listener is removed once it fired');
  const aborted = stream.drained();
  scope.abort.abort();
  await aborted;
  assert.equal(res.listenerCount('drain'), 0, 'and when the client went away instead');
  stream.end('data: [DONE]\n\n');
  assert.deepEqual(res.body, ['data: 1\n\n', 'data: [DONE]\n\n']);
  assert.equal(res.ended, true);
});
