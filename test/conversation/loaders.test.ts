// Loading real recorded sessions a user might hand to `compact`: aider's markdown history (many
// sessions in one file) and Claude Code logs whose Task sub-agent threads are kept apart from the
// main thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { largestAiderSessions, splitAiderSessions } from '../../src/conversation/loaders/aider.ts';
import { claudeCodeThreads } from '../../src/conversation/loaders/claude-code.ts';
import { messageText } from '../../src/conversation/model.ts';
import { checkInvariants } from '../../src/compaction/index.ts';

const REAL = new URL('../fixtures/trajectories/real/', import.meta.url).pathname;
const AIDER = `${REAL}aider_chat_history_md/tests__fixtures__chat-history.md`;
const CLAUDE = `${REAL}claude_code_jsonl/mock-global-claude-dir__projects__sample-project__fe5e1c67-53e7-4862-81ae-d0e013e3270b.jsonl`;
const records = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

test('an aider history splits into its sessions; user turns, aider output and model text are told apart', () => {
  const text = readFileSync(AIDER, 'utf8');
  assert.equal(splitAiderSessions(text).length, 1133);
  const [largest] = largestAiderSessions(text, 1);
  assert.equal(largest.startedAt, '2024-08-14 06:20:09');
  const items = largest.conversation.items.filter((i) => i.kind === 'message');
  const user = items.find((i) => i.role === 'user' && !i.observation)!;
  assert.equal(messageText(user.content), 'the graph comes out with no data on it?', 'the `#### ` prefix and hard-break spaces are stripped');
  assert.ok(items.some((i) => i.role === 'user' && i.observation && messageText(i.content).startsWith('Tokens:')), "aider's own output is an observation, not the user's words");
  assert.ok(items.some((i) => i.role === 'assistant'));
  const loaded = loadSessionFile(text, 'chat-history.md');
  assert.match(loaded.source, /aider chat history \(session of 2024-08-14 06:20:09\)/);
});

test('a Claude Code log loads as its main thread; each sub-agent thread is its own valid conversation', () => {
  const threads = claudeCodeThreads(records(CLAUDE));
  assert.deepEqual(threads.map((t) => t.sidechain), [false, true, true, true, true, true], 'main thread plus five Task sub-agents');
  for (const thread of threads) {
    assert.deepEqual(checkInvariants(thread.conversation, thread.conversation), [], `${thread.id}: every tool_use has its tool_result`);
    assert.ok(thread.body.messages.every((m, i) => i === 0 || m.role !== thread.body.messages[i - 1].role), 'roles alternate as the API requires');
  }
  const main = loadSessionFile(readFileSync(CLAUDE, 'utf8'), 'log.jsonl').conversation;
  const text = JSON.stringify(main.items);
  assert.ok(text.includes('orchestrator'), 'the main task is there');
  assert.ok(!text.includes("I'll create React components for a TODO app with TypeScript"), "a sub-agent's own turns are not mixed into the main thread");
});

test('a SWE-agent function-calling run loads as Chat messages a model API accepts: tool_call_id, no bookkeeping', async () => {
  const { adapterFor } = await import('../../src/adapters/registry.ts');
  const file = new URL('../fixtures/trajectories/swe-agent/replay__marshmallow-code__marshmallow-1867__function_calling__install-1__marshmallow-code__marshmallow-1867.traj', import.meta.url).pathname;
  const { conversation } = loadSessionFile(readFileSync(file, 'utf8'), 'run.traj');
  const messages = adapterFor('chat').encodeConversation(conversation).messages as Record<string, unknown>[];
  const calls = new Set(messages.flatMap((m) => ((m.tool_calls as { id: string }[] | undefined) ?? []).map((c) => c.id)));
  const results = messages.filter((m) => m.role === 'tool');
  assert.ok(results.length >= 10);
  for (const m of results) assert.ok(calls.has(String(m.tool_call_id)), `a tool message answers a call: ${m.tool_call_id}`);
  for (const m of messages) {
    for (const key of ['message_type', 'agent', 'thought', 'action', 'tool_call_ids', 'extra']) assert.ok(!(key in m), `no ${key} in a ${m.role} message`);
  }
});
