// Engine behaviour on random and hand-made conversations: invariants under fast-check, the
// ledger's facts (files, errors resolved or current, plan, superseded values, no secrets), the
// model summary with its cache and fallbacks, and a clear error when no budget can be met.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { checkInvariants, compactConversation, countConversationTokens, extractLedger, MemorySummaryCache, renderLedger, SUMMARY_SECTIONS, type SummarizeCall } from '../../src/compaction/index.ts';
import { normalizeToolOutput } from '../../src/compaction/normalize.ts';

const text = (role: 'user' | 'assistant' | 'system', t: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text: t }] });

/** Random agent conversations: a system prompt, a task, then turns of text and tool call groups. */
const conversationArb = fc.array(
  fc.record({
    say: fc.option(fc.lorem({ maxCount: 30 }), { nil: undefined }),
    calls: fc.array(fc.record({ name: fc.constantFrom('shell', 'read_file', 'apply_patch'), out: fc.nat({ max: 400 }), user: fc.boolean() }), { maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 40 },
).map((turns): Conversation => {
  const items: Item[] = [text('system', 'You are an agent.'), text('user', 'Task: do the thing in src/app.ts.')];
  let n = 0;
  for (const turn of turns) {
    if (turn.say) items.push(text('assistant', turn.say));
    for (const call of turn.calls) {
      const callId = `c${++n}`;
      items.push({ kind: 'tool_call', callId, name: call.name, arguments: JSON.stringify({ path: `src/f${n}.ts`, command: `run ${n}` }), toolKind: 'function' });
    }
    for (let k = turn.calls.length; k > 0; k--) {
      const callId = `c${n - k + 1}`;
      items.push({ kind: 'tool_result', callId, output: `output ${callId}\n` + 'line of output text\n'.repeat(turn.calls[turn.calls.length - k].out), toolKind: 'function' });
    }
    if (turn.calls.some((c) => c.user)) items.push(text('user', `please continue ${n}`));
  }
  return { items, tools: [] };
});

test('property: any budget is met with valid pairing, or refused clearly; output deterministic and stable', async () => {
  await fc.assert(
    fc.asyncProperty(conversationArb, fc.double({ min: 0.05, max: 1.2, noNaN: true }), async (conversation, fraction) => {
      const tokens = countConversationTokens(conversation);
      const budget = Math.max(50, Math.floor(tokens * fraction));
      let result;
      try {
        result = await compactConversation(conversation, { budgetTokens: budget });
      } catch (err: any) {
        assert.equal(err.code, 'context_budget_unreachable');
        assert.equal(err.status, 400);
        return;
      }
      assert.deepEqual(checkInvariants(conversation, result.conversation, budget), []);
      const again = await compactConversation(conversation, { budgetTokens: budget });
      assert.equal(JSON.stringify(again.conversation), JSON.stringify(result.conversation));
      const twice = await compactConversation(result.conversation, { budgetTokens: budget });
      assert.equal(JSON.stringify(twice.conversation), JSON.stringify(result.conversation));
    }),
    { numRuns: 60, seed: 42 },
  );
});

test('the ledger records files from patches and editor calls, resolved vs current errors, the plan, and no secrets', () => {
  const items: Item[] = [
    text('user', 'Add retries. Do not touch vendor/.'),
    { kind: 'tool_call', callId: 'a', name: 'apply_patch', arguments: '*** Begin Patch\n*** Add File: src/retry.ts\n+x\n*** Update File: src/client.ts\n@@\n*** Delete File: src/old.ts\n*** End Patch', toolKind: 'custom' },
    { kind: 'tool_result', callId: 'a', output: 'Done', toolKind: 'custom' },
    { kind: 'tool_call', callId: 'b', name: 'str_replace_editor', arguments: JSON.stringify({ command: 'str_replace', path: 'src/index.ts', old_str: 'a', new_str: 'b' }), toolKind: 'function' },
    { kind: 'tool_result', callId: 'b', output: 'edited', toolKind: 'function' },
    { kind: 'tool_call', callId: 'c', name: 'shell', arguments: JSON.stringify({ command: 'npm test' }), toolKind: 'function' },
    { kind: 'tool_result', callId: 'c', output: 'TypeError: retry is not a function\nexit code: 1', toolKind: 'function' },
    { kind: 'tool_call', callId: 'd', name: 'shell', arguments: JSON.stringify({ command: 'npm test' }), toolKind: 'function' },
    { kind: 'tool_result', callId: 'd', output: '14 passed\nexit code: 0', toolKind: 'function' },
    { kind: 'tool_call', callId: 'e', name: 'shell', arguments: JSON.stringify({ command: 'npm run lint' }), toolKind: 'function' },
    { kind: 'tool_result', callId: 'e', output: 'error: Missing semicolon at src/retry.ts:3\nAPI_KEY=sk-abcdefghijklmnopqrstuvwxyz123456\nexit code: 2', toolKind: 'function' },
    { kind: 'tool_call', callId: 'f', name: 'update_plan', arguments: JSON.stringify({ plan: [{ step: 'write retry', status: 'completed' }, { step: 'fix lint', status: 'in_progress' }] }), toolKind: 'function' },
    { kind: 'tool_result', callId: 'f', output: 'ok', toolKind: 'function' },
  ];
  const ledger = extractLedger(items);
  assert.deepEqual(ledger.files, [
    { path: 'src/retry.ts', change: 'created' },
    { path: 'src/client.ts', change: 'edited' },
    { path: 'src/old.ts', change: 'deleted' },
    { path: 'src/index.ts', change: 'edited' },
  ]);
  assert.match(ledger.latestError!.line, /Missing semicolon/);
  assert.deepEqual(ledger.resolvedErrors, ['TypeError: retry is not a function']);
  assert.deepEqual(ledger.openPlan, ['fix lint']);
  assert.deepEqual(ledger.commands.map((c) => c.exitCode), [1, 0, 2]);
  const rendered = renderLedger(ledger);
  assert.match(rendered, /Do not touch vendor\//);
  assert.ok(!rendered.includes('sk-abcdefghijklmnopqrstuvwxyz123456'));
});

test('normalization strips ANSI and progress bars, folds repeats, and caps with a marker that keeps error lines', () => {
  const noisy = '\u001b[31mred\u001b[0m\n' + '10%\r50%\r100%\n' + 'same\n'.repeat(20) + 'x'.repeat(10);
  const out = normalizeToolOutput(noisy, 8000);
  assert.ok(!out.includes('\u001b'));
  assert.match(out, /^red\n100%\nsame\n\[… the line above repeated 19 more times\]/);
  const long = Array.from({ length: 3000 }, (_, i) => (i === 1500 ? 'FATAL error: disk full' : `line ${i} with some words`)).join('\n');
  const capped = normalizeToolOutput(long, 1000);
  assert.match(capped, /lines cut by the gateway/);
  assert.match(capped, /FATAL error: disk full/);
  assert.match(capped, /line 2999/);
  assert.equal(normalizeToolOutput(long, 1000), capped, 'same input, same output');
});

function bigSession(): Conversation {
  const items: Item[] = [text('system', 'sys'), text('user', 'Task: migrate the database layer.')];
  for (let i = 0; i < 60; i++) {
    items.push({ kind: 'tool_call', callId: `k${i}`, name: 'shell', arguments: JSON.stringify({ command: `step ${i}` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `k${i}`, output: `result ${i}\n` + Array.from({ length: 300 }, (_, j) => `detail ${i}.${j}`).join('\n'), toolKind: 'function' });
    items.push(text('assistant', `Done step ${i}.`));
  }
  items.push(text('user', 'Finish with the docs.'));
  return { items, tools: [] };
}

test('model strategy: the summary is used, cached by what it summarized, and replaced by the ledger on failure', async () => {
  const conversation = bigSession();
  const budget = Math.floor(countConversationTokens(conversation) / 8);
  let calls = 0;
  const summarizer: SummarizeCall = async (req) => {
    calls++;
    assert.match(req.system, /DATA, not instructions/);
    return { text: SUMMARY_SECTIONS.map((s) => `${s}\nmigrating the database layer`).join('\n'), model: 'cheap', inputTokens: 900, outputTokens: 80 };
  };
  const cache = new MemorySummaryCache();
  const options = { budgetTokens: budget, strategy: 'model' as const, summarizer, cache, disabledLayers: new Set(['L2' as const]) };
  const first = await compactConversation(conversation, options);
  assert.equal(first.report.summary?.strategy, 'model');
  assert.equal(first.report.summary?.inputTokens, 900);
  assert.ok(first.report.layersApplied.includes('L4'));
  const afterFirst = calls;
  const second = await compactConversation(conversation, options);
  assert.equal(calls, afterFirst, 'the same prefix is not summarized twice');
  assert.equal(second.report.summary?.cacheHit, true);
  assert.equal(JSON.stringify(second.conversation), JSON.stringify(first.conversation));
  const failing: SummarizeCall = async () => ({ text: 'no sections here', model: 'bad', inputTokens: 10, outputTokens: 3 });
  const fallback = await compactConversation(conversation, { ...options, summarizer: failing, cache: new MemorySummaryCache() });
  assert.equal(fallback.report.summary?.fellBackToLedger, true);
  assert.match(fallback.report.summary?.error ?? '', /lacks sections/);
  assert.deepEqual(checkInvariants(conversation, fallback.conversation, budget), []);
});

test('a budget below the system prompt is refused with context_budget_unreachable', async () => {
  const conversation: Conversation = { items: [text('system', 'rules '.repeat(2000)), text('user', 'hi'), text('assistant', 'hello '.repeat(500))], tools: [] };
  await assert.rejects(compactConversation(conversation, { budgetTokens: 100 }), (err: any) => err.code === 'context_budget_unreachable' && /cannot be compacted to 100 tokens/.test(err.message));
});

test('the newest turn is never masked: an output larger than the protected tail reaches the model whole', async () => {
  const items: Item[] = [text('system', 'You are an agent.'), text('user', 'Task: update docs/GUIDE.md to match the code.')];
  for (let i = 0; i < 12; i++) {
    items.push({ kind: 'tool_call', callId: `c${i}`, name: 'read_file', arguments: JSON.stringify({ path: `src/part_${i}.ts` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `c${i}`, output: `// part ${i}\n` + `export const value_${i} = ${i};\n`.repeat(60), toolKind: 'function' });
  }
  const newestOutput = Array.from({ length: 150 }, (_, i) => `line ${i} of docs/GUIDE.md: the handler for route /v${i} returns JSON`).join('\n');
  items.push({ kind: 'tool_call', callId: 'newest', name: 'read_file', arguments: JSON.stringify({ path: 'docs/GUIDE.md' }), toolKind: 'function' });
  items.push({ kind: 'tool_result', callId: 'newest', output: newestOutput, toolKind: 'function' });
  const conversation: Conversation = { items, tools: [] };
  const before = countConversationTokens(conversation);
  // The target's protected tail (a quarter of the target) is far smaller than the newest output.
  const result = await compactConversation(conversation, { budgetTokens: Math.floor(before * 0.85), targetTokens: Math.floor(before * 0.3), strategy: 'ledger' });
  assert.ok(result.report.layersApplied.length > 0, 'compaction ran');
  const last = result.conversation.items.at(-1) as { kind: string; output: unknown };
  assert.equal(last.kind, 'tool_result');
  assert.equal(last.output, newestOutput, 'the output the agent just received is not replaced by a stub');
});
