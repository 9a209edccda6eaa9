// Turn-by-turn replay of a real session through the running relay: before every model call the
// agent made, the whole history so far is sent to `/compact/v1/chat/completions` (or
// `/compact/v1/messages` for Claude Code) in front of the bundled upstream emulator, and, for the
// baseline, to `/v1/...` uncompacted. Billed input under cache-aware prices (cached prefix at
// 0.1×), compaction events, and prefix breaks, read from what the emulator received.
import type { Item } from '../../src/conversation/model.ts';
import { adapterFor } from '../../src/adapters/registry.ts';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../../test/helpers/relay-harness.ts';
import { requestPoints } from './cost.ts';
import { ChatPrefixCache, estimateTokens, keepsPrefix, messageKey } from './prefix-cache.ts';
import type { RealSession } from './real-sessions.ts';

export const CACHED_PRICE = 0.1;

export interface ReplayResult {
  session: string;
  /** A short recorded run: reported, not held to the cost targets (see RealSession.short). */
  short: boolean;
  wire: 'chat' | 'anthropic';
  window: number;
  requests: number;
  compactedTurns: number;
  /** Compaction events: turns the relay answered with a new plan (`x-compaction-plan: new`), or, without that header, compacted turns that shrank the forwarded history. */
  events: number;
  /** Turns whose forwarded history does not start with the previous turn's. */
  prefixBreaks: number;
  refusals: number;
  /** Refusals where, by the relay's own figures, the system prompt and the newest turn alone exceed the budget (nothing could fit). */
  unfitRefusals: number;
  errors: string[];
  billedCompacted: number;
  billedUncompacted: number;
  costRatio: number;
  /** The same sums from the first compaction event on: the turns where compaction acted. */
  billedCompactedSinceEvent: number;
  billedUncompactedSinceEvent: number;
  costRatioSinceEvent: number;
  /**
   * From the first event on, what the uncompacted side paid for tokens new at each turn (not in its
   * cache), as a share of its bill: no compaction that keeps the newest turn can cost less.
   */
  newTokensFloor: number;
  ms: number;
}

export interface ReplayRig {
  relay: TestRelay;
  close(): Promise<void>;
}

/** One relay for the whole run, its key's group set to ledger-only compaction (no model here). */
export async function startReplayRig(): Promise<ReplayRig> {
  const relay = await startTestRelay();
  await relay.relay.catalogStore.upsertGroup('default', ['*'], { compaction: { strategy: 'ledger' } });
  await relay.relay.catalog.refresh();
  return { relay, close: () => relay.close() };
}

/** Claude Code marks the system prompt and the last two user turns for caching; the same here. */
function withCacheMarks(messages: any[]): any[] {
  const out = messages.map((m) => ({ ...m, content: Array.isArray(m.content) ? [...m.content] : m.content }));
  const users = out.map((m, i) => (m.role === 'user' ? i : -1)).filter((i) => i >= 0).slice(-2);
  for (const i of users) {
    const blocks = out[i].content;
    if (Array.isArray(blocks) && blocks.length) blocks[blocks.length - 1] = { ...blocks[blocks.length - 1], cache_control: { type: 'ephemeral' } };
  }
  return out;
}

function bodyFor(session: RealSession, items: Item[], model: string): any {
  const conversation = { ...session.conversation, items };
  if (session.wire === 'anthropic') {
    const encoded = adapterFor('anthropic').encodeConversation(conversation);
    return { model, max_tokens: 64, ...encoded, messages: withCacheMarks(encoded.messages) };
  }
  return { model, max_tokens: 64, ...adapterFor('chat').encodeConversation(conversation) };
}

