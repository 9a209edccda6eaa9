// A later compaction event keeps the summary an earlier event sent, byte for byte, and adds a part
// saying only what changed: the prompt cache keeps reading through the first summary, and the
// state the new part states (current error, last command) is that of everything retired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { messageText } from '../../src/conversation/model.ts';
import { type CompactionOptions } from '../../src/compaction/index.ts';
import { SUMMARY_CONTINUATION_PREFIX, SUMMARY_MESSAGE_PREFIX } from '../../src/compaction/layout.ts';
import { compactStably } from '../../src/compaction-api/stable-compaction.ts';
import { MemoryPlanStore } from '../../src/state/plan-store.ts';

const msg = (role: 'user' | 'assistant' | 'system', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });

function run(items: Item[], id: string, command: string, output: string, exitCode: number): void {
  items.push({ kind: 'tool_call', callId: id, name: 'execute_bash', arguments: JSON.stringify({ command }), toolKind: 'function' });
  items.push({ kind: 'tool_result', callId: id, output: `${output}\n[The command completed with exit code ${exitCode}.]`, toolKind: 'function' });
}

function read(items: Item[], id: string, path: string): void {
  items.push({ kind: 'tool_call', callId: id, name: 'str_replace_editor', arguments: JSON.stringify({ command: 'view', path }), toolKind: 'function' });
  items.push({ kind: 'tool_result', callId: id, output: Array.from({ length: 40 }, (_, k) => `${path}:${k + 1}: def step_${k}(value): return value + ${k}`).join('\n'), toolKind: 'function' });
}

const FAILURE = 'Traceback (most recent call last):\n  File "tests/test_pager.py", line 12\nAssertionError: expected 10 items on the last page, got 9';

/** A session whose test run fails early; `fixed` decides whether a later run of the same command passes. */
function session(fixed: boolean): Item[] {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Fix the off-by-one in src/pager.py so that tests/test_pager.py passes.')];
  run(items, 'c0', 'python -m pytest tests/test_pager.py', FAILURE, 1);
  for (let n = 1; n <= 14; n++) read(items, `a${n}`, `src/module_a${n}.py`);
  run(items, 'c1', 'python -m pytest tests/test_pager.py', fixed ? '1 passed in 0.02s' : FAILURE, fixed ? 0 : 1);
  for (let n = 1; n <= 14; n++) read(items, `b${n}`, `src/module_b${n}.py`);
  return items;
}

// Masking is off so that the events retire turns into the summary.
const OPTIONS: CompactionOptions = { budgetTokens: 8000, targetTokens: 4000, disabledLayers: new Set(['L2']) };

/** Sends the session's growing history turn by turn; returns each event's output. */
async function events(items: Item[]): Promise<Conversation[]> {
  const plans = new MemoryPlanStore();
  const out: Conversation[] = [];
  for (let end = 4; end <= items.length; end += 2) {
    const result = await compactStably({ items: items.slice(0, end), tools: [] }, OPTIONS, { tenant: 'key:1', plans });
    if (result.report.plan === 'new') out.push(result.conversation);
  }
  return out;
}

const summaries = (c: Conversation) => c.items.flatMap((i) => (i.kind === 'message' && i.role === 'user' ? [messageText(i.content)] : [])).filter((t) => t.startsWith(SUMMARY_MESSAGE_PREFIX) || t.startsWith(SUMMARY_CONTINUATION_PREFIX));

