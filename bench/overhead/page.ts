// Renders the overhead results page (docs/benchmarks/overhead.md): the generated tables go between
// two markers, so the hand-written parts of the page (profile, before/after) survive a re-run.

export const TARGETS = ['emulator', 'bare', 'relay', 'portkey'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface LoadSample {
  connections: number;
  requests: number;
  rps: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  mean_us: number;
  cpu_us_per_request: number | null;
  errors: number;
}

export interface StreamSample {
  samples: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  mean_ms: number;
  headers_p50_ms: number;
}

export interface TargetSummary {
  load: Record<string, { rps: number; p50_us: number; p99_us: number; cpu_us_per_request: number | null; errors: number }>;
  stream: { p50_ms: number; p99_ms: number };
}

export interface CompactionSpeedResult {
  window: number;
  budgetTokens: number;
  targetTokens: number;
  cold: { sessions: number; sessionTokens: number[]; msPer100k: number[]; p50: number; p95: number };
  warm: { sessionTokens: number; turns: number; ms: number[]; p50: number; p95: number };
}

export interface BenchResults {
  date: string;
  command: string;
  settings: { rounds: number; warmupS: number; durationS: number; connections: number[]; streamSamples: number; quick: boolean };
  machine: { nproc: number; cpu: string; memoryGb: number; kernel: string };
  versions: Record<string, string | boolean>;
  load: Partial<Record<TargetName, Record<string, LoadSample[]>>>;
  stream: Partial<Record<TargetName, StreamSample[]>>;
  memory: Partial<Record<TargetName, { idle_mb: number; peak_mb: number; after_mb: number }>>;
  summary: Partial<Record<TargetName, TargetSummary>>;
  compaction: CompactionSpeedResult;
  elapsedS: number;
}

export const LABELS: Record<TargetName, string> = {
  emulator: 'emulator, direct',
  bare: 'bare node:http + undici',
  relay: 'compact-relay',
  portkey: 'Portkey 1.15.2',
};

const BEGIN = '<!-- generated:begin (bench/overhead/run.ts rewrites this part) -->';
const END = '<!-- generated:end -->';

const ms = (us: number) => (us / 1000).toFixed(3);
const fixed = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return '–';
  return `${(a / b).toFixed(2)}×`;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: string[], rows: (string | number)[][]): string {
  return [row(header), row(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(row)].join('\n');
}

export function renderGenerated(r: BenchResults): string {
  const present = TARGETS.filter((t) => r.summary[t]);
  const s = r.summary;
  const conns = r.settings.connections.map(String);
  const load = (t: TargetName, c: string) => s[t]?.load[c];
  const base1 = load('emulator', '1');
  const added = (t: TargetName, key: 'p50_us' | 'p99_us') => {
    const v = load(t, '1')?.[key];
    return v === undefined || !base1 ? undefined : v - base1[key];
  };
  const streamAdded = (t: TargetName, key: 'p50_ms' | 'p99_ms') => {
    const v = s[t]?.stream[key];
    const b = s.emulator?.stream[key];
    return v === undefined || b === undefined ? undefined : v - b;
  };
  const gw = present.filter((t) => t !== 'emulator');
  const out: string[] = [BEGIN, ''];
  out.push(`Run of ${r.date.slice(0, 10)} (${r.date}), ${r.settings.rounds} round(s) of ${r.settings.warmupS} s warm-up + ${r.settings.durationS} s measured per cell, medians across rounds; took ${r.elapsedS} s. Raw samples: [overhead.json](overhead.json).`);
  out.push('');
  out.push('![throughput, added latency and CPU per request](overhead.svg)');
  out.push('');

  out.push('### Added latency, 1 connection (non-streaming chat completion)', '');
  out.push(table(['', 'p50 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'added p50 vs bare', 'added p50 vs Portkey'], present.map((t) => {
    const l = load(t, '1');
    return [LABELS[t], l ? ms(l.p50_us) : '–', l ? ms(l.p99_us) : '–',
      t === 'emulator' ? '–' : ms(added(t, 'p50_us') ?? NaN), t === 'emulator' ? '–' : ms(added(t, 'p99_us') ?? NaN),
      t === 'emulator' ? '–' : ratio(added(t, 'p50_us'), added('bare', 'p50_us')), t === 'emulator' ? '–' : ratio(added(t, 'p50_us'), added('portkey', 'p50_us'))];
  })));
  out.push('', '"Added" is the gateway\'s p50/p99 minus the emulator\'s own at the same concurrency.', '');

  out.push('### Throughput, one core (requests/s)', '');
  out.push(table(['', ...conns.map((c) => `${c} conn`), `vs bare (${conns.at(-1)} conn)`, `vs Portkey (${conns.at(-1)} conn)`], present.map((t) => {
    const last = conns.at(-1)!;
    return [LABELS[t], ...conns.map((c) => load(t, c)?.rps ?? '–'), ratio(load(t, last)?.rps, load('bare', last)?.rps), ratio(load(t, last)?.rps, load('portkey', last)?.rps)];
  })));
  out.push('', 'The emulator row is the upstream alone (sharing core 0 with wrk); gateways run alone on core 1 and are bounded by both.', '');

  out.push('### Latency under load (ms)', '');
  out.push(table(['', ...conns.flatMap((c) => [`p50 @${c}`, `p99 @${c}`])], present.map((t) => [LABELS[t], ...conns.flatMap((c) => {
    const l = load(t, c);
    return l ? [ms(l.p50_us), ms(l.p99_us)] : ['–', '–'];
  })])));
  out.push('');

  out.push('### CPU time per request (µs, gateway process, utime+stime over the measured window)', '');
  out.push(table(['', ...conns.map((c) => `${c} conn`), `vs bare (${conns.at(-1)} conn)`, `vs Portkey (${conns.at(-1)} conn)`], gw.map((t) => {
    const last = conns.at(-1)!;
    return [LABELS[t], ...conns.map((c) => load(t, c)?.cpu_us_per_request ?? '–'), ratio(load(t, last)?.cpu_us_per_request, load('bare', last)?.cpu_us_per_request), ratio(load(t, last)?.cpu_us_per_request, load('portkey', last)?.cpu_us_per_request)];
  })));
  out.push('');

  out.push(`### Streaming time to first byte (ms; ${r.settings.streamSamples} sequential streaming requests per round, first body byte)`, '');
  out.push(table(['', 'p50', 'p99', 'added p50', 'added p99', 'added p50 vs bare', 'added p50 vs Portkey'], present.map((t) => [
    LABELS[t], fixed(s[t]?.stream.p50_ms, 3), fixed(s[t]?.stream.p99_ms, 3),
    t === 'emulator' ? '–' : fixed(streamAdded(t, 'p50_ms'), 3), t === 'emulator' ? '–' : fixed(streamAdded(t, 'p99_ms'), 3),
    t === 'emulator' ? '–' : ratio(streamAdded(t, 'p50_ms'), streamAdded('bare', 'p50_ms')), t === 'emulator' ? '–' : ratio(streamAdded(t, 'p50_ms'), streamAdded('portkey', 'p50_ms')),
  ])));
  out.push('');

  out.push('### Memory (MB, resident set)', '');
  out.push(table(['', 'idle (after start)', 'peak (VmHWM)', 'after the run', 'peak vs bare', 'peak vs Portkey'], gw.map((t) => {
    const m = r.memory[t];
    return [LABELS[t], fixed(m?.idle_mb, 1), fixed(m?.peak_mb, 1), fixed(m?.after_mb, 1), ratio(m?.peak_mb, r.memory.bare?.peak_mb), ratio(m?.peak_mb, r.memory.portkey?.peak_mb)];
  })));
  out.push('');

  const errors = present.flatMap((t) => conns.map((c) => [t, c, load(t, c)?.errors ?? 0] as const)).filter(([, , e]) => e > 0);
  if (errors.length) out.push(`**Errors during the run:** ${errors.map(([t, c, e]) => `${LABELS[t]} @${c}: ${e}`).join(', ')}.`, '');

  const last = conns.at(-1)!;
  const relay = s.relay;
  if (relay) {
    const check = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : '**not met**');
    const a50 = added('relay', 'p50_us');
    const a99 = added('relay', 'p99_us');
    const cpu = load('relay', last)?.cpu_us_per_request ?? undefined;
    const rps = load('relay', last)?.rps;
    const pkRps = load('portkey', last)?.rps;
    const st = streamAdded('relay', 'p50_ms');
    const mem = r.memory.relay;
    out.push('### compact-relay against its targets (docs/targets.md)', '');
    out.push(table(['metric', 'target', 'measured', ''], [
      ['added latency, 1 connection', '≤ +0.3 ms p50, ≤ +1 ms p99', `+${ms(a50 ?? NaN)} ms p50, +${ms(a99 ?? NaN)} ms p99`, check(a50 === undefined || a99 === undefined ? undefined : a50 <= 300 && a99 <= 1000)],
      [`CPU per request (${last} conn)`, '≤ 200 µs', `${cpu ?? '–'} µs`, check(cpu === undefined ? undefined : cpu <= 200)],
      [`throughput, one core (${last} conn)`, '≥ 5k req/s; ≥ 5× Portkey', `${rps ?? '–'} req/s; ${ratio(rps, pkRps)} Portkey`, check(rps === undefined ? undefined : rps >= 5000 && (pkRps === undefined || rps >= 5 * pkRps))],
      ['streaming time to first byte added', '≤ +1 ms', `+${fixed(st, 3)} ms p50`, check(st === undefined ? undefined : st <= 1)],
      ['memory', 'idle ≤ 100 MB, peak ≤ 256 MB', `idle ${fixed(mem?.idle_mb, 1)} MB, peak ${fixed(mem?.peak_mb, 1)} MB`, check(mem ? mem.idle_mb <= 100 && mem.peak_mb <= 256 : undefined)],
    ]));
    out.push('');
  }

  const c = r.compaction;
  if (c) {
    out.push('### Compaction engine speed (deterministic layers, `strategy: ledger`)', '');
    out.push(`Generated coding-agent sessions (bench/compaction/generator.ts) of ${Math.min(...c.cold.sessionTokens).toLocaleString('en')}–${Math.max(...c.cold.sessionTokens).toLocaleString('en')} tokens, compacted for a ${c.window.toLocaleString('en')}-token window (budget ${c.budgetTokens.toLocaleString('en')}, target ${c.targetTokens.toLocaleString('en')}), one process pinned to core 1. Cold: the sessions arrive as JSON in a fresh process, so no token count is cached (one extra session first warms the JIT). Warm: the last session again, then one new turn appended at a time.`, '');
    out.push(table(['measurement', 'p50', 'p95', 'target', ''], [
      [`cold, ms per 100k tokens (${c.cold.sessions} sessions)`, fixed(c.cold.p50), fixed(c.cold.p95), '≤ 100 ms (p95)', c.cold.p95 <= 100 ? 'met' : '**not met**'],
      [`warm, ms for a ${c.warm.sessionTokens.toLocaleString('en')}-token session, newest turn new (${c.warm.turns} turns)`, fixed(c.warm.p50), fixed(c.warm.p95), '≤ 15 ms', c.warm.p95 <= 15 ? 'met' : '**not met**'],
    ]));
    out.push('');
  }

  const m = r.machine;
  const v = r.versions;
  out.push('### Machine and versions', '');
  out.push(`- ${m.nproc} cores (\`nproc\`), ${m.cpu}, ${m.memoryGb} GB memory, Linux ${m.kernel}`);
  out.push(`- Node ${v.node}, undici ${v.undici}, ${v.wrk}`);
  out.push(`- compact-relay ${v.compactRelay} at ${v.gitCommit}${v.gitDirty ? ' (with uncommitted changes in src/)' : ''}; @portkey-ai/gateway ${v.portkeyGateway} with @hono/node-server ${v.honoNodeServer}`);
  out.push(`- Reproduce: \`${r.command}\` (\`-- --quick\` for a 1-round smoke run)`);
  out.push('', END);
  return out.join('\n');
}

