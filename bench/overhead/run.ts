// `npm run bench:overhead`: gateway overhead side by side in one run against one local upstream
// emulator (direct, bare node forwarder, compact-relay, Portkey), then docs/benchmarks/overhead.*.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { cpus, totalmem, release } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/store/database.ts';
import { CatalogStore } from '../../src/store/catalog-store.ts';
import { renderPage, type BenchResults, type LoadSample, type StreamSample, type TargetName, TARGETS } from './page.ts';
import { renderChart } from './chart.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, '.cache/bench');
const PORTKEY_DIR = join(CACHE, 'portkey');
const PORTKEY_VERSION = '1.15.2';
const HONO_NODE_SERVER_VERSION = '1.13.8';
const OUT_DIR = join(ROOT, 'docs/benchmarks');
const LOAD_CORE = '0';
const TARGET_CORE = '1';
const CONNECTIONS = [1, 16, 64];

interface Settings {
  quick: boolean;
  rounds: number;
  warmupS: number;
  durationS: number;
  streamSamples: number;
  streamWarmup: number;
  compactionSessions: number;
  only?: TargetName[];
  fromJson: boolean;
}

function parseArgs(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  const value = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at === -1 ? undefined : argv[at + 1];
  };
  const only = value('only')?.split(',').filter((t): t is TargetName => (TARGETS as readonly string[]).includes(t));
  return {
    quick,
    rounds: Number(value('rounds') ?? (quick ? 1 : 5)),
    warmupS: Math.max(1, Math.round(Number(value('warmup') ?? 1))),
    durationS: Math.max(1, Math.round(Number(value('duration') ?? (quick ? 2 : 4)))),
    streamSamples: quick ? 100 : 300,
    streamWarmup: quick ? 30 : 60,
    compactionSessions: quick ? 3 : 6,
    only,
    fromJson: argv.includes('--from-json'),
  };
}

function log(message: string): void {
  process.stderr.write(`[bench:overhead] ${message}\n`);
}

function run(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(cmd, args, { cwd: options.cwd ?? ROOT, input: options.input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function ensureWrk(): void {
  if (has('wrk')) return;
  log('wrk not found: installing the Debian package');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (args: string[]) => run(sudo.length ? 'sudo' : 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args]);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'wrk']);
  if (!has('wrk')) throw new Error('wrk is still missing after apt-get install wrk');
}

