// `node bench/overhead/memory.ts`: why the relay's peak RSS exceeds what it keeps. Runs the relay
// under the same 64-connection load as the overhead benchmark, once with Node's default heap and
// once with a capped heap, reading RSS peak (VmHWM) and the V8 heap in use from the relay's own
// /metrics; then compacts a generated 1M-token session under both heaps, to show what a cap costs.
// Writes docs/benchmarks/memory.md and memory.json. About two minutes; loopback only.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { generateSession } from '../compaction/generator.ts';
import { adapterFor } from '../../src/adapters/registry.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');
const node = process.execPath;
const log = (m: string) => process.stderr.write(`[bench:memory] ${m}\n`);

/** Starts a Node process pinned to `core` and resolves with the URL it says it listens on. */
function start(core: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('taskset', ['-c', core, node, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(out)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
  });
}

const cli = (dataDir: string, ...args: string[]) => execFileSync(node, [MAIN, ...args, '--data-dir', dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^relay_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

const vmHwmMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function wrk(url: string, key: string): number {
  const out = execFileSync('taskset', ['-c', '0', 'wrk', '-t1', '-c64', '-d10s', '-s', join(ROOT, 'bench/overhead/chat.lua'), url], { encoding: 'utf8', env: { ...process.env, BENCH_HEADERS: `Authorization: Bearer ${key}` } });
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}

const emulator = await start('0', [MAIN, 'dev-upstream', '--port', '0', '--no-record']);
const variants = [
  { name: 'default heap', flags: [] as string[] },
  { name: 'capped heap (--max-old-space-size=96 --max-semi-space-size=8)', flags: ['--max-old-space-size=96', '--max-semi-space-size=8'] },
];
const results: { variant: string; rounds: number[]; peakRssMb: number; heapUsedAfterMb: number; heapUsedIdleMb: number }[] = [];
for (const variant of variants) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-memory-'));
  cli(dataDir, 'init');
  cli(dataDir, 'groups', 'add', '--name', 'g', '--models', '*');
  const key = cli(dataDir, 'keys', 'create', '--name', 'k', '--group', 'g');
  cli(dataDir, 'keys', 'limits', 'k', '--rpm', '100000000');
  cli(dataDir, 'channels', 'add', '--name', 'emu', '--type', 'openai-chat', '--base-url', emulator.url.replace(/\/v1$/, '') + '/v1', '--models', 'gpt-4o-mini');
  const relay = await start('1', [...variant.flags, MAIN, 'serve', '--port', '0', '--data-dir', dataDir], { LOG_LEVEL: 'info' });
  const idle = await heapUsedMb(relay.url);
  const rounds: number[] = [];
  for (let i = 0; i < 3; i++) rounds.push(wrk(relay.url, key));
  await new Promise((r) => setTimeout(r, 2000));
  results.push({ variant: variant.name, rounds, peakRssMb: vmHwmMb(relay.child.pid!), heapUsedAfterMb: await heapUsedMb(relay.url), heapUsedIdleMb: idle });
  log(`${variant.name}: ${rounds.map((r) => r.toFixed(0)).join(', ')} req/s, peak RSS ${results.at(-1)!.peakRssMb.toFixed(1)} MB`);
  relay.child.kill('SIGKILL');
}
emulator.child.kill('SIGKILL');

// Compacting a 1M-token session (Chat format, budget 128k, strategy ledger) under each heap.
const sessionFile = join(mkdtempSync(join(tmpdir(), 'relay-memory-')), 'session-1m.json');
const session = generateSession({ seed: 1001, tokens: 1_000_000 });
writeFileSync(sessionFile, JSON.stringify(adapterFor('chat').encodeConversation(session.conversation)));
const compactions: { variant: string; exitCode: number; peakRssMb: number; seconds: number; stderr: string }[] = [];
for (const variant of variants) {
  const began = performance.now();
  const result = spawnSync('taskset', ['-c', '1', '/usr/bin/time', '-f', 'MAXRSS_KB %M', node, ...variant.flags, MAIN, 'compact', '--in', sessionFile, '--budget', '128000', '--strategy', 'ledger', '--out', '/dev/null'], { encoding: 'utf8' });
  const peakKb = Number(/MAXRSS_KB (\d+)/.exec(result.stderr)?.[1] ?? NaN);
  const stderr = result.stderr.split('\n').filter((l) => l && !l.startsWith('MAXRSS_KB')).slice(-1)[0] ?? '';
  compactions.push({ variant: variant.name, exitCode: result.status ?? -1, peakRssMb: peakKb / 1024, seconds: (performance.now() - began) / 1000, stderr });
  log(`compaction of ${session.tokens} tokens, ${variant.name}: exit ${result.status}, peak RSS ${(peakKb / 1024).toFixed(1)} MB`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const date = new Date().toISOString();
writeFileSync(join(ROOT, 'docs/benchmarks/memory.json'), JSON.stringify({ date, results, compaction: { tokens: session.tokens, runs: compactions } }, null, 2) + '\n');
writeFileSync(join(ROOT, 'docs/benchmarks/memory.md'), [
  '# Relay memory under load',
  '',
  `Generated by \`node bench/overhead/memory.ts\` on ${date}: the relay pinned to core 1, wrk (64 connections, 3 × 10 s, the overhead benchmark's request) and the emulator on core 0; peak RSS is VmHWM, heap in use is read from the relay's own \`/metrics\` at start and 2 s after the load.`,
  '',
  '| heap | req/s per round | peak RSS (MB) | V8 heap in use at start (MB) | V8 heap in use after the load (MB) |',
  '|---|---|---:|---:|---:|',
  ...results.map((r) => `| ${r.variant} | ${r.rounds.map((x) => x.toFixed(0)).join(', ')} | ${r.peakRssMb.toFixed(1)} | ${r.heapUsedIdleMb.toFixed(1)} | ${r.heapUsedAfterMb.toFixed(1)} |`),
  '',
  `Heap in use counts garbage V8 has not collected yet; the capped heap, collected more often, shows how little of it the relay retains. Median throughput in this run: ${results.map((r) => `${r.variant.split(' (')[0]} ${median(r.rounds).toFixed(0)} req/s`).join(', ')} (this shared machine varies by more than 2× between rounds; see overhead.md).`,
  '',
  `## Compacting a ${session.tokens.toLocaleString('en-US')}-token session under each heap`,
  '',
  '`compact-relay compact --budget 128000 --strategy ledger` on a generated coding session (bench/compaction/generator.ts, seed 1001) in Chat format, the process pinned to core 1; peak RSS from `/usr/bin/time`.',
  '',
  '| heap | exit code | peak RSS (MB) | seconds | last line on stderr |',
  '|---|---:|---:|---:|---|',
  ...compactions.map((c) => `| ${c.variant} | ${c.exitCode} | ${c.peakRssMb.toFixed(1)} | ${c.seconds.toFixed(1)} | ${c.stderr.replace(/\|/g, '\\|').slice(0, 160)} |`),
  '',
  compactions.every((c) => c.exitCode === 0)
    ? 'Both runs finished: a session of this size compacts within the capped heap. A cap must still leave room for the number of compactions the relay runs at once.'
    : 'Not every run finished: a cap this small does not leave room for compacting a session of this size.',
  '',
].join('\n'));
log('wrote docs/benchmarks/memory.md');
