// The engine's cost grows linearly with the conversation: compacting a history four times longer
// to the same budget visits about four times as many items (counted, not timed, so a busy machine
// cannot make it flaky). Building the ledger at every candidate boundary made it sixteen times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { compactConversation } from '../../src/compaction/index.ts';
import { resetWorkMeter, visitedItems } from '../../src/compaction/work-meter.ts';

const msg = (role: 'user' | 'assistant' | 'system', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });

/** A session of `turns` tool turns; every third output is long enough to be masked. */
function session(turns: number): Conversation {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Task: make the parser accept empty input.')];
  for (let n = 1; n <= turns; n++) {
    items.push(msg('assistant', `Step ${n}: checking module ${n}.`));
    items.push({ kind: 'tool_call', callId: `call_${n}`, name: 'shell', arguments: JSON.stringify({ command: `grep -n parse src/mod${n}.ts` }), toolKind: 'function' });
    const lines = n % 3 === 0 ? 12 : 4;
    items.push({ kind: 'tool_result', callId: `call_${n}`, output: Array.from({ length: lines }, (_, k) => `src/mod${n}.ts:${k + 1}: const v${k} = parse(input${n}, ${k});`).join('\n'), toolKind: 'function' });
    if (n % 25 === 0) items.push(msg('user', `Keep going; module ${n} looks fine.`));
  }
  return { items, tools: [] };
}

async function visitsToCompact(turns: number): Promise<{ visits: number; items: number }> {
  const conversation = session(turns);
  await compactConversation(conversation, { budgetTokens: 6000, targetTokens: 4000 });
  resetWorkMeter();
  const result = await compactConversation(conversation, { budgetTokens: 6000, targetTokens: 4000 });
  assert.ok(result.report.itemsRetired > 0, 'the history is long enough to retire its middle');
  assert.ok(result.report.tokensAfter <= 6000);
  return { visits: visitedItems(), items: conversation.items.length };
}

test('compacting a 4× longer history to the same budget costs about 4× the work, not 16×', async () => {
  const small = await visitsToCompact(150);
  const large = await visitsToCompact(600);
  const ratio = large.visits / small.visits;
  assert.ok(large.items / small.items > 3.9);
  assert.ok(ratio < 8, `work grew ${ratio.toFixed(1)}× for 4× the items (${small.visits} → ${large.visits} item visits)`);
  assert.ok(large.visits < large.items * 20, `at most a few passes over the history: ${large.visits} visits for ${large.items} items`);
});
