// The public API as the server and the benchmark use it: soft/hard triggers and target fractions,
// one model call per event, the report's dropped items, handoffs for Codex, secrets never
// repeated, and an invariant checker that does catch broken results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { buildHandoff, checkInvariants, compactConversation, countConversationTokens, SUMMARY_SECTIONS, type SummarizeCall } from '../../src/compaction/index.ts';

const msg = (role: 'user' | 'assistant' | 'system' | 'developer', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });

/** A coding session of `turns` tool turns, each with a sizeable output. */
function session(turns: number, extra: Item[] = []): Conversation {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Task: make the parser handle empty input. Keep the public API stable.')];
  for (let n = 1; n <= turns; n++) {
    items.push(msg('assistant', `Step ${n}: inspecting module ${n}.`));
    items.push({ kind: 'tool_call', callId: `call_${n}`, name: 'shell', arguments: JSON.stringify({ command: `cat src/mod${n}.ts` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `call_${n}`, output: Array.from({ length: 60 }, (_, k) => `export const value${n}_${k} = compute(${k}, "module ${n}");`).join('\n'), toolKind: 'function' });
  }
  items.push(...extra);
  return { items, tools: [{ kind: 'function', name: 'shell', parameters: { type: 'object' } }] };
}

function countingSummarizer(): { call: SummarizeCall; calls: () => number } {
  let calls = 0;
  const call: SummarizeCall = async () => {
    calls++;
    return { text: SUMMARY_SECTIONS.map((s) => `${s}\n- noted`).join('\n'), model: 'tiny', inputTokens: 100, outputTokens: 20 };
  };
  return { call, calls: () => calls };
}

test('below the soft trigger nothing changes; above it the result lands under the target and stays put', async () => {
  const conv = session(30);
  const tokens = countConversationTokens(conv);
  const options = { budgetTokens: Math.floor(tokens / 0.7), triggerSoftFraction: 0.65, targetFraction: 0.3 };
  const result = await compactConversation(conv, options);
  assert.ok(result.report.tokensAfter <= options.budgetTokens * 0.3, `${result.report.tokensAfter} tokens`);
  assert.deepEqual(checkInvariants(conv, result.conversation, options.budgetTokens), []);
  const again = await compactConversation(result.conversation, options);
  assert.equal(again.conversation, result.conversation);
  assert.deepEqual(again.report.layersApplied, []);
  const roomy = await compactConversation(conv, { ...options, budgetTokens: tokens * 2 });
  assert.equal(roomy.conversation, conv);
});

test('the model summary is used only above the hard trigger, and called once per event', async () => {
  const conv = session(30);
  const tokens = countConversationTokens(conv);
  const soft = countingSummarizer();
  const between = await compactConversation(conv, { budgetTokens: Math.floor(tokens / 0.75), triggerSoftFraction: 0.65, triggerHardFraction: 0.85, targetFraction: 0.3, strategy: 'model', summarizer: soft.call });
  assert.equal(soft.calls(), 0);
  assert.ok(!between.report.layersApplied.includes('L4'));
  const forced = await compactConversation(conv, { budgetTokens: Math.floor(tokens / 0.75), triggerSoftFraction: 0.65, triggerHardFraction: 0.85, targetFraction: 0.3, strategy: 'model', summarizer: soft.call, disabledLayers: new Set(['L2']) });
  assert.equal(soft.calls(), 0);
  assert.equal(forced.report.summary?.strategy, 'ledger');
  const hard = countingSummarizer();
  const above = await compactConversation(conv, { budgetTokens: Math.floor(tokens / 0.9), triggerSoftFraction: 0.65, triggerHardFraction: 0.85, targetFraction: 0.3, strategy: 'model', summarizer: hard.call, disabledLayers: new Set(['L2']) });
  assert.equal(hard.calls(), 1);
  assert.equal(above.report.summary?.strategy, 'model');
  assert.ok(above.report.layersApplied.includes('L4'));
  assert.deepEqual(checkInvariants(conv, above.conversation, Math.floor(tokens / 0.9)), []);
});

test('the report counts what was retired, by type, and times the layers', async () => {
  const conv = session(30);
  const result = await compactConversation(conv, { budgetTokens: Math.floor(countConversationTokens(conv) * 0.2), disabledLayers: new Set(['L2']) });
  const byType = Object.fromEntries(result.report.droppedItems.map((d) => [d.type, d.count]));
  assert.ok(byType.tool_call > 0 && byType.tool_call === byType.tool_result, JSON.stringify(byType));
  assert.equal(result.report.droppedItems.reduce((n, d) => n + d.count, 0), result.report.itemsRetired);
  assert.ok(!result.report.layersApplied.includes('L2'));
  for (const key of ['count', 'L1', 'L2', 'retire', 'total']) assert.equal(typeof result.report.timings[key], 'number', key);
});

test('a secret pasted by the user is not repeated in the ledger or its structured report', async () => {
  const conv = session(20);
  conv.items.splice(2, 0, msg('user', 'Use key sk-proj-abcdefghijklmnopqrstuvwxyz0123 and password=hunter2hunter2 for staging.'));
  const result = await compactConversation(conv, { budgetTokens: Math.floor(countConversationTokens(conv) * 0.3), disabledLayers: new Set(['L2']) });
  const summary = JSON.stringify(result.conversation.items.filter((i) => !conv.items.includes(i)));
  assert.ok(summary.includes('for staging'), 'the message itself is kept');
  assert.ok(!summary.includes('abcdefghijklmnopqrstuvwxyz0123') && !summary.includes('hunter2hunter2'));
  assert.ok(!JSON.stringify(result.report).includes('hunter2hunter2'));
});

test('a handoff keeps the newest real user messages, oldest first, without injected prompts', async () => {
  const conv = session(5, [
    msg('user', 'Second request: also handle whitespace-only input.'),
    msg('developer', 'Developer note.'),
    msg('user', '<environment_context>cwd=/repo</environment_context>'),
    msg('user', 'You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary.'),
  ]);
  const handoff = await buildHandoff(conv, { budgetTokens: 100_000 });
  assert.deepEqual(handoff.recentUserMessages.map((m) => m.content[0].type === 'text' && m.content[0].text.slice(0, 14)), ['Task: make the', 'Second request']);
  assert.match(handoff.summaryText, /Session ledger/);
  const tight = await buildHandoff(conv, { budgetTokens: 100_000, userMessageBudgetTokens: 15 });
  assert.equal(tight.recentUserMessages.length, 1);
  assert.match(JSON.stringify(tight.recentUserMessages[0]), /whitespace-only/);
});

test('a budget below the system prompt and tools fails clearly, without calling the model', async () => {
  const conv = session(10);
  conv.items[0] = msg('system', 'rule '.repeat(3000));
  const summarizer = countingSummarizer();
  await assert.rejects(compactConversation(conv, { budgetTokens: 1000, strategy: 'model', summarizer: summarizer.call }), (err: any) => {
    assert.equal(err.status, 400);
    assert.equal(err.code, 'context_budget_unreachable');
    assert.match(err.message, /system prompt and tool definitions alone take \d+ tokens/);
    return true;
  });
  assert.equal(summarizer.calls(), 0);
});

test('the invariant checker catches broken results', () => {
  const before: Conversation = {
    items: [
      msg('system', 'sys'),
      { kind: 'reasoning', id: 'rs_1', summary: ['plan'] },
      { kind: 'tool_call', callId: 'c1', name: 'f', arguments: '{"a":1}', toolKind: 'function' },
      { kind: 'tool_result', callId: 'c1', output: 'ok', toolKind: 'function' },
    ],
    tools: [{ kind: 'function', name: 'f' }],
  };
  const [system, reasoning, call, result] = before.items;
  const check = (items: Item[], extra: Partial<Conversation> = {}) => checkInvariants(before, { ...before, items, ...extra });
  assert.deepEqual(check(before.items), []);
  assert.match(check([system, reasoning, call]).join(), /lost its result/);
  assert.match(check([system, result]).join(), /no earlier call/);
  assert.match(check([system, call, result]).join(), /reasoning tied to c1/);
  assert.match(check([msg('system', 'changed'), reasoning, call, result]).join(), /system or developer/);
  assert.match(check([system, reasoning, { ...call, arguments: '{"a":' } as Item, result]).join(), /no longer parse/);
  assert.match(check(before.items, { tools: [] }).join(), /tool definitions/);
  assert.match(checkInvariants(before, before, 1).join(), /over budget/);
});