async function post(rig: ReplayRig, path: string, body: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${rig.relay.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${rig.relay.key}`, 'x-api-key': rig.relay.key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: await res.json().catch(() => null) };
}

let modelCounter = 0;

/** True when a refusal says the part always kept (system prompt, tools, newest turn) is over the budget. */
function unfit(message: string): boolean {
  const m = /compacted to (\d+) tokens.*alone take (\d+) tokens/s.exec(message);
  return m !== null && Number(m[2]) > Number(m[1]);
}

/** Request points where every tool call so far has its result (an agent never sends anything else). */
function answeredPoints(items: Item[]): number[] {
  const open = new Set<string>();
  const ok: boolean[] = [true];
  for (const item of items) {
    if (item.kind === 'tool_call') open.add(item.callId);
    else if (item.kind === 'tool_result') open.delete(item.callId);
    ok.push(open.size === 0);
  }
  return requestPoints(items).filter((p) => ok[p]);
}

/** Billed input of one forwarded request, and its uncached tokens: the emulator's Anthropic cache accounting, or the Chat prefix cache. */
function billOf(wire: 'chat' | 'anthropic', forwarded: any, usage: any, cache: ChatPrefixCache): { billed: number; uncached: number } {
  if (wire === 'anthropic') {
    const uncached = (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0);
    return { billed: uncached + CACHED_PRICE * (usage?.cache_read_input_tokens ?? 0), uncached };
  }
  const { totalTokens, cachedTokens } = cache.account(forwarded.messages ?? []);
  return { billed: totalTokens - cachedTokens + CACHED_PRICE * cachedTokens, uncached: totalTokens - cachedTokens };
}

export async function replaySession(rig: ReplayRig, session: RealSession, options: { window: number; maxRequests?: number }): Promise<ReplayResult> {
  const started = performance.now();
  const anthropic = session.wire === 'anthropic';
  const mode = anthropic ? 'anthropic' : 'chat-only';
  const id = ++modelCounter;
  const compactModel = `replay-${id}-compacted`;
  const plainModel = `replay-${id}-uncompacted`;
  const upstreams: UpstreamEmulator[] = [await startUpstreamEmulator({ mode, models: [compactModel] }), await startUpstreamEmulator({ mode, models: [plainModel] })];
  const type = anthropic ? 'anthropic' : 'openai-chat';
  await rig.relay.addChannel({ name: `replay-${id}-a`, type, baseUrl: upstreams[0].url, models: [compactModel], options: { contextWindow: options.window } });
  await rig.relay.addChannel({ name: `replay-${id}-b`, type, baseUrl: upstreams[1].url, models: [plainModel], options: { contextWindow: options.window } });
  const path = anthropic ? 'messages' : 'chat/completions';
  const caches = [new ChatPrefixCache(), new ChatPrefixCache()];
  const result: ReplayResult = { session: session.id, short: session.short === true, wire: session.wire, window: options.window, requests: 0, compactedTurns: 0, events: 0, prefixBreaks: 0, refusals: 0, unfitRefusals: 0, errors: [], billedCompacted: 0, billedUncompacted: 0, costRatio: NaN, billedCompactedSinceEvent: 0, billedUncompactedSinceEvent: 0, costRatioSinceEvent: NaN, newTokensFloor: NaN, ms: 0 };
  let newTokensSinceEvent = 0;
  let previous: unknown[] | undefined;
  let previousTokens = 0;
  let previousCompacted = false;
  const points = answeredPoints(session.conversation.items).slice(-(options.maxRequests ?? Infinity));
  try {
    for (const point of points) {
      const items = session.conversation.items.slice(0, point);
      const compacted = await post(rig, `/compact/v1/${path}`, bodyFor(session, items, compactModel));
      result.requests++;
      if (compacted.status !== 200) {
        if (compacted.json?.error?.code === 'context_budget_unreachable' || /context_budget_unreachable|cannot be compacted/.test(JSON.stringify(compacted.json))) {
          result.refusals++;
          if (unfit(String(compacted.json?.error?.message ?? ''))) result.unfitRefusals++;
        }
        else if (result.errors.length < 3) result.errors.push(`${compacted.status}: ${JSON.stringify(compacted.json).slice(0, 160)}`);
        continue;
      }
      const plain = await post(rig, `/v1/${path}`, bodyFor(session, items, plainModel));
      const forwarded = upstreams[0].requests.at(-1)?.body;
      const forwardedPlain = upstreams[1].requests.at(-1)?.body;
      upstreams.forEach((u) => u.reset());
      if (plain.status !== 200 || !forwarded || !forwardedPlain) {
        if (result.errors.length < 3) result.errors.push(`uncompacted ${plain.status}: ${JSON.stringify(plain.json).slice(0, 160)}`);
        continue;
      }
      const { billed: billedCompacted } = billOf(session.wire, forwarded, compacted.json?.usage, caches[0]);
      const { billed: billedUncompacted, uncached: newTokens } = billOf(session.wire, forwardedPlain, plain.json?.usage, caches[1]);
      result.billedCompacted += billedCompacted;
      result.billedUncompacted += billedUncompacted;
      const layers = compacted.headers.get('x-compaction-layers') ?? 'none';
      const isCompacted = layers !== 'none';
      const messages: unknown[] = forwarded.messages ?? [];
      const tokens = messages.reduce((n: number, m) => n + estimateTokens(messageKey(m)), 0);
      if (isCompacted) {
        result.compactedTurns++;
        // The relay says when it decided anew; a turn after a refused one may grow and still be an event.
        const plan = compacted.headers.get('x-compaction-plan');
        if (plan ? plan === 'new' : !previousCompacted || tokens < previousTokens) result.events++;
      }
      if (result.events > 0) {
        result.billedCompactedSinceEvent += billedCompacted;
        result.billedUncompactedSinceEvent += billedUncompacted;
        newTokensSinceEvent += newTokens;
      }
      if (previous && !keepsPrefix(previous, messages)) result.prefixBreaks++;
      previous = messages;
      previousTokens = tokens;
      previousCompacted = isCompacted;
    }
  } finally {
    await Promise.all(upstreams.map((u) => u.close()));
  }
  result.costRatio = result.billedCompacted / Math.max(1, result.billedUncompacted);
  if (result.events > 0) {
    result.costRatioSinceEvent = result.billedCompactedSinceEvent / Math.max(1, result.billedUncompactedSinceEvent);
    result.newTokensFloor = newTokensSinceEvent / Math.max(1, result.billedUncompactedSinceEvent);
  }
  result.ms = performance.now() - started;
  return result;
}
