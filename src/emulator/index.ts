// The upstream emulator: a fake model server that answers like the OpenAI API (models, chat
// completions, responses, native compaction, structured output), records what it received, and injects faults.
// Tests and benchmarks put it behind the relay; `compact-relay dev-upstream` runs it alone.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { planReply, estimateTokens, type ScriptedReply } from './script.ts';
import { chatCompletionObject, checkToolPairing, streamChat } from './chat-endpoint.ts';
import { BlobMinter, newId, outputItems, responseObject, responseStatusOf, responsesUsage, streamResponse } from './responses-endpoint.ts';
import { forcedToolReply } from './forced-tool.ts';
import { isProblem, requestedOutput, structuredText } from './structured-output.ts';
import { anthropicErrorBody, anthropicErrorType, checkMessagesRequest, messageObject, PromptCacheEmulator, streamMessage } from './messages-endpoint.ts';

export type { ScriptedReply } from './script.ts';

export type Fault =
  | { kind: 'status'; status: number; count?: number; message?: string }
  | { kind: 'reset'; count?: number }
  | { kind: 'hang'; count?: number }
  | { kind: 'truncate-stream'; afterEvents?: number; count?: number }
  | { kind: 'malformed-stream'; count?: number }
  | { kind: 'slow'; ms: number; count?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  time: number;
  /** Set when the client went away before the answer was complete (ms since epoch). */
  abortedAt?: number;
}

export interface UpstreamEmulatorOptions {
  port?: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Models it serves; others get 404 model_not_found. Undefined: any model. */
  models?: string[];
  /** `chat-only` behaves like DeepSeek/vLLM/Ollama (no /v1/responses); `anthropic` like Anthropic's API (only /v1/messages). */
  mode?: 'full' | 'chat-only' | 'responses-only' | 'anthropic';
  /** Serve /v1/responses/compact and honour compaction_trigger like OpenAI. */
  nativeCompaction?: boolean;
  latencyMs?: number;
  streamChunkDelayMs?: number;
  replyText?: string;
  /** Keep at most this many recorded requests (benchmarks set 0). */
  recordLimit?: number;
}

export interface UpstreamEmulator {
  /** Base URL ending in /v1. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  script(replies: ScriptedReply[]): void;
  setFault(fault: Fault | null): void;
  reset(): void;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null): void {
  sendJson(res, status, { error: { message, type, param, code } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Text of everything the model would read, for the input-token estimate. */
function requestText(body: any): string {
  const system = typeof body.instructions === 'string' ? body.instructions : body.system !== undefined ? JSON.stringify(body.system) : '';
  return JSON.stringify(body.messages ?? body.input ?? '') + system;
}

export async function startUpstreamEmulator(options: UpstreamEmulatorOptions = {}): Promise<UpstreamEmulator> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const blobs = new BlobMinter();
  const promptCache = new PromptCacheEmulator();
  let fault: (Fault & { remaining: number }) | null = null;
  const mode = options.mode ?? 'full';
  const delayMs = options.streamChunkDelayMs ?? 0;
  const recordLimit = options.recordLimit ?? 10_000;
  const defaultText = options.replyText ?? 'This is the emulated model speaking: the request was received and understood.';

  const takeFault = (): Fault | null => {
    if (!fault) return null;
    const current = fault;
    if (current.remaining !== Infinity && --current.remaining <= 0) fault = null;
    return current;
  };

