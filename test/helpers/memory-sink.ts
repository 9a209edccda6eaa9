// A response sink and request scope held in memory, for driving use cases and relays without a
// socket: what was answered (status, headers, JSON body or the streamed chunks) is kept for asserts.
import type { EventStream, ResponseSink } from '../../src/request/response-sink.ts';
import type { RequestScope } from '../../src/request/scope.ts';

export interface SinkRecord {
  status?: number;
  headers: Record<string, string>;
  /** The JSON answer as sent (a string body is kept as it is). */
  json?: unknown;
  /** The streamed chunks, as text. */
  chunks: string[];
  streaming: boolean;
  ended: boolean;
  /** How many times a writer waited for the buffer to drain. */
  drainWaits: number;
}

export interface MemorySinkOptions {
  /** The write numbers (1-based) that report a full buffer, so the writer must wait for `drained()`. */
  fullOnWrites?: number[];
}

export function memorySink(options: MemorySinkOptions = {}): { sink: ResponseSink; record: SinkRecord } {
  const record: SinkRecord = { headers: {}, chunks: [], streaming: false, ended: false, drainWaits: 0 };
  let writes = 0;
  const stream: EventStream = {
    write(chunk) {
      if (record.ended) throw new Error('write after end');
      record.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      writes++;
      return !(options.fullOnWrites ?? []).includes(writes);
    },
    async drained() {
      record.drainWaits++;
    },
    end(chunk) {
      if (record.ended) throw new Error('ended twice');
      if (chunk !== undefined) record.chunks.push(chunk);
      record.ended = true;
    },
  };
  const sink: ResponseSink = {
    setHeader(name, value) {
      record.headers[name] = value;
    },
    sendJson(status, body, headers = {}) {
      if (record.status !== undefined) throw new Error('answered twice');
      record.status = status;
      Object.assign(record.headers, headers);
      record.json = body;
      record.ended = true;
    },
    startEventStream(status = 200, headers = {}) {
      if (record.status !== undefined) throw new Error('answered twice');
      record.status = status;
      Object.assign(record.headers, headers);
      record.streaming = true;
      return stream;
    },
  };
  return { sink, record };
}

export function memoryScope(sink: ResponseSink, fields: Partial<RequestScope> = {}): RequestScope {
  return {
    id: 'req_test',
    startedAt: performance.now(),
    startedIso: new Date().toISOString(),
    endpoint: '/v1/chat/completions',
    headers: {},
    sink,
    streamed: false,
    usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 },
    abort: new AbortController(),
    ...fields,
  };
}
