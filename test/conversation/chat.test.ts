// Chat Completions codec: what a chat client sent comes back out unchanged, split assistant turns
// are rebuilt into valid chat messages, tools round-trip, and what chat cannot carry is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChatMessages, encodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import { droppedList, type DropReport } from '../../src/conversation/drop-report.ts';
import { decodeResponsesInput } from '../../src/adapters/responses/conversation.ts';
import type { Conversation } from '../../src/conversation/model.ts';

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'developer', content: 'Prefer TypeScript.' },
  { role: 'user', name: 'alice', content: [{ type: 'text', text: 'Look at this' }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] },
  { role: 'assistant', content: null, reasoning_content: 'I should list files.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"command":"ls"}' } }, { id: 'call_2', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: 'a.ts\nb.ts', x_vendor_field: 7 },
  { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'export const a = 1;' }] },
  { role: 'assistant', content: 'Done.', x_unknown: true },
];

test('decoding keeps system messages as items and splits assistant turns into reasoning, calls and text', () => {
  const conv = decodeChatMessages(messages);
  assert.deepEqual(conv.items.map((i) => (i.kind === 'message' ? `${i.kind}:${i.role}` : i.kind)), [
    'message:system', 'message:developer', 'message:user', 'reasoning', 'tool_call', 'tool_call', 'tool_result', 'tool_result', 'message:assistant',
  ]);
  const user = conv.items[2];
  assert.ok(user.kind === 'message' && user.name === 'alice');
  assert.deepEqual(user.kind === 'message' && user.content[1], { type: 'image', url: 'https://x.test/a.png', detail: 'low' });
  const reasoning = conv.items[3];
  assert.equal(reasoning.kind === 'reasoning' && reasoning.text, 'I should list files.');
});

test('encoding a decoded conversation gives back the same messages (unknown fields survive)', () => {
  const out = encodeChatMessages(decodeChatMessages(messages));
  assert.deepEqual(out, messages);
});

test('a changed item is rebuilt without its raw wire object', () => {
  const conv = decodeChatMessages([{ role: 'user', content: 'old', x_meta: 1 }]);
  const item = conv.items[0];
  assert.ok(item.kind === 'message');
  conv.items[0] = { kind: 'message', role: 'user', content: [{ type: 'text', text: 'new' }] };
  assert.deepEqual(encodeChatMessages(conv), [{ role: 'user', content: 'new' }]);
});

test('items chat cannot carry are dropped and counted; custom calls become JSON arguments', () => {
  const conv: Conversation = decodeResponsesInput([
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
    { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'custom_tool_call_output', call_id: 'c1', output: 'ok' },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' },
    { type: 'compaction', id: 'cmp_1', encrypted_content: 'blob' },
    { type: 'compaction_trigger' },
  ]);
  const report: DropReport = {};
  const out = encodeChatMessages(conv, report);
  assert.deepEqual(droppedList(report), [
    { type: 'compaction', count: 1 },
    { type: 'compaction_trigger', count: 1 },
    { type: 'reasoning', count: 1 },
    { type: 'web_search_call', count: 1 },
  ]);
  assert.deepEqual(out, [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'ok' },
  ]);
});

