// Dispatch at the module level, with no HTTP server: the order channels are tried in (affinity,
// then priority), retries and failover on retryable statuses, transport errors and a refused
// channel key, no retry on a client's own error, pinning, and how it works with the circuits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { dispatch, type DispatchRequest } from '../../src/upstream/dispatch.ts';
import { ChannelHealthTracker } from '../../src/upstream/health.ts';
import { ClientGoneError } from '../../src/upstream/send.ts';
import { MemorySharedState } from '../../src/state/shared-state.ts';
import { GatewayError } from '../../src/errors.ts';
import type { ChannelRecord } from '../../src/store/catalog-store.ts';

let nextId = 1;
const channel = (name: string, fields: Partial<ChannelRecord> = {}): ChannelRecord => ({
  id: nextId++, name, type: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test', models: ['m'],
  priority: 0, weight: 1, enabled: true, options: {}, source: 'test', ...fields,
});

/** An upstream answer as undici hands it over: status, headers and an unread body. */
function answer(statusCode: number, body: unknown = { ok: true }): Dispatcher.ResponseData {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from(text)]) } as unknown as Dispatcher.ResponseData;
}

type Script = Record<string, ((n: number) => Dispatcher.ResponseData | Error)[]>;

interface Harness {
  request: DispatchRequest;
  tried: string[];
  relayed: string[];
  upstreamErrors: string[];
  warnings: string[];
  state: MemorySharedState;
  ctx: { id: string; channel?: string; abort: AbortController; principal?: unknown };
}

/**
 * A dispatch request over `candidates` whose attempts follow `script` (per channel, one entry per
 * try; the last repeats), with in-memory shared state, optional circuits, and recorded metrics.
 */