  const handleModelCall = async (path: string, headers: IncomingMessage['headers'], body: any, res: ServerResponse) => {
    const anthropic = path === '/v1/messages';
    // Each API answers errors in its own shape: OpenAI's `{error:{message,type,param,code}}`, Anthropic's `{type:"error",error:{type,message}}`.
    const fail = (status: number, message: string, type: string, code: string | null, param: string | null = null) =>
      anthropic ? sendJson(res, status, anthropicErrorBody(anthropicErrorType(status), message)) : sendError(res, status, message, type, code, param);
    if (anthropic) {
      const problem = checkMessagesRequest(headers, body);
      if (problem) return sendJson(res, problem.status, anthropicErrorBody(problem.type, problem.message));
    }
    if (typeof body.model !== 'string') return fail(400, "Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model');
    if (options.models && !options.models.includes(body.model)) {
      return fail(404, anthropic ? `model: ${body.model}` : `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found', 'model');
    }
    const output = requestedOutput(anthropic ? 'anthropic' : path === '/v1/chat/completions' ? 'chat' : 'responses', body);
    if (isProblem(output)) return fail(400, output.message, 'invalid_request_error', output.code, output.param);
    // Asked for structured output, the model answers with JSON that matches (a script's own text still wins).
    const replyText = output ? structuredText(output, defaultText) : defaultText;
    const active = takeFault();
    if (active?.kind === 'status') {
      const type = active.status === 429 ? 'rate_limit_error' : active.status >= 500 ? 'server_error' : 'invalid_request_error';
      return fail(active.status, active.message ?? `Emulated failure with status ${active.status}.`, type, active.status === 429 ? 'rate_limit_exceeded' : null);
    }
    if (active?.kind === 'reset') return void res.socket?.destroy();
    if (active?.kind === 'hang') return;
    if (active?.kind === 'slow') await new Promise((r) => setTimeout(r, active.ms));
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const scripted = queue.shift() ?? forcedToolReply(body);
    if (scripted?.rawBody !== undefined) {
      res.writeHead(200, { 'content-type': scripted.rawContentType ?? 'application/json' });
      return void res.end(scripted.rawBody);
    }
    if (scripted?.status) {
      return fail(scripted.status, scripted.error?.message ?? 'Scripted error.', scripted.error?.type ?? 'invalid_request_error', scripted.error?.code ?? null);
    }
    const streamOptions = {
      delayMs,
      stopAfter: active?.kind === 'truncate-stream' ? active.afterEvents ?? 2 : undefined,
      malformed: active?.kind === 'malformed-stream',
    };
    if (anthropic) {
      const plan = planReply(scripted, requestText(body), replyText);
      const cache = promptCache.account(body);
      // A script's own usage wins; otherwise the input is what the prompt cache says of this request.
      if (scripted?.usage?.input === undefined && scripted?.usage?.cached === undefined) {
        plan.inputTokens = cache.totalTokens;
        plan.cachedTokens = cache.readTokens;
        plan.totalTokens = plan.inputTokens + plan.outputTokens;
      }
      const creation = scripted?.usage?.input === undefined && scripted?.usage?.cached === undefined ? cache.creationTokens : 0;
      if (body.stream === true) return streamMessage(res, body.model, plan, streamOptions, creation);
      return sendJson(res, 200, messageObject(body.model, plan, creation));
    }
    if (path === '/v1/chat/completions') {
      if (!Array.isArray(body.messages)) return sendError(res, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
      const pairing = checkToolPairing(body.messages);
      if (pairing) return sendError(res, 400, pairing, 'invalid_request_error', null, 'messages');
      const plan = planReply(scripted, requestText(body), replyText);
      const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
      if (body.stream === true) return streamChat(res, id, body.model, plan, body.stream_options?.include_usage === true, streamOptions);
      return sendJson(res, 200, chatCompletionObject(id, body.model, plan));
    }
    const blob = blobs.foreignIn(body.input);
    if (blob) return sendError(res, 400, 'The encrypted content could not be verified.', 'invalid_request_error', 'invalid_encrypted_content', 'input');
    const input = body.input;
    const isTrigger = Array.isArray(input) && input.at(-1)?.type === 'compaction_trigger';
    if (isTrigger && !options.nativeCompaction) return sendError(res, 400, "Invalid value: 'compaction_trigger'.", 'invalid_request_error', 'invalid_value', 'input');
    const plan = planReply(scripted, requestText(body), replyText);
    const id = newId('resp');
    const items = isTrigger
      ? [{ type: 'compaction', id: newId('cmp'), encrypted_content: blobs.mint('compaction', `summary of ${input.length - 1} items`) }]
      : outputItems(plan);
    const usage = responsesUsage(plan);
    if (body.stream === true) return streamResponse(res, id, body.model, items, usage, streamOptions);
    return sendJson(res, 200, responseObject(id, body.model, responseStatusOf(items), items, usage));
  };

  const handleCompact = (body: any, res: ServerResponse) => {
    if (typeof body.model !== 'string') return sendError(res, 400, "Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model');
    const blob = blobs.foreignIn(body.input);
    if (blob) return sendError(res, 400, 'The encrypted content could not be verified.', 'invalid_request_error', 'invalid_encrypted_content', 'input');
    const input: any[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : body.input ?? [];
    // Like OpenAI: kept user messages come back as typed items, whatever shape they were sent in.
    const users = input.filter((i) => (i.type === 'message' || i.type === undefined) && i.role === 'user')
      .map((i) => ({ type: 'message', role: 'user', content: typeof i.content === 'string' ? [{ type: 'input_text', text: i.content }] : i.content }));
    const inputTokens = estimateTokens(JSON.stringify(input));
    sendJson(res, 200, {
      id: newId('resp'),
      object: 'response.compaction',
      created_at: Math.floor(Date.now() / 1000),
      output: [...users, { type: 'compaction', id: newId('cmp'), encrypted_content: blobs.mint('compaction', `summary of ${input.length} items`) }],
      usage: { input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: inputTokens + 50 },
    });
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const raw = await readBody(req);
    let body: any = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
      }
    }
    if (path.startsWith('/__emulator/')) {
      if (path === '/__emulator/requests') return sendJson(res, 200, requests);
      if (path === '/__emulator/script' && Array.isArray(body)) {
        queue.push(...body);
        return sendJson(res, 200, { queued: queue.length });
      }
      if (path === '/__emulator/reset') {
        requests.length = 0;
        queue.length = 0;
        fault = null;
        return sendJson(res, 200, { ok: true });
      }
      if (path === '/__emulator/fault') {
        fault = body && body.kind ? { ...body, remaining: body.count ?? Infinity } : null;
        return sendJson(res, 200, { ok: true });
      }
      return sendError(res, 404, `Unknown control path ${path}`, 'invalid_request_error', 'unknown_url');
    }
    if (recordLimit > 0) {
      if (requests.length >= recordLimit) requests.shift();
      const record: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, time: Date.now() };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished) record.abortedAt = Date.now();
      });
    }
    if (options.apiKey && mode === 'anthropic' && req.headers['x-api-key'] !== options.apiKey) {
      return sendJson(res, 401, anthropicErrorBody('authentication_error', 'invalid x-api-key'));
    }
    if (options.apiKey && mode !== 'anthropic' && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const ids = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'gpt-5.5'];
      if (mode === 'anthropic') {
        const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
        return sendJson(res, 200, { data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
      }
      return sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'emulator' })) });
    }
    const openai = mode !== 'anthropic';
    if (req.method === 'POST' && path === '/v1/chat/completions' && openai && mode !== 'responses-only') return handleModelCall(path, req.headers, body, res);
    if (req.method === 'POST' && path === '/v1/responses' && openai && mode !== 'chat-only') return handleModelCall(path, req.headers, body, res);
    if (req.method === 'POST' && path === '/v1/responses/compact' && openai && mode !== 'chat-only' && options.nativeCompaction) return handleCompact(body, res);
    if (req.method === 'POST' && path === '/v1/messages' && (mode === 'anthropic' || mode === 'full')) return handleModelCall(path, req.headers, body, res);
    if (req.method === 'POST' && path === '/v1/messages/count_tokens' && (mode === 'anthropic' || mode === 'full')) {
      if (!req.headers['anthropic-version']) return sendJson(res, 400, anthropicErrorBody('invalid_request_error', 'anthropic-version: header is required'));
      if (!Array.isArray(body.messages)) return sendJson(res, 400, anthropicErrorBody('invalid_request_error', 'messages: Field required'));
      return sendJson(res, 200, { input_tokens: estimateTokens(requestText(body)) });
    }
    if (mode === 'anthropic') return sendJson(res, 404, anthropicErrorBody('not_found_error', `Not Found: ${req.method} ${path}`));
    return sendError(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', 'unknown_url');
  };

  const server: Server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
    onRequest(req, res).catch((err) => {
      if (!res.headersSent) sendError(res, 500, `Emulator failure: ${(err as Error).message}`, 'server_error', null);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/v1`,
    port,
    requests,
    script(replies) {
      queue.push(...replies);
    },
    setFault(next) {
      fault = next ? { ...next, remaining: next.count ?? Infinity } : null;
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      fault = null;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
