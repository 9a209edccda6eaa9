// A session file of a format the benchmark has no raw reader for is still benchmarked: the relay's
// loaders read it, facts come from the loaded conversation (no engine), and a file no loader reads
// is named with the reason instead of vanishing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRealSessions } from '../../bench/compaction/real-sessions.ts';
import { deriveFacts } from '../../bench/compaction/facts.ts';

const lines = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function codexRollout(turns: number): string {
  const records: unknown[] = [
    { type: 'session_meta', payload: { id: 's', cwd: '/repo', instructions: 'You are Codex.' } },
    { type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the failing test in tests/test_parser.py and keep the public API.' }] } },
  ];
  for (let i = 0; i < turns; i++) {
    const last = i === turns - 1;
    records.push({ type: 'response_item', payload: { type: 'function_call', name: 'shell', call_id: `c${i}`, arguments: JSON.stringify({ command: ['bash', '-lc', last ? 'pytest -q tests/test_parser.py' : `cat src/parser_${i}.py`] }) } });
    const output = last ? 'Exit code: 1\nOutput:\nE   AssertionError: expected 3 tokens, got 2\n1 failed in 0.2s' : `Exit code: 0\nOutput:\n${Array.from({ length: 120 }, (_, k) => `def rule_${i}_${k}(tokens): return tokens[${k}:]`).join('\n')}`;
    records.push({ type: 'response_item', payload: { type: 'function_call_output', call_id: `c${i}`, output } });
  }
  records.push({ type: 'response_item', payload: { type: 'custom_tool_call', name: 'apply_patch', call_id: 'p1', input: '*** Begin Patch\n*** Update File: src/parser.py\n@@\n-    return tokens[:-1]\n+    return tokens\n*** End Patch' } });
  records.push({ type: 'response_item', payload: { type: 'custom_tool_call_output', call_id: 'p1', output: 'Success. Updated the following files:\nM src/parser.py' } });
  return lines(records);
}

test('files of other formats and names are benchmarked through the relay\'s loaders; unreadable ones are named', () => {
  const root = mkdtempSync(join(tmpdir(), 'real-'));
  mkdirSync(join(root, 'codex_rollouts'));
  writeFileSync(join(root, 'codex_rollouts', 'rollout-1.jsonl'), codexRollout(8));
  mkdirSync(join(root, 'swe_agent_runs'));
  copyFileSync(new URL('../fixtures/trajectories/swe-agent/ctf__web__i_got_id_demo.traj', import.meta.url), join(root, 'swe_agent_runs', 'i_got_id.traj'));
  writeFileSync(join(root, 'notes.json'), JSON.stringify({ hello: 'world' }));
  const skipped: string[] = [];
  const sessions = loadRealSessions(root, null, skipped);
  assert.deepEqual(sessions.map((s) => s.agent).sort(), ['SWE-agent', 'codex rollout']);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0], /^notes\.json: .*not a recognised session/);
  const codex = deriveFacts(sessions.find((s) => s.agent === 'codex rollout')!.raw).facts;
  const of = (c: string) => codex.filter((f) => f.category === c).map((f) => f.label);
  assert.deepEqual(of('last_command'), ['pytest -q tests/test_parser.py'], 'the script Codex wrapped in bash -lc');
  assert.deepEqual(of('last_error'), ['E   AssertionError: expected 3 tokens, got 2']);
  assert.deepEqual(of('files_written'), ['src/parser.py'], 'apply_patch names the file it updated');
  assert.ok(of('task').some((t) => t.includes('tests/test_parser.py')));
  const swe = deriveFacts(sessions.find((s) => s.agent === 'SWE-agent')!.raw).facts;
  assert.ok(swe.some((f) => f.category === 'files_written' && f.label === 'printenv.pl'), 'a SWE-agent run under another folder name is read as one');
});
