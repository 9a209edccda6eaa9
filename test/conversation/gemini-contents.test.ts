// Gemini conversations (a generateContent body, or its contents as Gemini CLI checkpoints save
// them) load offline: text, thoughts, function calls and their responses paired by name in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { checkInvariants, compactConversation, countConversationTokens } from '../../src/compaction/index.ts';

function contents(turns: number): unknown[] {
  const out: unknown[] = [{ role: 'user', parts: [{ text: 'Make the date parser accept ISO week dates; keep parse() signature unchanged.' }] }];
  for (let i = 0; i < turns; i++) {
    out.push({ role: 'model', parts: [{ text: `Reading part ${i}.`, thought: true }, { text: `I will look at src/dates_${i}.py.` }, { functionCall: { name: 'read_file', args: { absolute_path: `/repo/src/dates_${i}.py` } } }, { functionCall: { name: 'run_shell_command', args: { command: `grep -n week src/dates_${i}.py` } } }] });
    out.push({ role: 'user', parts: [{ functionResponse: { name: 'read_file', response: { output: Array.from({ length: 150 }, (_, k) => `def rule_${i}_${k}(s): return s[${k}:]`).join('\n') } } }, { functionResponse: { name: 'run_shell_command', response: { output: `Exit Code: ${i === turns - 1 ? 1 : 0}\n12: week = None` } } }] });
  }
  return out;
}

test('a generateContent body loads with its system instruction, thoughts as reasoning, calls paired with their responses', () => {
  const session = loadSessionFile(JSON.stringify({ systemInstruction: { parts: [{ text: 'You are Gemini CLI.' }] }, contents: contents(2) }), 'request.json');
  assert.equal(session.source, 'gemini contents');
  const kinds = session.conversation.items.map((i) => i.kind);
  assert.equal(kinds[0], 'message');
  assert.equal(kinds.filter((k) => k === 'reasoning').length, 2);
  const calls = session.conversation.items.filter((i) => i.kind === 'tool_call') as { callId: string; name: string }[];
  const results = session.conversation.items.filter((i) => i.kind === 'tool_result') as { callId: string; output: string }[];
  assert.equal(calls.length, 4);
  assert.deepEqual(results.map((r) => r.callId), calls.map((c) => c.callId), 'each response answers the call of its name, in order');
  assert.match(results[0].output, /def rule_0_0/);
  assert.deepEqual(checkInvariants(session.conversation, session.conversation), []);
});

test('a saved contents array compacts: the task is kept and the budget met', async () => {
  const { conversation } = loadSessionFile(JSON.stringify(contents(10)), 'checkpoint.json');
  const before = countConversationTokens(conversation);
  const result = await compactConversation(conversation, { budgetTokens: Math.floor(before * 0.3), targetTokens: Math.floor(before * 0.15) });
  assert.ok(countConversationTokens(result.conversation) <= Math.floor(before * 0.3));
  assert.ok(JSON.stringify(result.conversation.items).includes('ISO week dates'));
  assert.deepEqual(checkInvariants(conversation, result.conversation).filter((p) => !/budget/.test(p)), []);
});