const SKELETON_HEAD = `# Gateway overhead

What compact-relay costs per request, measured side by side in one run against the same local
upstream emulator (\`compact-relay dev-upstream\`): the emulator directly, a bare \`node:http\` +
undici forwarder (bench/overhead/bare-forwarder.ts, the floor for Node), compact-relay as users
run it (API key auth, usage logging to SQLite), and the Portkey gateway
(\`@portkey-ai/gateway@1.15.2\` with \`@hono/node-server@1.13.8\`, routed with
\`x-portkey-provider: openai\` and \`x-portkey-custom-host\`). Targets: docs/targets.md (Gateway
overhead).

Method: the process under test is pinned alone to core 1 with \`taskset\` (the other gateways are
paused with SIGSTOP while it is measured); \`wrk\` (one thread, Lua script bench/overhead/chat.lua)
and the emulator share core 0. Each cell gets a warm-up at the same concurrency, then a measured
window; CPU per request is the process's utime+stime delta (from /proc/<pid>/stat) over the
measured window divided by the requests wrk completed. Streaming time to first byte comes from a
small Node client (bench/overhead/stream-ttfb.ts) on core 0 sending streaming requests one at a
time over a keep-alive connection. Everything is on 127.0.0.1.

`;

export function renderPage(results: BenchResults, existing?: string): string {
  const generated = renderGenerated(results);
  if (existing) {
    const begin = existing.indexOf('<!-- generated:begin');
    const end = existing.indexOf(END);
    if (begin !== -1 && end !== -1) return existing.slice(0, begin) + generated + existing.slice(end + END.length);
  }
  return `${SKELETON_HEAD}## Results\n\n${generated}\n`;
}
