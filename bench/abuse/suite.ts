// Sets up a relay as an operator would (two tenants, a quota key, a tokens-per-minute key, a
// restricted key) in front of the emulator behind a faulty network, then runs the attacks, the
// fuzzer and the soak, watching for crashes all along. Used by run.ts and the quick tier in npm test.
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { ATTACKS, type AbuseContext, type AttackResult } from './attacks.ts';
import { HOSTILE_MODELS, startFaultProxy } from './fault-proxy.ts';
import { fuzzRelay, type FuzzReport } from './fuzz.ts';
import { startRelayProcess } from './relay-process.ts';
import { soak, type SoakReport } from './soak.ts';

export interface AbuseOptions {
  quick: boolean;
  fuzzCount: number;
  soakSeconds: number;
  faultRate: number;
  heapMb: number;
  log?: (line: string) => void;
}

export interface AbuseReport {
  options: AbuseOptions;
  startedAt: string;
  attacks: AttackResult[];
  fuzz: FuzzReport;
  soak: SoakReport;
  crashes: number;
  crashDetail?: string;
  totalRequests: number;
}

const CHAT = 'gpt-4o-mini';
const RESPONSES = 'gpt-5.5';

export async function runAbuseSuite(options: AbuseOptions): Promise<AbuseReport> {
  const log = options.log ?? (() => undefined);
  const emulator = await startUpstreamEmulator({ recordLimit: 2_000 });
  const proxy = await startFaultProxy(emulator.url, 0);
  const relay = await startRelayProcess({ heapMb: options.heapMb });
  let crashes = 0;
  let crashDetail: string | undefined;
  try {
    const hostile = Object.values(HOSTILE_MODELS);
    await relay.admin('POST', '/channels', { name: 'chat', type: 'openai-chat', baseUrl: proxy.url, models: [CHAT, ...hostile], apiKey: 'sk-upstream-secret-channel-key', timeoutMs: 2_000 });
    await relay.admin('POST', '/channels', { name: 'resp', type: 'openai-responses', baseUrl: proxy.url, models: [RESPONSES], apiKey: 'sk-upstream-secret-channel-key', timeoutMs: 2_000 });
    await relay.admin('POST', '/groups', { name: 'tenant-a', models: ['*'], compaction: { strategy: 'ledger', output: 'sealed' } });
    await relay.admin('POST', '/groups', { name: 'tenant-b', models: ['*'], compaction: { strategy: 'ledger', output: 'message' } });
    await relay.admin('POST', '/groups', { name: 'chat-only', models: [CHAT] });
    const key = async (name: string, group: string, limits?: Record<string, number>) => (await relay.admin('POST', '/keys', { name, group, ...(limits ? { limits } : {}) })).secret as string;
    const ctx: AbuseContext = {
      relay, emulator, proxy, quick: options.quick, chatModel: CHAT, responsesModel: RESPONSES,
      keys: {
        a: await key('tenant-a-key', 'tenant-a'),
        b: await key('tenant-b-key', 'tenant-b'),
        quota: await key('quota-key', 'tenant-b', { quotaTokens: 100 }),
        tpm: await key('tpm-key', 'tenant-b', { tpm: 1_000 }),
        restricted: await key('restricted-key', 'chat-only'),
        soak: await key('soak-key', 'tenant-b'),
      },
    };
    await new Promise((r) => setTimeout(r, 1_200));
    const attacks: AttackResult[] = [];
    for (const attack of ATTACKS) {
      if (relay.exit) break;
      const result = await attack(ctx).catch((err: Error) => ({ id: '?', attack: attack.name, requests: 0, held: false, observed: `the attack itself failed: ${err.message}` }));
      log(`${result.held === true ? 'held ' : result.held === false ? 'BROKE' : 'n/a  '} ${result.id} ${result.attack}: ${result.observed}`);
      attacks.push(result);
      if (relay.exit) {
        crashes++;
        crashDetail = `during "${result.attack}": ${JSON.stringify(relay.exit)} ${relay.stderrTail()}`;
      }
    }
    let fuzz: FuzzReport = { requests: 0, statuses: {}, relayMade5xx: 0, notOpenAIShaped: 0, examples: [] };
    if (!relay.exit) {
      log(`fuzzing with ${options.fuzzCount} requests`);
      fuzz = await fuzzRelay(relay, ctx.keys.b, options.fuzzCount);
      log(`fuzz: ${JSON.stringify(fuzz.statuses)}; relay-made 5xx ${fuzz.relayMade5xx}; not OpenAI-shaped ${fuzz.notOpenAIShaped}`);
      if (relay.exit) {
        crashes++;
        crashDetail = `during the fuzz: ${JSON.stringify(relay.exit)} ${relay.stderrTail()}`;
      }
    }
    let soakReport: SoakReport | undefined;
    if (!relay.exit) {
      log(`soak for ${options.soakSeconds} s with ${options.faultRate * 100}% injected faults`);
      soakReport = await soak(relay, proxy, ctx.keys.soak, 'soak-key', { chat: CHAT, responses: RESPONSES }, options.soakSeconds, options.faultRate);
      log(`soak: ${soakReport.requests} requests; relay-made 5xx ${soakReport.relayMade5xx}; RSS ${soakReport.rss.start.toFixed(0)} → ${soakReport.rss.end.toFixed(0)} MB; fds ${soakReport.fds.start} → ${soakReport.fds.end}; rows lost ${soakReport.rowsLost}`);
      if (relay.exit) {
        crashes++;
        crashDetail = `during the soak: ${JSON.stringify(relay.exit)} ${relay.stderrTail()}`;
      }
    }
    const soakResult = soakReport ?? { seconds: 0, faultRate: options.faultRate, requests: 0, answered: 0, statuses: {}, relayMade5xx: 0, faultsInjected: {}, rss: { start: 0, end: 0, peak: 0, growthPct: 0 }, fds: { start: 0, end: 0, peak: 0 }, usageRows: 0, rowsLost: 0, examples: [] };
    return {
      options, startedAt: new Date().toISOString(), attacks, fuzz, soak: soakResult, crashes, crashDetail,
      totalRequests: attacks.reduce((s, a) => s + a.requests, 0) + fuzz.requests + soakResult.requests,
    };
  } finally {
    await relay.stop();
    await proxy.close();
    await emulator.close();
  }
}
