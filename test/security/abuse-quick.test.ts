// The short tier of `npm run bench:abuse`: every isolation attack against a relay process, a few
// thousand fuzzed requests and a short soak with injected upstream faults. The relay must not
// crash, every attack must hold, no 5xx may be of its own making, and no usage row may be lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAbuseSuite } from '../../bench/abuse/suite.ts';

test('abuse suite, short tier: no crash, every attack held, no relay-made 5xx, no usage row lost', { timeout: 240_000 }, async () => {
  const report = await runAbuseSuite({ quick: true, fuzzCount: 1_500, soakSeconds: 8, faultRate: 0.05, heapMb: 256 });
  assert.equal(report.crashes, 0, report.crashDetail);
  const broken = report.attacks.filter((a) => a.held !== true);
  assert.deepEqual(broken.map((a) => `${a.id} ${a.attack}: ${a.observed}`), []);
  assert.equal(report.fuzz.relayMade5xx, 0, report.fuzz.examples.join('\n'));
  assert.equal(report.fuzz.notOpenAIShaped, 0, report.fuzz.examples.join('\n'));
  assert.ok(report.soak.requests > 100, `the soak ran (${report.soak.requests} requests)`);
  assert.equal(report.soak.relayMade5xx, 0, report.soak.examples.join('\n'));
  assert.equal(report.soak.rowsLost, 0, `${report.soak.answered} answers, ${report.soak.usageRows} rows`);
});
