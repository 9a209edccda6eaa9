// The response sink over node:http: every answer a use case writes starts here, with the request
// id and the rate-limit headers of its admission, and marks the first byte in one place.
import type { ServerResponse } from 'node:http';
import { markFirstByte, type RequestScope } from '../request/scope.ts';
import type { EventStream, ResponseSink } from '../request/response-sink.ts';

/** `scope` is read when an answer starts (its admission headers are known only by then). */
export function httpResponseSink(res: ServerResponse, scope: () => RequestScope): ResponseSink {
  return {
    setHeader(name, value) {
      res.setHeader(name, value);
    },
    sendJson(status, body, headers = {}) {
      const s = scope();
      const payload = typeof body === 'string' ? body : JSON.stringify(body);
      markFirstByte(s);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'x-request-id': s.id,
        ...s.admission?.headers,
        ...headers,
      });
      res.end(payload);
    },
    startEventStream(status = 200, headers = {}) {
      const s = scope();
      markFirstByte(s);
      res.writeHead(status, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': s.id,
        ...s.admission?.headers,
        ...headers,
      });
      res.flushHeaders();
      return eventStreamOver(res, s.abort.signal);
    },
  };
}

function eventStreamOver(res: ServerResponse, signal: AbortSignal): EventStream {
  return {
    write: (chunk) => res.write(chunk),
    drained: () => new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      res.on('drain', done);
      signal.addEventListener('abort', done);
    }),
    end: (chunk) => {
      if (chunk === undefined) res.end();
      else res.end(chunk);
    },
  };
}
