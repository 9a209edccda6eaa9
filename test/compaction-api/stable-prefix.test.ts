// A stable prefix for clients that resend everything: the same growing history, sent turn after
// turn, compacts to byte-identical prefixes between compaction events (one break per event, and
// events are rare); stubs are never rewritten; plans are shared by instances and bound to tenants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { encodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import { compactConversation, SUMMARY_SECTIONS, type CompactionOptions, type SummarizeCall } from '../../src/compaction/index.ts';
import { compactStably } from '../../src/compaction-api/stable-compaction.ts';
import { MemoryPlanStore } from '../../src/state/plan-store.ts';

const REAL = new URL('../fixtures/trajectories/real/', import.meta.url).pathname;
const SESSIONS = [
  'openhands_codeact_fncall__chat_completions/llm_completions__django__django-11087__litellm_proxy__claude-3-5-sonnet-20241022-1733345045.476485.json',
  'mini_swe_agent_v2_toolcall__deepseek/pr816__output__deepseek_reasoner_dev__marshmallow-code__marshmallow-1343__marshmallow-code__marshmallow-1343.traj.json',
];

/** The history as an agent resends it: after every tool result or user message. */
function turnsOf(conversation: Conversation): Conversation[] {
  const turns: Conversation[] = [];
  conversation.items.forEach((item, i) => {
    if (item.kind === 'tool_result' || (item.kind === 'message' && item.role === 'user' && i > 0)) turns.push({ ...conversation, items: conversation.items.slice(0, i + 1) });
  });
  return turns;
}

const wire = (conversation: Conversation) => encodeChatMessages(conversation).map((m) => JSON.stringify(m));
const startsWith = (whole: string[], prefix: string[]) => prefix.every((m, i) => whole[i] === m);

/** Replays `turns`, counting requests whose output does not start with the previous output. */
async function replay(turns: Conversation[], compact: (c: Conversation) => Promise<{ conversation: Conversation; report: { plan?: string } }>) {
  let previous: string[] | undefined;
  let breaks = 0;
  let events = 0;
  for (const turn of turns) {
    const result = await compact(turn);
    const sent = wire(result.conversation);
    if (result.report.plan === 'new') events++;
    if (previous && !startsWith(sent, previous)) breaks++;
    previous = sent;
  }
  return { breaks, events };
}

const WINDOW = 16_000;
const OPTIONS: CompactionOptions = { budgetTokens: Math.floor(WINDOW * 0.85), targetTokens: Math.floor(WINDOW * 0.5) };

for (const file of SESSIONS) {
  test(`turn by turn, a real session keeps a byte-identical prefix between events: ${file.split('/')[0]}`, async () => {
    const { conversation } = loadSessionFile(readFileSync(REAL + file, 'utf8'), file);
    const turns = turnsOf(conversation);
    const plans = new MemoryPlanStore();
    const stable = await replay(turns, (c) => compactStably(c, OPTIONS, { tenant: 'key:1', plans }));
    assert.ok(stable.events >= 1, 'the session is long enough to compact');
    assert.ok(stable.breaks <= stable.events, `${stable.breaks} prefix breaks for ${stable.events} compaction events`);
    assert.ok(stable.events * 6 <= turns.length, `events are rare: ${stable.events} in ${turns.length} turns`);
    const stateless = await replay(turns, (c) => compactConversation(c, OPTIONS));
    assert.ok(stateless.breaks > stable.breaks * 2, `recomputing every request breaks the prefix more often (${stateless.breaks} vs ${stable.breaks})`);
  });
}

const msg = (role: 'user' | 'assistant' | 'system', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });
const fileBody = (name: string, version: number) => Array.from({ length: 40 }, (_, k) => `${name}:${k + 1}: line ${k} of version ${version}`).join('\n');

function read(items: Item[], id: string, path: string, version: number): void {
  items.push({ kind: 'tool_call', callId: id, name: 'str_replace_editor', arguments: JSON.stringify({ command: 'view', path }), toolKind: 'function' });
  items.push({ kind: 'tool_result', callId: id, output: fileBody(path, version), toolKind: 'function' });
}

