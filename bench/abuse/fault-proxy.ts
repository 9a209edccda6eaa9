// A faulty network in front of the upstream emulator: it forwards model calls, and injects a
// fault into a set share of them (HTTP 500, a reset connection, a stalled answer, a stream cut
// short), counting what it injected. Some model names make it hostile on purpose: an answer with
// negative token counts, an answer far larger than any real one, an auth failure of the channel.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  /** Base URL ending in /v1. */
  url: string;
  /** Share of model calls that get a fault (0..1). */
  faultRate: number;
  injected: Record<string, number>;
  forwarded: number;
  close(): Promise<void>;
}

/** Models whose answers are hostile whatever the fault rate. */
export const HOSTILE_MODELS = {
  negativeUsage: 'hostile-negative-usage',
  hugeAnswer: 'hostile-huge-answer',
  channelKeyRejected: 'hostile-channel-401',
} as const;

const FAULTS = ['status-500', 'reset', 'stall', 'cut-answer'] as const;
const HUGE_ANSWER_BYTES = 200 * 1024 * 1024;

function chatCompletion(model: string, text: string, usage: Record<string, number>): string {
  return JSON.stringify({
    id: 'chatcmpl-hostile', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage,
  });
}

function hostileAnswer(model: string, res: ServerResponse): boolean {
  if (model === HOSTILE_MODELS.negativeUsage) {
    const body = chatCompletion(model, 'usage below zero', { prompt_tokens: -50, completion_tokens: -7, total_tokens: -57 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  if (model === HOSTILE_MODELS.hugeAnswer) {
    // A 200 MB string inside an otherwise valid answer, written in 1 MB pieces.
    const head = '{"id":"chatcmpl-huge","object":"chat.completion","created":0,"model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"';
    const tail = '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';
    const piece = 'a'.repeat(1024 * 1024);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': head.length + HUGE_ANSWER_BYTES + tail.length });
    res.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < HUGE_ANSWER_BYTES) {
        sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end(tail);
    };
    res.on('error', () => undefined);
    pump();
    return true;
  }
  if (model === HOSTILE_MODELS.channelKeyRejected) {
    const body = JSON.stringify({ error: { message: 'Incorrect API key provided: sk-upstr************************cret.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  return false;
}

export async function startFaultProxy(targetV1Url: string, faultRate = 0): Promise<FaultProxy> {
  const target = new URL(targetV1Url);
  const proxy: FaultProxy = { url: '', faultRate, injected: {}, forwarded: 0, close: async () => undefined };
  const count = (kind: string) => {
    proxy.injected[kind] = (proxy.injected[kind] ?? 0) + 1;
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let model = '';
      try {
        model = String(JSON.parse(body.toString('utf8'))?.model ?? '');
      } catch {
        // not JSON: forwarded as is
      }
      if (hostileAnswer(model, res)) return;
      const isModelCall = req.method === 'POST' && /\/(chat\/completions|responses|messages)$/.test(req.url ?? '');
      const fault = isModelCall && Math.random() < proxy.faultRate ? FAULTS[Math.floor(Math.random() * FAULTS.length)] : undefined;
      if (fault) count(fault);
      if (fault === 'status-500') {
        const text = JSON.stringify({ error: { message: 'Injected upstream failure.', type: 'server_error', param: null, code: null } });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        return void res.end(text);
      }
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'stall') return void setTimeout(() => req.socket.destroy(), 3_000);
      proxy.forwarded++;
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault !== 'cut-answer') return void answer.pipe(res);
        // The answer starts, then the connection drops after its first chunk.
        answer.once('data', (first: Buffer) => {
          res.write(first);
          answer.destroy();
          req.socket.destroy();
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.url = `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`;
  proxy.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return proxy;
}
