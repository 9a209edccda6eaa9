// `compact-relay compact` as a user runs it: every recorded trajectory compacts to a valid,
// smaller file in its own format; one line on stderr; a JSON report; clear errors on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compactFile } from '../../src/cli/compact-command.ts';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { checkInvariants, countConversationTokens } from '../../src/compaction/index.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const TRAJECTORIES = new URL('../fixtures/trajectories/', import.meta.url).pathname;
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'compact-cli-'));

test('every recorded trajectory compacts to a valid chat file within the budget', async () => {
  const files = readdirSync(TRAJECTORIES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(traj|json|jsonl)$/.test(f));
  assert.ok(files.length >= 25);
  for (const file of files) {
    const input = join(TRAJECTORIES, file);
    const original = loadSessionFile(readFileSync(input, 'utf8'), file).conversation;
    const tokens = countConversationTokens(original);
    const pinned = countConversationTokens({ ...original, items: original.items.filter((i) => i.kind === 'message' && i.role === 'system') });
    const budget = Math.max(Math.floor(tokens * 0.6), pinned + 1500);
    const out = join(work, 'out.json');
    const lines: string[] = [];
    const stderr = { write: (s: string) => lines.push(s), isTTY: false } as unknown as NodeJS.WritableStream;
    await compactFile({ in: input, budget, out }, stderr);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(Array.isArray(written.messages), `${file}: written as {"messages": [...]}`);
    const compacted = loadSessionFile(JSON.stringify(written), 'out.json').conversation;
    assert.ok(countConversationTokens(compacted) <= budget, `${file}: within the budget`);
    assert.deepEqual(checkInvariants(original, compacted).filter((p) => !p.includes('system or developer')), [], file);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /→ \d+ tokens \(\d+\.\d\d×\), [\d.]+ ms/);
  }
});

test('the command keeps the Responses format, writes a report, and prints one line on stderr', async () => {
  const input = join(work, 'session.json');
  const items: any[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Refactor src/db.ts' }] }];
  for (let i = 0; i < 30; i++) {
    items.push({ type: 'function_call', call_id: `c${i}`, name: 'shell', arguments: JSON.stringify({ command: `cat src/file${i}.ts` }) });
    items.push({ type: 'function_call_output', call_id: `c${i}`, output: Array.from({ length: 200 }, (_, j) => `const v${j} = ${i * j};`).join('\n') });
  }
  writeFileSync(input, JSON.stringify({ input: items }));
  const report = join(work, 'report.json');
  const { stdout, stderr } = await run(process.execPath, [MAIN, 'compact', '--in', input, '--budget', '6000', '--report', report]);
  const out = JSON.parse(stdout);
  assert.ok(Array.isArray(out.input));
  assert.equal(out.input[0].content[0].text, 'Refactor src/db.ts');
  assert.equal(stderr.trim().split('\n').length, 1);
  assert.match(stderr, /session\.json: \d+ → \d+ tokens/);
  const r = JSON.parse(readFileSync(report, 'utf8'));
  assert.ok(r.tokensBefore > r.tokensAfter && r.tokensAfter <= 6000);
  assert.ok(Array.isArray(r.layersApplied) && r.layersApplied.length > 0);
  assert.ok(typeof r.timings.total === 'number');
  assert.ok('itemsMasked' in r);
});

test('bad input: a clear message and a non-zero exit', async () => {
  const notSession = join(work, 'bad.json');
  writeFileSync(notSession, JSON.stringify({ hello: 'world' }));
  for (const [args, message] of [
    [['--in', notSession, '--budget', '100'], /not a recognised session/],
    [['--in', join(work, 'missing.json'), '--budget', '100'], /cannot read/],
    [['--in', notSession, '--budget', 'lots'], /--budget must be a positive whole number/],
    [['--in', notSession, '--budget', '100', '--strategy', 'magic'], /--strategy must be ledger, model or none/],
  ] as const) {
    await assert.rejects(run(process.execPath, [MAIN, 'compact', ...args]), (err: any) => err.code !== 0 && message.test(err.stderr));
  }
});