function harness(candidates: ChannelRecord[], script: Script, options: { health?: ChannelHealthTracker; state?: MemorySharedState; retries?: number; keyName?: string; affinityKey?: string; pinnedChannel?: string; model?: string } = {}): Harness {
  const tried: string[] = [];
  const relayed: string[] = [];
  const upstreamErrors: string[] = [];
  const warnings: string[] = [];
  const state = options.state ?? new MemorySharedState();
  const ctx = { id: 'req-1', abort: new AbortController(), principal: options.keyName ? { key: { name: options.keyName } } : undefined } as Harness['ctx'];
  const deps = {
    routing: { retries: options.retries ?? 2, retryStatuses: [429, 500, 502, 503, 504, 529], affinityTtlSec: 60 },
    health: options.health,
    state,
    metrics: { upstreamError: (name: string, code: string) => upstreamErrors.push(`${name}:${code}`) },
    logger: { warn: (_fields: unknown, message: string) => warnings.push(message) },
  };
  const request = {
    ctx, deps, model: options.model ?? 'm', candidates, affinityKey: options.affinityKey, pinnedChannel: options.pinnedChannel,
    attempt: async (c: ChannelRecord, upstreamModel: string) => {
      tried.push(`${c.name}/${upstreamModel}`);
      const steps = script[c.name] ?? [() => answer(200)];
      const n = tried.filter((t) => t.startsWith(`${c.name}/`)).length;
      const outcome = steps[Math.min(n, steps.length) - 1](n);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    relay: async (c: ChannelRecord) => {
      relayed.push(c.name);
    },
  } as unknown as DispatchRequest;
  return { request, tried, relayed, upstreamErrors, warnings, state, ctx };
}

const status = (code: number, body?: unknown) => () => answer(code, body);
const transport = () => () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

test('channels are tried by priority tier, failing over on retryable statuses until one answers', async () => {
  const h = harness([channel('low', { priority: 0 }), channel('high', { priority: 2 }), channel('mid', { priority: 1 })], {
    high: [status(503)], mid: [status(500)], low: [status(200)],
  });
  await dispatch(h.request);
  assert.deepEqual(h.tried, ['high/m', 'mid/m', 'low/m']);
  assert.deepEqual(h.relayed, ['low']);
  assert.equal(h.ctx.channel, 'low', 'the context names the channel that served');
  assert.deepEqual(h.upstreamErrors, ['high:503', 'mid:500']);
});

test('retries are bounded: at most retries + 1 attempts, cycling over the channels, then the last error', async () => {
  const single = harness([channel('only')], { only: [status(502, { error: { message: 'bad gateway upstream' } })] });
  await assert.rejects(dispatch(single.request), (err: GatewayError) => err.status === 502 && err.code === 'upstream_error' && /bad gateway upstream/.test(err.message));
  assert.deepEqual(single.tried, ['only/m', 'only/m', 'only/m']);
  const two = harness([channel('a', { priority: 1 }), channel('b')], { a: [status(429)], b: [status(529)] }, { retries: 3 });
  await assert.rejects(dispatch(two.request), (err: GatewayError) => err.status === 502);
  assert.deepEqual(two.tried, ['a/m', 'b/m', 'a/m', 'b/m']);
  const none = harness([channel('a', { priority: 1 }), channel('b')], { a: [status(503)] }, { retries: 0 });
  await assert.rejects(dispatch(none.request));
  assert.deepEqual(none.tried, ['a/m'], 'retries: 0 means one attempt');
});

test('a client error (a 4xx other than 429) is answered at once, with the upstream\'s status and message, on no other channel', async () => {
  const h = harness([channel('a', { priority: 1 }), channel('b')], { a: [status(400, { error: { message: 'max_tokens is too large', type: 'invalid_request_error', param: 'max_tokens', code: 'bad' } })] });
  await assert.rejects(dispatch(h.request), (err: GatewayError) => err.status === 400 && err.param === 'max_tokens' && err.message === 'max_tokens is too large');
  assert.deepEqual(h.tried, ['a/m']);
  assert.deepEqual(h.upstreamErrors, [], 'the client\'s own error is not counted against the channel');
});

test('a 401/403 refusing the channel\'s own key fails over, is counted as auth_<status> and logged for the operator', async () => {
  const state = new MemorySharedState();
  const health = new ChannelHealthTracker(state, { failureThreshold: 5, cooldownMs: 60_000, minKeys: 1 });
  const h = harness([channel('a', { priority: 1 }), channel('b')], { a: [status(401)] }, { health, state, keyName: 'k' });
  await dispatch(h.request);
  assert.deepEqual(h.tried, ['a/m', 'b/m']);
  assert.deepEqual(h.relayed, ['b']);
  assert.deepEqual(h.upstreamErrors, ['a:401']);
  assert.equal((await health.status('a')).lastError, 'auth_401');
  assert.match(h.warnings[0], /"a" refused the relay's own API key \(401\)/);
});

test('a transport failure fails over; a client that went away stops dispatch at once', async () => {
  const h = harness([channel('a', { priority: 1 }), channel('b')], { a: [transport()] });
  await dispatch(h.request);
  assert.deepEqual(h.tried, ['a/m', 'b/m']);
  assert.deepEqual(h.upstreamErrors, ['a:transport']);
  const gone = harness([channel('a', { priority: 1 }), channel('b')], { a: [() => new ClientGoneError()] });
  await assert.rejects(dispatch(gone.request), ClientGoneError);
  assert.deepEqual(gone.tried, ['a/m']);
  assert.deepEqual(gone.upstreamErrors, []);
});

test('session affinity tries the channel that served the session first, and success records it', async () => {
  const state = new MemorySharedState();
  await state.setAffinity('aff:s1', 'low', 60);
  const h = harness([channel('high', { priority: 5 }), channel('low')], {}, { state, affinityKey: 'aff:s1' });
  await dispatch(h.request);
  assert.deepEqual(h.tried, ['low/m'], 'affinity beats priority');
  const moved = harness([channel('high', { priority: 5 }), channel('low')], { low: [status(503)] }, { state, affinityKey: 'aff:s1' });
  await dispatch(moved.request);
  assert.deepEqual(moved.tried, ['low/m', 'high/m']);
  assert.equal(await state.getAffinity('aff:s1'), 'high', 'the session follows the channel that answered');
});

test('aliases rename the model sent upstream; a pinned channel is the only one tried, or the request is refused', async () => {
  const h = harness([channel('a', { options: { aliases: { fast: 'gpt-4o-mini' } } })], {}, { model: 'fast' });
  await dispatch(h.request);
  assert.deepEqual(h.tried, ['a/gpt-4o-mini']);
  const pinned = harness([channel('a', { priority: 1 }), channel('b')], { b: [status(503)] }, { pinnedChannel: 'b' });
  await assert.rejects(dispatch(pinned.request), (err: GatewayError) => err.status === 502);
  assert.deepEqual(pinned.tried, ['b/m', 'b/m', 'b/m']);
  const missing = harness([channel('a')], {}, { pinnedChannel: 'gone' });
  await assert.rejects(dispatch(missing.request), (err: GatewayError) => err.status === 503 && err.code === 'pinned_channel_unavailable');
  assert.deepEqual(missing.tried, []);
});

test('an open circuit takes a channel out of the order; when every circuit is open the answer is 503 no_healthy_channel', async () => {
  const state = new MemorySharedState();
  const health = new ChannelHealthTracker(state, { failureThreshold: 1, cooldownMs: 60_000, minKeys: 1 });
  const first = harness([channel('a', { priority: 1 }), channel('b')], { a: [status(503)] }, { health, state, keyName: 'k' });
  await dispatch(first.request);
  assert.deepEqual(first.tried, ['a/m', 'b/m']);
  assert.equal((await health.status('a')).state, 'open');
  const next = harness([channel('a', { priority: 1 }), channel('b')], {}, { health, state, keyName: 'k' });
  await dispatch(next.request);
  assert.deepEqual(next.tried, ['b/m'], 'the open channel is not tried at all');
  const down = harness([channel('a', { priority: 1 }), channel('b')], { b: [status(500)] }, { health, state, keyName: 'k' });
  await assert.rejects(dispatch(down.request), (err: GatewayError) => err.status === 502);
  const none = harness([channel('a', { priority: 1 }), channel('b')], {}, { health, state, keyName: 'k' });
  await assert.rejects(dispatch(none.request), (err: GatewayError) => err.status === 503 && err.code === 'no_healthy_channel');
  assert.deepEqual(none.tried, []);
});

test('a half-open channel whose probe another request holds is skipped; a successful probe closes it', async () => {
  const state = new MemorySharedState();
  const health = new ChannelHealthTracker(state, { failureThreshold: 1, cooldownMs: 20, minKeys: 1 });
  const opener = harness([channel('a', { priority: 1 }), channel('b')], { a: [status(503)] }, { health, state, keyName: 'k' });
  await dispatch(opener.request);
  await new Promise((resolve) => setTimeout(resolve, 30));
  const held = await health.enter('a', 'k');
  assert.ok(held && held.probes.length > 0, 'another request holds the probe');
  const skipped = harness([channel('a', { priority: 1 }), channel('b')], {}, { health, state, keyName: 'k' });
  await dispatch(skipped.request);
  assert.deepEqual(skipped.tried, ['b/m']);
  await health.abandon(held!);
  const probe = harness([channel('a', { priority: 1 }), channel('b')], {}, { health, state, keyName: 'k' });
  await dispatch(probe.request);
  assert.deepEqual(probe.tried, ['a/m'], 'the probe goes through');
  assert.equal((await health.status('a')).state, 'closed');
});