function installedVersion(dir: string, pkg: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function ensurePortkey(): void {
  const nested = join(PORTKEY_DIR, 'node_modules/@portkey-ai/gateway');
  if (installedVersion(PORTKEY_DIR, '@portkey-ai/gateway') === PORTKEY_VERSION
    && installedVersion(PORTKEY_DIR, '@hono/node-server') === HONO_NODE_SERVER_VERSION
    && (installedVersion(nested, '@hono/node-server') ?? HONO_NODE_SERVER_VERSION) === HONO_NODE_SERVER_VERSION) return;
  log(`installing @portkey-ai/gateway@${PORTKEY_VERSION} with @hono/node-server@${HONO_NODE_SERVER_VERSION} into ${PORTKEY_DIR}`);
  rmSync(PORTKEY_DIR, { recursive: true, force: true });
  mkdirSync(PORTKEY_DIR, { recursive: true });
  // The override keeps the gateway's own nested copy at 1.13.8 too (newer ones break its streaming).
  writeFileSync(join(PORTKEY_DIR, 'package.json'), JSON.stringify({
    name: 'bench-portkey',
    private: true,
    dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION, '@hono/node-server': HONO_NODE_SERVER_VERSION },
    overrides: { '@hono/node-server': HONO_NODE_SERVER_VERSION },
  }, null, 2));
  run('npm', ['install', '--prefix', PORTKEY_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: PORTKEY_DIR });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

const started: Proc[] = [];

function startPinned(name: string, core: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn('taskset', ['-c', core, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name, child, output: [] };
  const keep = (chunk: Buffer) => {
    proc.output.push(chunk.toString());
    if (proc.output.length > 200) proc.output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  started.push(proc);
  return proc;
}

function stopAll(): void {
  for (const proc of started) {
    if (proc.child.exitCode !== null || proc.child.pid === undefined) continue;
    try {
      process.kill(proc.child.pid, 'SIGCONT');
      process.kill(proc.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** SIGTERM first, so processes under --cpu-prof write their profile; SIGKILL after 5 s. */
async function shutdownAll(): Promise<void> {
  const waits = started.filter((p) => p.child.exitCode === null && p.child.pid !== undefined).map((p) => {
    const exited = new Promise<void>((done) => p.child.once('exit', () => done()));
    process.kill(p.child.pid!, 'SIGCONT');
    process.kill(p.child.pid!, 'SIGTERM');
    return Promise.race([exited, sleep(5000)]);
  });
  await Promise.all(waits);
  stopAll();
}

const CLK_TCK = Number(run('getconf', ['CLK_TCK']).trim()) || 100;

/** utime + stime of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is state (field 3); utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLK_TCK;
}

function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 102.4) / 10, hwm: Math.round(kb('VmHWM') / 102.4) / 10 };
}

interface Target {
  name: TargetName;
  url: string;
  /** wrk BENCH_HEADERS format: "name: value|name: value". */
  headers: Record<string, string>;
  proc?: Proc;
}

function wrk(target: Target, connections: number, seconds: number): { requests: number; p50_us: number; p90_us: number; p99_us: number; mean_us: number; errors: Record<string, number>; duration_us: number } {
  const url = new URL('/v1/chat/completions', target.url);
  const headers = Object.entries(target.headers).map(([k, v]) => `${k}: ${v}`).join('|');
  const result = spawnSync('taskset', ['-c', LOAD_CORE, 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', join(ROOT, 'bench/overhead/chat.lua'), url.origin], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_HEADERS: headers, BENCH_PATH: url.pathname },
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`wrk against ${target.name} printed no result: ${result.stdout}\n${result.stderr}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length));
}

function setPaused(targets: Target[], active: Target | undefined): void {
  for (const t of targets) {
    const pid = t.proc?.child.pid;
    if (pid === undefined || t.name === 'emulator') continue;
    process.kill(pid, t === active ? 'SIGCONT' : 'SIGSTOP');
  }
}

function measureLoad(target: Target, connections: number, settings: Settings): LoadSample {
  wrk(target, connections, settings.warmupS);
  const pid = target.proc?.child.pid;
  const cpuBefore = pid === undefined ? 0 : cpuMicros(pid);
  const result = wrk(target, connections, settings.durationS);
  const cpuAfter = pid === undefined ? 0 : cpuMicros(pid);
  const errors = Object.values(result.errors).reduce((a, b) => a + b, 0);
  return {
    connections,
    requests: result.requests,
    rps: Math.round((result.requests * 1e6) / result.duration_us),
    p50_us: result.p50_us,
    p90_us: result.p90_us,
    p99_us: result.p99_us,
    mean_us: Math.round(result.mean_us),
    cpu_us_per_request: pid === undefined ? null : Math.round((cpuAfter - cpuBefore) / result.requests),
    errors,
  };
}

function measureStream(target: Target, settings: Settings): StreamSample {
  const out = run('taskset', ['-c', LOAD_CORE, process.execPath, join(ROOT, 'bench/overhead/stream-ttfb.ts'), new URL('/v1/chat/completions', target.url).href, JSON.stringify(target.headers), String(settings.streamSamples), String(settings.streamWarmup)]);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`stream client against ${target.name} printed no result: ${out}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length));
}

async function setUpRelayData(dataDir: string, upstreamUrl: string): Promise<string> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const store = await openStore({ dataDir });
  try {
    const catalog = new CatalogStore(store.db);
    await catalog.upsertGroup('bench', ['*']);
    // A generous per-key limit, so the limiter runs on every request without ever refusing one.
    const { secret } = await catalog.createKey('bench', 'bench', { rpm: 100_000_000 });
    await catalog.upsertChannel({ name: 'emulator', type: 'openai-chat', baseUrl: upstreamUrl, apiKey: 'sk-upstream', models: ['gpt-4o-mini'], priority: 0, weight: 1, enabled: true, options: {}, source: 'bench' });
    return secret;
  } finally {
    await store.close();
  }
}

function machine() {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
  const model = /^Model name:\s+(.+)$/m.exec(lscpu)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    nproc: Number(run('nproc', []).trim()),
    cpu: model.trim(),
    memoryGb: Math.round(totalmem() / 1024 ** 3 * 10) / 10,
    kernel: release(),
  };
}

function versions() {
  const wrkVersion = /wrk [^ ]+/.exec(spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout ?? '')?.[0]?.replace('wrk debian/', 'wrk ') ?? 'wrk';
  return {
    node: process.version,
    undici: installedVersion(ROOT, 'undici') ?? 'unknown',
    wrk: wrkVersion,
    portkeyGateway: installedVersion(PORTKEY_DIR, '@portkey-ai/gateway') ?? 'not installed',
    honoNodeServer: installedVersion(PORTKEY_DIR, '@hono/node-server') ?? 'not installed',
    compactRelay: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    gitCommit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || 'unknown',
    gitDirty: (spawnSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout || '').trim() !== '',
  };
}

function compactionSpeed(settings: Settings) {
  const script = join(ROOT, 'bench/overhead/compaction-speed.ts');
  const sessions = run(process.execPath, [script, 'generate', String(settings.compactionSessions + 1)]);
  const out = run('taskset', ['-c', TARGET_CORE, process.execPath, script, 'measure', settings.quick ? '10' : '30'], { input: sessions });
  return JSON.parse(out.split('\n').find((l) => l.startsWith('BENCH_RESULT '))!.slice('BENCH_RESULT '.length));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 1000) / 1000;
}

/** Partial runs (--only) go to .cache/bench/partial so they never replace the published page. */
function writeOutputs(results: BenchResults, partial = false): void {
  const dir = partial ? join(CACHE, 'partial') : OUT_DIR;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'overhead.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir, 'overhead.svg'), renderChart(results));
  const pagePath = join(dir, 'overhead.md');
  writeFileSync(pagePath, renderPage(results, existsSync(pagePath) ? readFileSync(pagePath, 'utf8') : undefined));
  log(`wrote ${join(dir, 'overhead.md')}, overhead.json and overhead.svg`);
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  if (settings.fromJson) {
    writeOutputs(JSON.parse(readFileSync(join(OUT_DIR, 'overhead.json'), 'utf8')));
    return;
  }
  const began = Date.now();
  if (process.platform !== 'linux') throw new Error('bench:overhead needs Linux (taskset, /proc)');
  if (Number(run('nproc', []).trim()) < 2) throw new Error('bench:overhead needs at least 2 cores (load on core 0, the process under test on core 1)');
  ensureWrk();
  const wanted = (name: TargetName) => !settings.only || settings.only.includes(name);
  if (wanted('portkey')) ensurePortkey();

  const node = process.execPath;
  const ports = { emulator: await freePort(), bare: await freePort(), relay: await freePort(), portkey: await freePort() };
  const emulator = startPinned('emulator', LOAD_CORE, [node, 'src/cli/main.ts', 'dev-upstream', '--port', String(ports.emulator), '--no-record']);
  await waitForPort(ports.emulator, emulator.child, 'emulator');
  const upstream = `http://127.0.0.1:${ports.emulator}/v1`;

  const targets: Target[] = [{ name: 'emulator', url: `http://127.0.0.1:${ports.emulator}`, headers: { authorization: 'Bearer sk-bench' } }];
  if (wanted('bare')) {
    const proc = startPinned('bare', TARGET_CORE, [node, 'bench/overhead/bare-forwarder.ts', '--port', String(ports.bare), '--upstream', `http://127.0.0.1:${ports.emulator}`]);
    targets.push({ name: 'bare', url: `http://127.0.0.1:${ports.bare}`, headers: { authorization: 'Bearer sk-bench' }, proc });
  }
  if (wanted('relay')) {
    const dataDir = join(CACHE, 'relay-data');
    const key = await setUpRelayData(dataDir, upstream);
    const proc = startPinned('relay', TARGET_CORE, [node, ...(process.env.BENCH_RELAY_NODE_FLAGS ?? '').split(' ').filter(Boolean), 'src/cli/main.ts', 'serve', '--port', String(ports.relay), '--data-dir', dataDir], { env: { LOG_LEVEL: 'info' } });
    targets.push({ name: 'relay', url: `http://127.0.0.1:${ports.relay}`, headers: { authorization: `Bearer ${key}` }, proc });
  }
  if (wanted('portkey')) {
    const proc = startPinned('portkey', TARGET_CORE, [node, '--import', join(ROOT, 'bench/overhead/loopback-only.ts'), 'node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${ports.portkey}`, '--headless'], { cwd: PORTKEY_DIR, env: { NODE_ENV: 'production' } });
    targets.push({ name: 'portkey', url: `http://127.0.0.1:${ports.portkey}`, headers: { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream }, proc });
  }
  for (const t of targets) if (t.proc) await waitForPort(ports[t.name], t.proc.child, t.name);
  await sleep(1500);
  const memory: BenchResults['memory'] = {};
  for (const t of targets) if (t.proc?.child.pid) memory[t.name] = { idle_mb: memoryMb(t.proc.child.pid).rss, peak_mb: 0, after_mb: 0 };

  const load: BenchResults['load'] = {};
  const stream: BenchResults['stream'] = {};
  // Targets take turns cell by cell, so slow drifts of this shared machine spread over all of them.
  for (let round = 1; round <= settings.rounds; round++) {
    for (const connections of CONNECTIONS) {
      for (const target of targets) {
        setPaused(targets, target);
        const sample = measureLoad(target, connections, settings);
        ((load[target.name] ??= {})[connections] ??= []).push(sample);
        log(`round ${round} ${target.name} c=${connections}: ${sample.rps} req/s p50 ${sample.p50_us} µs p99 ${sample.p99_us} µs cpu ${sample.cpu_us_per_request ?? '-'} µs/req${sample.errors ? ` ERRORS ${sample.errors}` : ''}`);
      }
    }
    for (const target of targets) {
      setPaused(targets, target);
      const s = measureStream(target, settings);
      (stream[target.name] ??= []).push(s);
      log(`round ${round} ${target.name} stream: first byte p50 ${s.p50_ms} ms p99 ${s.p99_ms} ms`);
    }
  }
  for (const t of targets) if (t.proc?.child.pid) process.kill(t.proc.child.pid, 'SIGCONT');
  await sleep(2000);
  for (const t of targets) {
    const pid = t.proc?.child.pid;
    if (pid === undefined || !memory[t.name]) continue;
    const m = memoryMb(pid);
    memory[t.name]!.peak_mb = m.hwm;
    memory[t.name]!.after_mb = m.rss;
  }
  await shutdownAll();

  log('compaction engine speed');
  const compaction = compactionSpeed(settings);

  const summary: BenchResults['summary'] = {};
  for (const t of targets) {
    summary[t.name] = {
      load: Object.fromEntries(CONNECTIONS.map((c) => {
        const samples = load[t.name]![c];
        const cpu = samples.map((s) => s.cpu_us_per_request).filter((v): v is number => v !== null);
        return [c, {
          rps: median(samples.map((s) => s.rps)),
          p50_us: median(samples.map((s) => s.p50_us)),
          p99_us: median(samples.map((s) => s.p99_us)),
          cpu_us_per_request: cpu.length ? median(cpu) : null,
          errors: samples.reduce((a, s) => a + s.errors, 0),
        }];
      })),
      stream: { p50_ms: median(stream[t.name]!.map((s) => s.p50_ms)), p99_ms: median(stream[t.name]!.map((s) => s.p99_ms)) },
    };
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    command: `npm run bench:overhead${settings.quick ? ' -- --quick' : ''}`,
    settings: { rounds: settings.rounds, warmupS: settings.warmupS, durationS: settings.durationS, connections: CONNECTIONS, streamSamples: settings.streamSamples, quick: settings.quick },
    machine: machine(),
    versions: versions(),
    load,
    stream,
    memory,
    summary,
    compaction,
    elapsedS: Math.round((Date.now() - began) / 1000),
  };
  writeOutputs(results, settings.only !== undefined);
  log(`done in ${results.elapsedS} s`);
}

process.on('exit', stopAll);
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
main().catch((err) => {
  stopAll();
  for (const proc of started) if (proc.child.exitCode !== null && proc.child.exitCode !== 0) log(`${proc.name} output:\n${proc.output.join('')}`);
  console.error(err);
  process.exit(1);
});
