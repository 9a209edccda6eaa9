// Codex CLI session rollouts load as the Responses input Codex sent: current rollouts (typed
// records with a payload) and older ones (Responses items after a metadata line); metadata, turn
// context and UI events are not conversation; a JSONL file of something else is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSessionFile, SessionFormatError } from '../../src/conversation/trajectories.ts';
import { compactConversation, countConversationTokens } from '../../src/compaction/index.ts';

const lines = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const userText = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

function currentRollout(turns: number): string {
  const records: unknown[] = [
    { timestamp: '2026-11-29T10:00:00Z', type: 'session_meta', payload: { id: 'sess-1', cwd: '/repo', cli_version: '0.169.0', instructions: 'You are Codex.' } },
    { timestamp: '2026-11-29T10:00:01Z', type: 'turn_context', payload: { cwd: '/repo', model: 'gpt-5.5-codex' } },
    { timestamp: '2026-11-29T10:00:02Z', type: 'response_item', payload: userText('Fix the failing test in tests/test_parser.py and keep the public API.') },
    { timestamp: '2026-11-29T10:00:02Z', type: 'event_msg', payload: { type: 'user_message', message: 'Fix the failing test' } },
  ];
  for (let i = 0; i < turns; i++) {
    records.push({ type: 'response_item', payload: { type: 'reasoning', summary: [{ type: 'summary_text', text: `Looking at part ${i}.` }], encrypted_content: null } });
    records.push({ type: 'response_item', payload: { type: 'function_call', name: 'shell', call_id: `call_${i}`, arguments: JSON.stringify({ command: ['bash', '-lc', i === turns - 1 ? 'pytest -q tests/test_parser.py' : `cat src/parser_${i}.py`] }) } });
    records.push({ type: 'event_msg', payload: { type: 'exec_command_end', exit_code: 0 } });
    const output = i === turns - 1 ? 'Exit code: 1\nOutput:\nE   AssertionError: expected 3 tokens, got 2\n1 failed in 0.2s' : `Exit code: 0\nOutput:\n${Array.from({ length: 120 }, (_, k) => `def rule_${i}_${k}(tokens): return tokens[${k}:]`).join('\n')}`;
    records.push({ type: 'response_item', payload: { type: 'function_call_output', call_id: `call_${i}`, output } });
  }
  records.push({ type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'The test still fails; the tokenizer drops the last token.' }] } });
  return lines(records);
}

test('a current Codex rollout loads as its Responses input, without metadata, turn context or UI events', () => {
  const session = loadSessionFile(currentRollout(3), 'rollout.jsonl');
  assert.equal(session.source, 'codex rollout');
  assert.equal(session.format, 'responses');
  const kinds = session.conversation.items.map((i) => i.kind);
  assert.deepEqual(kinds.filter((k) => k === 'tool_call').length, 3);
  assert.deepEqual(kinds.filter((k) => k === 'tool_result').length, 3);
  assert.equal(kinds.filter((k) => k === 'reasoning').length, 3);
  assert.equal(session.conversation.instructions, 'You are Codex.');
  const first = session.conversation.items[0];
  assert.equal(first.kind === 'message' && first.role, 'user');
});

test('an older rollout (items after a metadata line) loads too', () => {
  const text = lines([
    { id: 'sess-0', timestamp: '2025-06-01T10:00:00Z', instructions: 'Old instructions.' },
    { record_type: 'state' },
    userText('Rename the flag --fast to --quick.'),
    { type: 'function_call', name: 'shell', call_id: 'c1', arguments: JSON.stringify({ command: ['bash', '-lc', 'grep -rn -- --fast src'] }) },
    { type: 'function_call_output', call_id: 'c1', output: 'src/cli.ts:12: --fast' },
  ]);
  const session = loadSessionFile(text, 'old-rollout.jsonl');
  assert.equal(session.source, 'codex rollout');
  assert.deepEqual(session.conversation.items.map((i) => i.kind), ['message', 'tool_call', 'tool_result']);
  assert.equal(session.conversation.instructions, 'Old instructions.');
});

test('a rollout compacts: the task stays, the last failing command is the current error', async () => {
  const { conversation } = loadSessionFile(currentRollout(12), 'rollout.jsonl');
  const before = countConversationTokens(conversation);
  const result = await compactConversation(conversation, { budgetTokens: Math.floor(before * 0.4), targetTokens: Math.floor(before * 0.2) });
  const text = JSON.stringify(result.conversation.items);
  assert.ok(text.includes('Fix the failing test in tests/test_parser.py'), 'the task is kept');
  assert.ok(countConversationTokens(result.conversation) <= Math.floor(before * 0.4));
  assert.match(result.report.ledger ? JSON.stringify(result.report.ledger) : text, /expected 3 tokens, got 2/);
});

test('JSON Lines that are no known session are refused, naming what was expected', () => {
  assert.throws(() => loadSessionFile(lines([{ level: 'info', msg: 'hello' }, { level: 'warn', msg: 'bye' }]), 'app.log.jsonl'), (err: unknown) => err instanceof SessionFormatError && /no line is a recognised session record/.test((err as Error).message));
});
