// Summarizes a V8 .cpuprofile (from `node --cpu-prof`) for the overhead page: busy time split by
// where the code lives (relay src/, undici, kysely, node internals, GC), and the top functions.
// Usage: node bench/overhead/profile-summary.ts <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function bucketOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (!url) return 'native/builtins';
  if (url.includes('/node_modules/')) return 'dep: ' + (/\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? 'other');
  if (url.startsWith('node:')) return 'node: ' + url.slice(5).split('/').slice(0, 2).join('/');
  const src = /\/src\/(.+)$/.exec(url);
  if (src) return 'relay: src/' + src[1].split('/').slice(0, -1).join('/');
  return 'other';
}

export function summarize(profile: Profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  let total = 0;
  let idle = 0;
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const where = url ? `${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => Math.round((us / busy) * 1000) / 10;
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    buckets: [...buckets].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, pct: pct(us) })),
    functions: [...functions].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, pct: pct(us) })),
  };
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  const result = summarize(JSON.parse(readFileSync(file, 'utf8')), Number(top ?? 25));
  console.log(`busy ${result.busyMs} ms, idle ${result.idleMs} ms`);
  console.log('\nself time by location (% of busy):');
  for (const b of result.buckets) console.log(`  ${b.pct.toFixed(1).padStart(5)}%  ${b.name}`);
  console.log('\ntop functions by self time (% of busy):');
  for (const f of result.functions) console.log(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
}
