// Text a client controls cannot make compaction quadratic: runs of blank lines, brackets, tags and
// unclosed action blocks in messages, tool arguments and outputs are read in one pass. Sizes here
// took minutes before (a regex rescanning every blank line, a lazy block match per unclosed
// opening); the bound is generous, so only a return to superlinear work fails it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item } from '../../src/conversation/model.ts';
import { buildHandoff, compactConversation } from '../../src/compaction/index.ts';
import { textActionOf } from '../../src/conversation/text-protocol.ts';

const PATTERNS = ['\n', ' \n', '- [ \n', '<returncode>\n', '<function=a>', '<parameter=b>', '<command>', '<execute_bash>', '<tool><a>', '[x] Result:\n', '```\n'];
const SIZE = 300_000;
const BOUND_MS = 8_000;

function sessionOf(text: string): { items: Item[]; tools: [] } {
  const items: Item[] = [{ kind: 'message', role: 'system', content: [{ type: 'text', text: 'You are an agent.' }] }, { kind: 'message', role: 'user', content: [{ type: 'text', text: 'Fix the parser.' }] }];
  for (let i = 0; i < 2; i++) {
    items.push({ kind: 'message', role: 'assistant', content: [{ type: 'text', text }] }, { kind: 'message', role: 'user', content: [{ type: 'text', text }] });
    items.push({ kind: 'tool_call', callId: `c${i}`, name: 'bash', arguments: JSON.stringify({ command: text }), toolKind: 'function' }, { kind: 'tool_result', callId: `c${i}`, output: text, toolKind: 'function' });
  }
  items.push({ kind: 'message', role: 'user', content: [{ type: 'text', text: 'Continue.' }] });
  return { items, tools: [] };
}

for (const pattern of PATTERNS) {
  test(`${JSON.stringify(pattern)} repeated to ${SIZE / 1000} kB: compaction and handoff finish in linear time`, async () => {
    const text = pattern.repeat(Math.ceil(SIZE / pattern.length));
    const started = performance.now();
    textActionOf(text);
    await compactConversation(sessionOf(text), { budgetTokens: 2_000, targetTokens: 1_000 }).catch((err) => assert.equal(err.code, 'context_budget_unreachable'));
    await buildHandoff(sessionOf(text), { budgetTokens: 2_000 });
    const ms = performance.now() - started;
    assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms`);
  });
}
