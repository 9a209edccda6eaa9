// The attacks of the isolation issue, each against a running relay: what one tenant's key tries
// against another tenant or against the relay itself, and whether the relay held. Each attack
// reports the requests it sent and what it observed; none of them relies on the relay's own word.
import { connect, type Socket } from 'node:net';
import type { UpstreamEmulator } from '../../src/emulator/index.ts';
import { bearer, call, pool, type CallResult } from './http.ts';
import { HOSTILE_MODELS, type FaultProxy } from './fault-proxy.ts';
import type { RelayProcess } from './relay-process.ts';

export interface AbuseContext {
  relay: RelayProcess;
  emulator: UpstreamEmulator;
  proxy: FaultProxy;
  /** a and b are two tenants (different groups); quota has a 100-token quota; tpm 1,000 tokens a minute; restricted may use only the chat model. */
  keys: { a: string; b: string; quota: string; tpm: string; restricted: string; soak: string };
  chatModel: string;
  responsesModel: string;
  quick: boolean;
}

export interface AttackResult {
  id: string;
  attack: string;
  requests: number;
  held: boolean | null;
  observed: string;
}

const chat = (model: string, text: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model, messages: [{ role: 'user', content: text }], max_tokens: 16, ...extra });
const post = (ctx: AbuseContext, path: string, key: string, body: string, timeoutMs?: number) => call(ctx.relay.url + path, { headers: bearer(key), body, timeoutMs });
const describe = (r: CallResult) => `${r.status} ${r.json?.error?.code ?? ''}`.trim();

async function sealedItemReplay(ctx: AbuseContext): Promise<AttackResult> {
  const input = [{ role: 'user', content: 'Fix the failing parser test in src/parser.ts' }];
  for (let i = 0; i < 12; i++) {
    input.push({ role: 'assistant', content: `Step ${i}: reading src/module${i}.ts and running the tests again. ` + 'x '.repeat(400) });
    input.push({ role: 'user', content: `continue ${i}` });
  }
  const minted = await post(ctx, '/v1/responses/compact', ctx.keys.a, JSON.stringify({ model: ctx.responsesModel, input }));
  const sealed = (minted.json?.output ?? []).find((i: any) => typeof i?.encrypted_content === 'string' && i.encrypted_content.startsWith('crseal1.'));
  if (!sealed) return { id: '12.1', attack: 'another tenant replays a sealed compaction item', requests: 1, held: null, observed: `no sealed item minted for key A (${describe(minted)})` };
  const replay = await post(ctx, '/v1/responses', ctx.keys.b, JSON.stringify({ model: ctx.responsesModel, input: [sealed, { role: 'user', content: 'go on' }] }));
  const unseal = await post(ctx, '/v1/responses/compact', ctx.keys.b, JSON.stringify({ model: ctx.responsesModel, input: [sealed, { role: 'user', content: 'go on' }] }));
  const held = [replay, unseal].every((r) => r.status === 400 && r.json?.error?.code === 'invalid_encrypted_content');
  return { id: '12.1', attack: 'another tenant replays a sealed compaction item', requests: 3, held, observed: `replay on /v1/responses: ${describe(replay)}; on /v1/responses/compact: ${describe(unseal)}` };
}

async function hugeSessionKeys(ctx: AbuseContext): Promise<AttackResult> {
  const count = ctx.quick ? 40 : 300;
  const before = ctx.relay.rssMb();
  let peak = before;
  await pool(count, 8, async (i) => {
    const key = `${i}-`.padEnd(1024 * 1024, 'k');
    await post(ctx, '/v1/chat/completions', ctx.keys.a, chat(ctx.chatModel, 'hello', { prompt_cache_key: key }));
    peak = Math.max(peak, ctx.relay.rssMb());
  });
  const alive = (await call(ctx.relay.url + '/healthz')).status === 200;
  return { id: '12.2', attack: `${count} requests with 1 MiB prompt_cache_key values`, requests: count, held: alive && peak - before < 200, observed: `alive ${alive}; RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB` };
}

async function hugeUpstreamAnswer(ctx: AbuseContext): Promise<AttackResult> {
  const before = ctx.relay.rssMb();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, ctx.relay.rssMb());
  }, 50);
  const result = await post(ctx, '/v1/chat/completions', ctx.keys.a, chat(HOSTILE_MODELS.hugeAnswer, 'hi'), 120_000);
  clearInterval(sampler);
  const alive = (await call(ctx.relay.url + '/healthz')).status === 200;
  return { id: '12.2', attack: 'an upstream answers 200 MB', requests: 1, held: alive && result.status >= 400 && result.status < 600 && peak - before < 300, observed: `answer ${describe(result)}; alive ${alive}; RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB` };
}

async function negativeUsage(ctx: AbuseContext): Promise<AttackResult> {
  const results: CallResult[] = [];
  for (let i = 0; i < 3; i++) results.push(await post(ctx, '/v1/chat/completions', ctx.keys.a, chat(HOSTILE_MODELS.negativeUsage, 'hi')));
  await new Promise((r) => setTimeout(r, 500));
  const alive = !ctx.relay.exit && (await call(ctx.relay.url + '/healthz')).status === 200;
  return { id: '12.3', attack: 'an upstream reports negative token counts', requests: 3, held: alive, observed: `answers ${results.map(describe).join(', ')}; process alive ${alive}` };
}