test('a masking stub, once sent, is not rewritten when the same file is read again later', async () => {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Fix the off-by-one in src/pager.py.')];
  read(items, 'r0', 'src/pager.py', 1);
  for (let n = 1; n <= 24; n++) read(items, `r${n}`, `src/other${n}.py`, 1);
  const before: Conversation = { items, tools: [] };
  const options: CompactionOptions = { budgetTokens: 9000, targetTokens: 6000, disabledLayers: new Set(['L3']) };
  const plans = new MemoryPlanStore();
  const first = await compactStably(before, options, { tenant: 'key:1', plans });
  const stubOf = (c: Conversation) => c.items.find((i) => i.kind === 'tool_result' && i.callId === 'r0');
  const stub = stubOf(first.conversation);
  assert.ok(stub && stub.kind === 'tool_result' && String(stub.output).startsWith('[gateway: output hidden'), 'the first read is masked');
  const later: Conversation = { items: [...items], tools: [] };
  read(later.items, 'again', 'src/pager.py', 2);
  const second = await compactStably(later, options, { tenant: 'key:1', plans });
  assert.equal(second.report.plan, 'reused');
  assert.deepEqual(stubOf(second.conversation), stub, 'the stub sent before is sent again unchanged');
  const recomputed = await compactConversation(later, options);
  assert.notDeepEqual(stubOf(recomputed.conversation), stub, 'without a plan the stub would have been rewritten');
});

function varyingSummarizer(): { call: SummarizeCall; calls: () => number } {
  let calls = 0;
  const call: SummarizeCall = async () => {
    calls++;
    return { text: SUMMARY_SECTIONS.map((s) => `${s}\n- written on call ${calls}`).join('\n'), model: 'small', inputTokens: 500, outputTokens: 50 };
  };
  return { call, calls: () => calls };
}

