// A tiny scripted OpenAI Responses server for driving the real Codex CLI: records every request
// (method, path, headers, body) and answers /responses (SSE), /responses/compact and /models.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent (e.g. "/v1/responses"). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  body: any;
  /** What the fake answered: "turn:1", "compaction-v2", "compact-v1", "models", "404", ... */
  answeredWith: string;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

export interface FakeServerOptions {
  /** usage.total_tokens of the first /responses turn (the tool call); drives auto-compaction. */
  firstTurnTotalTokens?: number;
  /** Name of the (unknown) tool the first turn calls. */
  toolName?: string;
  /** Text of the final assistant message. */
  finalText?: string;
  /** Emit response.output_item.added before each .done (Codex does not need it; default false). */
  emitAddedEvents?: boolean;
  /** How many compaction items a v2 compaction answer carries (exactly 1 is what Codex accepts). */
  v2CompactionItems?: number;
  /** encrypted_content of the compaction item the fake mints. */
  compactionBlob?: string;
  /** Answer to GET /models: a JSON value to send with 200, or "404" (the default). */
  modelsAnswer?: unknown;
  /** Experiments: return an answer to take over a request; undefined keeps the scripted one. */
  override?: (request: RecordedRequest) => OverrideAnswer | undefined;
}

/** A JSON answer, or an SSE stream of output items ending in response.completed with `usage`. */
export type OverrideAnswer =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'sse'; items: unknown[]; usage?: Usage; omitCompleted?: boolean; omitItemEvents?: boolean };

export interface FakeResponsesServer {
  /** Base URL to configure in Codex, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const DEFAULT_COMPACTION_BLOB = 'fake-compaction-blob-0001';

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeResponsesServer(options: FakeServerOptions = {}): Promise<FakeResponsesServer> {
  const requests: RecordedRequest[] = [];
  const state = { turns: 0, ids: 0 };
  const server = createServer((req, res) => {
    readBody(req).then((raw) => {
      const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body: parseBody(raw), answeredWith: '' };
      requests.push(record);
      record.answeredWith = answer(record, res, options, state);
    }, () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): any {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function answer(record: RecordedRequest, res: ServerResponse, options: FakeServerOptions, state: { turns: number; ids: number }): string {
  const custom = options.override?.(record);
  if (custom?.kind === 'json') return sendJson(res, custom.status, custom.body, `override:${custom.status}`);
  if (custom?.kind === 'sse') {
    sendStream(res, `resp_${++state.ids}`, custom.items, custom.usage, options, custom.omitCompleted, custom.omitItemEvents);
    return 'override:sse';
  }
  const path = record.path.split('?')[0];
  if (record.method === 'GET' && path === '/v1/models') {
    if (options.modelsAnswer === '404' || options.modelsAnswer === undefined) return sendJson(res, 404, { error: { message: 'no model catalog here', type: 'invalid_request_error', code: 'not_found', param: null } }, '404');
    return sendJson(res, 200, options.modelsAnswer, 'models');
  }
  if (record.method === 'POST' && path === '/v1/responses/compact') {
    const input: any[] = Array.isArray(record.body?.input) ? record.body.input : [];
    const keptUserMessages = input.filter((item) => item?.type === 'message' && item.role === 'user');
    const output = [...keptUserMessages, { type: 'compaction', id: `cmp_fake_${++state.ids}`, encrypted_content: options.compactionBlob ?? DEFAULT_COMPACTION_BLOB }];
    return sendJson(res, 200, { id: `resp_compact_${state.ids}`, object: 'response.compaction', created_at: nowSeconds(), output, usage: usage(4_000, 300) }, 'compact-v1');
  }
  if (record.method === 'POST' && path === '/v1/responses') {
    const input: any[] = Array.isArray(record.body?.input) ? record.body.input : [];
    if (input.at(-1)?.type === 'compaction_trigger') {
      const count = options.v2CompactionItems ?? 1;
      const items = Array.from({ length: count }, () => ({ type: 'compaction', id: `cmp_fake_${++state.ids}`, encrypted_content: options.compactionBlob ?? DEFAULT_COMPACTION_BLOB }));
      sendStream(res, `resp_${++state.ids}`, items, usage(4_000, 300), options);
      return 'compaction-v2';
    }
    state.turns += 1;
    if (state.turns === 1) {
      const call = { type: 'function_call', id: `fc_fake_${++state.ids}`, call_id: `call_fake_${state.ids}`, name: options.toolName ?? 'inspect_repository', arguments: '{"depth":1}', status: 'completed' };
      const total = options.firstTurnTotalTokens ?? 200_000;
      sendStream(res, `resp_${++state.ids}`, [call], usage(total - 1_000, 1_000), options);
    } else {
      const text = options.finalText ?? 'Finished after compaction.';
      const message = { type: 'message', id: `msg_fake_${++state.ids}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
      sendStream(res, `resp_${++state.ids}`, [message], usage(3_000, 20), options);
    }
    return `turn:${state.turns}`;
  }
  return sendJson(res, 404, { error: { message: `unknown path ${record.method} ${record.path}`, type: 'invalid_request_error', code: 'not_found', param: null } }, '404');
}

function usage(input: number, output: number): Usage {
  return { input_tokens: input, output_tokens: output, total_tokens: input + output };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function sendJson(res: ServerResponse, status: number, value: unknown, label: string): string {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
  return label;
}

function sendStream(res: ServerResponse, id: string, items: unknown[], use: Usage | undefined, options: FakeServerOptions, omitCompleted = false, omitItemEvents = false): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const base = { id, object: 'response', created_at: nowSeconds(), model: 'fake', status: 'in_progress' };
  event('response.created', { response: { ...base, output: [] } });
  if (!omitItemEvents) items.forEach((item, index) => {
    if (options.emitAddedEvents) event('response.output_item.added', { output_index: index, item });
    event('response.output_item.done', { output_index: index, item });
  });
  if (!omitCompleted) event('response.completed', { response: { ...base, status: 'completed', output: items, ...(use ? { usage: use } : {}) } });
  res.end();
}