async function oneKeyTripsCircuit(ctx: AbuseContext): Promise<AttackResult> {
  ctx.emulator.setFault({ kind: 'status', status: 500, count: 12 });
  const attacker: CallResult[] = [];
  for (let i = 0; i < 3; i++) attacker.push(await post(ctx, '/v1/chat/completions', ctx.keys.a, chat(ctx.chatModel, `boom ${i}`)));
  ctx.emulator.setFault(null);
  const victim = await post(ctx, '/v1/chat/completions', ctx.keys.b, chat(ctx.chatModel, 'innocent request'));
  return { id: '12.4', attack: "one key's failing requests open the shared circuit", requests: 4, held: victim.status === 200, observed: `attacker ${attacker.map(describe).join(', ')}; other tenant ${describe(victim)}` };
}

async function channelKeyRejected(ctx: AbuseContext): Promise<AttackResult> {
  const r = await post(ctx, '/v1/chat/completions', ctx.keys.a, chat(HOSTILE_MODELS.channelKeyRejected, 'hi'));
  const blamedClient = r.status === 401 || r.json?.error?.code === 'invalid_api_key';
  return { id: '12.4', attack: "the upstream rejects the channel's own key (401)", requests: 1, held: !blamedClient && r.status >= 500, observed: describe(r) };
}

async function quotaUnderConcurrency(ctx: AbuseContext): Promise<AttackResult> {
  const served: number[] = [];
  const statuses: Record<number, number> = {};
  await pool(50, 50, async (i) => {
    const r = await post(ctx, '/v1/chat/completions', ctx.keys.quota, chat(ctx.chatModel, `count to ${i}`));
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 200) served.push(Number(r.json?.usage?.total_tokens ?? 0));
  });
  const spent = served.reduce((a, b) => a + b, 0);
  return { id: '12.5', attack: '50 concurrent requests on a 100-token quota', requests: 50, held: spent <= 100, observed: `${served.length} served, ${spent} tokens spent; statuses ${JSON.stringify(statuses)}` };
}

async function oneHugeRequestPastTpm(ctx: AbuseContext): Promise<AttackResult> {
  const before = ctx.emulator.requests.length;
  const text = 'lorem ipsum dolor sit amet '.repeat(125_000 / 5);
  const r = await post(ctx, '/v1/chat/completions', ctx.keys.tpm, chat(ctx.chatModel, text));
  const forwarded = ctx.emulator.requests.length - before;
  return { id: '12.5', attack: 'one 125k-token request on a 1,000 tokens-per-minute key', requests: 1, held: r.status === 429 && forwarded === 0, observed: `${describe(r)}; forwarded upstream ${forwarded} time(s)` };
}

async function duplicateModelKey(ctx: AbuseContext): Promise<AttackResult> {
  const body = `{"model":"${ctx.chatModel}","messages":[{"role":"user","content":"hi"}],"model":"${ctx.responsesModel}"}`;
  const r = await post(ctx, '/v1/chat/completions', ctx.keys.restricted, body);
  return { id: '12.6', attack: 'a body with two "model" keys (the second one not allowed)', requests: 1, held: r.status === 400, observed: describe(r) };
}

async function idleSockets(ctx: AbuseContext): Promise<AttackResult> {
  const count = ctx.quick ? 200 : 2_000;
  const { port } = new URL(ctx.relay.url);
  const sockets: Socket[] = [];
  let closedByRelay = 0;
  await pool(count, 100, async () => {
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => resolve());
      socket.on('error', () => resolve());
      socket.on('close', () => closedByRelay++);
      // Read what comes back (a 408, the end): a paused socket would never see the relay close it.
      socket.resume();
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
      sockets.push(socket);
    });
  });
  const started = Date.now();
  const health = await call(ctx.relay.url + '/healthz', { timeoutMs: 5_000 });
  const deadline = ctx.quick ? 20_000 : 70_000;
  while (closedByRelay < count && Date.now() - started < deadline) await new Promise((r) => setTimeout(r, 500));
  const open = count - closedByRelay;
  for (const s of sockets) s.destroy();
  return { id: '12.7', attack: `${count} connections that never finish their headers`, requests: count, held: open === 0 && health.status === 200, observed: `/healthz meanwhile ${health.status}; still open after ${((Date.now() - started) / 1000).toFixed(0)} s: ${open}` };
}

async function unauthenticatedFlood(ctx: AbuseContext): Promise<AttackResult> {
  const count = ctx.quick ? 500 : 5_000;
  await new Promise((r) => setTimeout(r, 1_500));
  const before = ctx.relay.dataBytes();
  await pool(count, 32, async (i) => {
    await call(`${ctx.relay.url}/v1/chat/completions/${i}/${'p'.repeat(2_000)}`, { body: chat(ctx.chatModel, 'hi') });
  });
  await new Promise((r) => setTimeout(r, 2_000));
  const grown = ctx.relay.dataBytes() - before;
  return { id: '12.7', attack: `${count} unauthenticated requests with 2 KB paths`, requests: count, held: grown < 1024 * 1024, observed: `store grew by ${(grown / 1024).toFixed(0)} KB` };
}

export const ATTACKS: ((ctx: AbuseContext) => Promise<AttackResult>)[] = [
  sealedItemReplay,
  hugeSessionKeys,
  hugeUpstreamAnswer,
  negativeUsage,
  oneKeyTripsCircuit,
  channelKeyRejected,
  quotaUnderConcurrency,
  oneHugeRequestPastTpm,
  duplicateModelKey,
  idleSockets,
  unauthenticatedFlood,
];