function longSession(turns: number): Conversation {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Make the tests pass.')];
  for (let n = 1; n <= turns; n++) {
    items.push(msg('assistant', `Attempt ${n}.`));
    items.push({ kind: 'tool_call', callId: `t${n}`, name: 'shell', arguments: JSON.stringify({ command: `pytest -q tests/test_${n}.py` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `t${n}`, output: `tests/test_${n}.py ...\n${Array.from({ length: 30 }, (_, k) => `collected tests/test_${n}.py::case_${k}`).join('\n')}\n1 passed`, toolKind: 'function' });
  }
  return { items, tools: [] };
}

test('instances sharing the plan store send the same summary; the model is asked once per event', async () => {
  const conversation = longSession(60);
  const options = (call: SummarizeCall): CompactionOptions => ({ budgetTokens: 6000, targetTokens: 3500, strategy: 'model', summarizer: call, disabledLayers: new Set(['L2']) });
  const shared = new MemoryPlanStore();
  const a = varyingSummarizer();
  const b = varyingSummarizer();
  const fromA = await compactStably(conversation, options(a.call), { tenant: 'key:7', plans: shared });
  const grown = { ...conversation, items: [...conversation.items, msg('user', 'Also run the linter.')] };
  const fromB = await compactStably(grown, options(b.call), { tenant: 'key:7', plans: shared });
  assert.equal(a.calls(), 1);
  assert.equal(b.calls(), 0, 'the second instance reapplies the plan instead of asking its model');
  assert.equal(fromA.report.summary?.strategy, 'model');
  assert.deepEqual(wire(fromB.conversation).slice(0, -1), wire(fromA.conversation));
  assert.equal(fromB.report.summary?.inputTokens, 0, 'a reused plan costs no summarizer tokens');
});

test('plans are bound to their tenant', async () => {
  const conversation = longSession(60);
  const shared = new MemoryPlanStore();
  const options = (call: SummarizeCall): CompactionOptions => ({ budgetTokens: 6000, targetTokens: 3500, strategy: 'model', summarizer: call, disabledLayers: new Set(['L2']) });
  const one = varyingSummarizer();
  const other = varyingSummarizer();
  await compactStably(conversation, options(one.call), { tenant: 'key:1', plans: shared });
  const result = await compactStably(conversation, options(other.call), { tenant: 'key:2', plans: shared });
  assert.equal(other.calls(), 1, 'another tenant never gets the first tenant\'s plan');
  assert.equal(result.report.plan, 'new');
});

test('the in-memory plan store stays within its byte bound, dropping the least recently used sessions', async () => {
  const store = new MemoryPlanStore(200_000);
  const options: CompactionOptions = { budgetTokens: 6000, targetTokens: 3500 };
  for (let s = 0; s < 40; s++) {
    const conversation = longSession(60);
    conversation.items[1] = msg('user', `Make the tests pass (session ${s}).`);
    await compactStably(conversation, options, { tenant: 'key:1', plans: store });
    assert.ok(store.size <= 200_000, `${store.size} bytes`);
  }
  assert.ok(store.size > 0);
});

test('the next event\'s model summary folds in only what was retired since, starting from the last summary', async () => {
  const prompts: string[] = [];
  const summarizer: SummarizeCall = async (req) => {
    prompts.push(req.prompt);
    return { text: SUMMARY_SECTIONS.map((s) => `${s}\n- summary number ${prompts.length}`).join('\n'), model: 'small', inputTokens: 100, outputTokens: 10 };
  };
  const options: CompactionOptions = { budgetTokens: 6000, targetTokens: 3500, strategy: 'model', summarizer, disabledLayers: new Set(['L2']) };
  const plans = new MemoryPlanStore();
  const full = longSession(150);
  let events = 0;
  for (let turns = 40; turns <= 150; turns += 2) {
    const result = await compactStably({ ...full, items: full.items.slice(0, 2 + turns * 3) }, options, { tenant: 'key:1', plans });
    if (result.report.plan === 'new') events++;
  }
  assert.ok(events >= 2 && prompts.length === events, `one model call per event (${prompts.length} calls, ${events} events)`);
  const second = prompts[1];
  assert.match(second, /<previous_summary>[\s\S]*summary number 1/, 'the second summary starts from the first');
  assert.doesNotMatch(second, /tests\/test_1\.py/, 'and does not send what the first already summarized');
});

test('sessions that open with the same system prompt and demonstration keep their own plans', async () => {
  const demonstration = msg('user', `Here is a demonstration of how to work:\n${Array.from({ length: 40 }, (_, k) => `step ${k}: run a command, read its output`).join('\n')}`);
  const sessions = Array.from({ length: 6 }, (_, s) => {
    const base = longSession(80);
    return { ...base, items: [base.items[0], demonstration, msg('user', `Task ${s}: make the tests in package ${s} pass.`), ...base.items.slice(2)] };
  });
  const plans = new MemoryPlanStore();
  const options: CompactionOptions = { budgetTokens: 6000, targetTokens: 3500 };
  const events = new Array<number>(sessions.length).fill(0);
  for (let turns = 50; turns <= 80; turns++) {
    for (const [s, session] of sessions.entries()) {
      const result = await compactStably({ ...session, items: session.items.slice(0, 3 + turns * 3) }, options, { tenant: 'key:1', plans });
      if (result.report.plan === 'new') events[s]++;
    }
  }
  const own = new MemoryPlanStore();
  const alone = await replay(Array.from({ length: 31 }, (_, k) => ({ ...sessions[0], items: sessions[0].items.slice(0, 3 + (50 + k) * 3) })), (c) => compactStably(c, options, { tenant: 'key:2', plans: own }));
  assert.ok(alone.events >= 2 && alone.events <= 8, `${alone.events} events alone`);
  assert.deepEqual(events, new Array<number>(sessions.length).fill(alone.events), 'interleaved, each session has the events it has alone');
});