test('a later event keeps the summary sent before and adds a part with what changed since', async () => {
  const outputs = await events(session(true));
  assert.ok(outputs.length >= 2, `${outputs.length} events`);
  const first = summaries(outputs[0]);
  const later = summaries(outputs.at(-1) as Conversation);
  assert.equal(first.length, 1);
  assert.ok(later.length >= 2, 'the later event sends more than one part');
  assert.equal(later[0], first[0], 'the first part is sent again byte for byte');
  const firstIndex = outputs[0].items.findIndex((i) => i.kind === 'message' && messageText(i.content) === first[0]);
  const laterIndex = (outputs.at(-1) as Conversation).items.findIndex((i) => i.kind === 'message' && messageText(i.content) === first[0]);
  assert.equal(laterIndex, firstIndex, 'at the same place, after the same head');
  assert.match(first[0], /### Current error\n- AssertionError: expected 10 items/, 'the first part names the failing test');
  const added = later.slice(1).join('\n');
  assert.match(added, /### Current error\n- none outstanding/, 'the new part says the error is gone once the same command passes');
  assert.match(added, /AssertionError/, 'and lists it as resolved');
  assert.match(added, /module_b\d+\.py/, 'it lists files read since');
  const listedFirst = first[0].match(/src\/module_\w+\.py/g) ?? [];
  assert.ok(listedFirst.length > 0);
  for (const file of listedFirst) assert.ok(!added.includes(file), `${file} is listed by the first part, not again`);
});

test('state that did not change is left to the earlier part: a failure still current is not declared gone', async () => {
  const outputs = await events(session(false));
  const later = summaries(outputs.at(-1) as Conversation);
  assert.ok(later.length >= 2, 'the later event sends more than one part');
  const added = later.slice(1).join('\n');
  assert.doesNotMatch(added, /none outstanding/, 'the error of the first part is still current');
  assert.doesNotMatch(added, /Resolved errors/);
});

test('parts stop piling up: past the share of the target they are written anew as one summary', async () => {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Tidy every module under src/.')];
  for (let n = 1; n <= 160; n++) read(items, `r${n}`, `src/package_${n % 9}/a_rather_long_module_name_number_${n}.py`);
  const outputs = await events(items);
  assert.ok(outputs.length >= 4, `${outputs.length} events`);
  const counts = outputs.map((c) => summaries(c).length);
  assert.ok(counts.some((k) => k > 1), `parts were added (${counts.join(', ')})`);
  assert.ok(counts.slice(1).some((k, i) => k < counts[i]), `and later folded back into one (${counts.join(', ')})`);
  for (const c of outputs) {
    const tokens = summaries(c).reduce((sum, t) => sum + t.length / 4, 0);
    assert.ok(tokens < (OPTIONS.targetTokens as number) * 0.4, `summaries stay small: ~${Math.round(tokens)} tokens`);
  }
});

test('a summary part resent by a client is neither the user\'s words nor an environment\'s output', async () => {
  const { isRealUserMessage, extractLedger } = await import('../../src/compaction/ledger.ts');
  const { markTextProtocol } = await import('../../src/conversation/text-protocol.ts');
  const { summaryMessage } = await import('../../src/compaction/layout.ts');
  const part = summaryMessage('### Files changed\n- edited: src/pager.py', true);
  assert.equal(isRealUserMessage(part), false);
  const items: Item[] = [msg('user', 'Fix the pager.'), msg('assistant', 'Looking.'), part];
  const marked = markTextProtocol({ items, tools: [] }).items[2];
  assert.ok(marked.kind === 'message' && !marked.observation, 'not taken for an observation');
  assert.deepEqual(extractLedger(items).userMessages, ['Fix the pager.']);
});

test('a text-protocol action and the observation answering it are never cut apart', async () => {
  const { safeCutPoints } = await import('../../src/compaction/engine.ts');
  const observe = (text: string): Item => ({ kind: 'message', role: 'user', content: [{ type: 'text', text }], observation: true });
  const items: Item[] = [msg('system', 'You are SWE-agent.'), msg('user', 'Fix the pager.'), msg('assistant', 'Run the tests.\n```\npytest\n```'), observe('1 failed\n(Open file: n/a)\nbash-$'), msg('assistant', 'Open the file.\n```\nopen src/pager.py\n```'), observe('[File: src/pager.py (40 lines total)]\nbash-$')];
  const cuts = safeCutPoints(items);
  assert.ok(!cuts.includes(3) && !cuts.includes(5), `no cut before an observation (${cuts.join(', ')})`);
  assert.ok(cuts.includes(2) && cuts.includes(4), 'cuts before each action');
});

test('when the system prompt leaves the target out of reach, an event retires all but the newest turn', async () => {
  const { planCompaction, planningOptionsOf } = await import('../../src/compaction/engine.ts');
  const items: Item[] = [msg('system', `You are a coding agent. ${'Follow the house rules carefully. '.repeat(220)}`), msg('user', 'Fix the pager.')];
  // Small turns: the protected tail (a quarter of the target) would span several of them.
  for (let n = 0; n < 60; n++) run(items, `c${n}`, `python -m pytest tests/test_${n}.py`, `tests/test_${n}.py::case PASSED\n1 passed`, 0);
  const planned = planCompaction({ items, tools: [] }, planningOptionsOf({ budgetTokens: 3400, targetTokens: 1200, disabledLayers: new Set(['L2']) }));
  assert.ok(planned.layout, 'it compacts');
  assert.equal(planned.layout.retireUntil, items.length - 2, 'only the newest call and its result stay after the summary');
});
