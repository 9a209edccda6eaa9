// The last resort when the first task does not fit whole: the task and the summary share all the
// room the system prompt and the newest turn leave, and the summary is cut only between its lines,
// so no half path or half error is presented as a fact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { fitPinned } from '../../src/compaction/pinned-fit.ts';
import { countConversationTokens } from '../../src/compaction/tokens.ts';

const message = (role: 'system' | 'user' | 'assistant', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });

const system = message('system', 'You are a coding agent.');
const task = message('user', Array.from({ length: 60 }, (_, i) => `- requirement ${i}: keep the handler for route /api/v${i} backwards compatible with clients of release ${i}.`).join('\n'));
const newest = [message('assistant', 'Done: every route keeps its old behaviour, see the summary above.')];
const deepPath = (i: number) => `/workspace/project/src/routes/handlers/version_${i}/${'nested/'.repeat(30)}compatibility_layer.py`;
const summary = ['## Session ledger', '### Files changed', ...Array.from({ length: 12 }, (_, i) => `- edited: ${deepPath(i)}`)].join('\n');
const requirementsKept = (text: string | null) => (text?.match(/requirement \d+/g) ?? []).length;
const conversation: Conversation = { items: [system, task, ...newest], tools: [] };
/** Tokens of a conversation as it stands (system, task, newest turn; no summary). */
const countWithout = (c: Conversation) => countConversationTokens(c);

test('a summary cut to fit keeps whole lines only: no truncated path is listed as a changed file', () => {
  const fit = fitPinned({ conversation, head: [system, task], task, summaryText: summary, newest, limitTokens: 1300, aimTokens: 1300 });
  assert.ok(fit.summaryText, 'a summary is kept');
  const original = new Set(summary.split('\n'));
  for (const line of fit.summaryText!.split('\n').filter((l) => l.trim())) {
    assert.ok(original.has(line) || line.startsWith('[… '), `a cut line: ${line}`);
  }
  assert.ok(fit.tokens <= 1300);
});

test('the first task and the summary get the room the frame estimate leaves unused', () => {
  const alone = fitPinned({ conversation, head: [system, task], task, summaryText: '', newest, limitTokens: 600, aimTokens: 600 });
  assert.ok(alone.tokens <= 600 && alone.tokens >= 600 - 30, `${alone.tokens} of 600 tokens used`);
  assert.ok(requirementsKept(alone.taskText) >= 20, `${requirementsKept(alone.taskText)} of the task's 60 requirements kept`);
  const shared = fitPinned({ conversation, head: [system, task], task, summaryText: summary, newest, limitTokens: 1300, aimTokens: 1300 });
  assert.ok(shared.tokens <= 1300 && shared.tokens >= 1300 - 30, `${shared.tokens} of 1300 tokens used`);
});

test('a first task that fits whole is kept whole: the summary gets what is left, or is left out when that is only a few tokens', () => {
  const shortTask = message('user', Array.from({ length: 20 }, (_, i) => `- requirement ${i}: keep route /api/v${i} compatible.`).join('\n'));
  const c: Conversation = { items: [system, shortTask, ...newest], tools: [] };
  // Just enough for the task and the newest turn, with a dozen tokens to spare: the task stays whole, no summary.
  const tight = fitPinned({ conversation: c, head: [system, shortTask], task: shortTask, summaryText: summary, newest, limitTokens: countWithout(c) + 12, aimTokens: countWithout(c) + 12 });
  assert.equal(tight.taskText, (shortTask as { content: { text: string }[] }).content[0].text, 'the task is not cut');
  assert.equal(tight.summaryText, null, 'a summary squeezed to a dozen tokens is left out');
  // With room for part of the summary, the task is still whole and the summary is cut between lines.
  const roomy = fitPinned({ conversation: c, head: [system, shortTask], task: shortTask, summaryText: summary, newest, limitTokens: countWithout(c) + 200, aimTokens: countWithout(c) + 200 });
  assert.equal(roomy.taskText, (shortTask as { content: { text: string }[] }).content[0].text);
  assert.ok(roomy.summaryText && roomy.summaryText.includes('- edited: '), 'the summary keeps some of its files');
  assert.ok(roomy.tokens <= countWithout(c) + 200);
});

test('a task that must be cut anyway is cut toward the aim, not the limit, so the next turns have room before another event', () => {
  const fit = fitPinned({ conversation, head: [system, task], task, summaryText: summary, newest, limitTokens: 1300, aimTokens: 800 });
  assert.ok(fit.taskText && fit.taskText.includes('of the first task cut by the gateway'), 'the task is cut');
  assert.ok(fit.tokens <= 800, `${fit.tokens} tokens, aim 800`);
});

test('short of room, the summary is the ledger abridged by section: the files changed and the last command first, never a heading without its entries', async () => {
  const { extractLedger } = await import('../../src/compaction/ledger.ts');
  const { renderLedger, renderLedgerWithin } = await import('../../src/compaction/ledger-render.ts');
  const items: Item[] = [message('user', 'Fix the pager.')];
  for (let i = 0; i < 12; i++) {
    items.push({ kind: 'tool_call', callId: `w${i}`, name: 'str_replace_editor', arguments: JSON.stringify({ command: 'create', path: `src/module_${i}.py`, file_text: 'x = 1' }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `w${i}`, output: `File created successfully at: src/module_${i}.py`, toolKind: 'function' });
    items.push({ kind: 'tool_call', callId: `r${i}`, name: 'execute_bash', arguments: JSON.stringify({ command: `python -m pytest tests/test_module_${i}.py -q` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `r${i}`, output: `${i + 1} passed in 0.0${i}s\n[The command completed with exit code 0.]`, toolKind: 'function' });
  }
  const ledger = extractLedger(items);
  const whole = renderLedger(ledger);
  const abridged = renderLedgerWithin(ledger, 90) as string;
  assert.ok(abridged && abridged.length < whole.length, 'abridged to fit');
  assert.match(abridged, /### Files changed\n(- created: src\/module_\d+\.py\n)*- created: src\/module_11\.py\n/, 'the newest file written is listed');
  assert.doesNotMatch(abridged, /module_0\.py/, 'the oldest is not');
  assert.match(abridged, /### Last command\n`python -m pytest tests\/test_module_11\.py -q` → 0/, 'and the last command with its exit code');
  assert.match(abridged, /\(\d+ earlier not shown\)/, 'it says what it left out');
  const sections = abridged.split('\n').filter((l) => l.startsWith('### '));
  for (const heading of sections) {
    const after = abridged.slice(abridged.indexOf(heading) + heading.length + 1).split('\n')[0];
    assert.ok(after && !after.startsWith('###'), `${heading} has its entries`);
  }
  for (const line of abridged.split('\n').filter((l) => l.startsWith('- created: '))) assert.match(line, /^- created: src\/module_\d+\.py$/, 'whole paths only');
  const fit = fitPinned({ conversation, head: [system, task], task, summaryText: whole, summaryWithin: (max) => renderLedgerWithin(ledger, max), newest, limitTokens: 700, aimTokens: 700 });
  assert.ok(fit.summaryText?.includes('### Last command'), 'beside a task cut to fit, the summary still carries the last command');
  assert.ok(fit.tokens <= 700);
});
