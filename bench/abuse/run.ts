// `npm run bench:abuse`: the isolation and abuse suite against a relay on loopback, written to
// docs/benchmarks/abuse.md and abuse.json. Flags: --quick (a short run), --fuzz N (default
// 100,000), --soak-seconds S (default 600), --fault-rate R (default 0.05), --heap-mb M (default 256).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runAbuseSuite } from './suite.ts';
import { renderAbusePage } from './page.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    fuzz: { type: 'string' },
    'soak-seconds': { type: 'string' },
    'fault-rate': { type: 'string', default: '0.05' },
    'heap-mb': { type: 'string', default: '256' },
  },
});
const quick = values.quick ?? false;
const report = await runAbuseSuite({
  quick,
  fuzzCount: Number(values.fuzz ?? (quick ? 5_000 : 100_000)),
  soakSeconds: Number(values['soak-seconds'] ?? (quick ? 30 : 600)),
  faultRate: Number(values['fault-rate']),
  heapMb: Number(values['heap-mb']),
  log: (line) => console.error(line),
});
const docs = new URL('../../docs/benchmarks/', import.meta.url);
writeFileSync(new URL('abuse.json', docs), JSON.stringify(report, null, 2) + '\n');
writeFileSync(new URL('abuse.md', docs), renderAbusePage(report, process.argv.slice(2).join(' ')));
console.error(`wrote docs/benchmarks/abuse.md (${report.totalRequests} requests, ${report.crashes} crashes)`);
