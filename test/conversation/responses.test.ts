// Responses codec: every item type Codex sends decodes into the neutral model and goes back out
// byte-identical (ids and unknown fields included); rebuilt items take the right wire shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResponsesInput, encodeResponsesInput } from '../../src/adapters/responses/conversation.ts';
import { decodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import type { DropReport } from '../../src/conversation/drop-report.ts';

const codexHistory = [
  { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
  { type: 'message', id: 'msg_1', role: 'user', content: [{ type: 'input_text', text: 'fix it' }, { type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'auto' }], internal_chat_message_metadata_passthrough: { a: 1 } },
  { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'gAAAAB' },
  { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}' },
  { type: 'function_call_output', call_id: 'call_1', output: 'a.ts' },
  { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_2', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' },
  { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Done' },
  { type: 'local_shell_call', id: 'lsh_1', call_id: 'call_3', status: 'completed', action: { type: 'exec', command: ['pwd'] } },
  { type: 'function_call_output', call_id: 'call_3', output: [{ type: 'input_text', text: '/repo' }] },
  { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'x' } },
  { type: 'image_generation_call', id: 'ig_1', status: 'completed', result: 'AAAA' },
  { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [] }], client_metadata: { z: 1 } },
  { type: 'compaction', id: 'cmp_1', encrypted_content: 'sealed' },
  { type: 'compaction_summary', encrypted_content: 'sealed2' },
  { type: 'future_item_type', payload: [1, 2, 3] },
  { type: 'compaction_trigger' },
];

test('every Codex item type decodes to the right neutral kind', () => {
  const conv = decodeResponsesInput(codexHistory);
  assert.deepEqual(conv.items.map((i) => (i.kind === 'opaque' ? `opaque:${i.wireType}` : i.kind)), [
    'message', 'message', 'reasoning', 'tool_call', 'tool_result', 'tool_call', 'tool_result', 'tool_call', 'tool_result',
    'opaque:web_search_call', 'opaque:image_generation_call', 'message', 'compaction', 'compaction', 'opaque:future_item_type', 'compaction_trigger',
  ]);
  const kinds = conv.items.filter((i) => i.kind === 'tool_call').map((i) => i.kind === 'tool_call' && i.toolKind);
  assert.deepEqual(kinds, ['function', 'custom', 'local_shell']);
  const reasoning = conv.items[2];
  assert.ok(reasoning.kind === 'reasoning' && reasoning.encryptedContent === 'gAAAAB' && reasoning.summary[0] === 'thinking');
  assert.equal(conv.items[1].id, 'msg_1');
});

test('encoding a decoded history is byte-identical, unknown fields and types included', () => {
  const out = encodeResponsesInput(decodeResponsesInput(codexHistory));
  assert.equal(JSON.stringify(out), JSON.stringify(codexHistory));
});

test('a string input is one user message; instructions are kept separately', () => {
  const conv = decodeResponsesInput('hello', 'be brief');
  assert.equal(conv.instructions, 'be brief');
  assert.deepEqual(encodeResponsesInput(conv), [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }]);
});

test('items from chat are rebuilt as Responses items; chat reasoning text is dropped and counted', () => {
  const conv = decodeChatMessages([
    { role: 'user', content: 'go' },
    { role: 'assistant', content: 'running', reasoning_content: 'hmm', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'shell', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'out' },
  ]);
  const report: DropReport = {};
  const out = encodeResponsesInput(conv, report);
  assert.deepEqual(report, { reasoning: 1 });
  assert.deepEqual(out, [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'running', annotations: [] }] },
    { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c1', output: 'out' },
  ]);
});

test('a rebuilt local shell call keeps its wire type; an opened compaction becomes readable text', () => {
  const out = encodeResponsesInput({
    items: [
      { kind: 'tool_call', callId: 's1', name: 'local_shell', arguments: '{"type":"exec","command":["ls"]}', toolKind: 'local_shell' },
      { kind: 'tool_result', callId: 's1', output: 'x', toolKind: 'local_shell' },
      { kind: 'compaction', summaryText: 'summary so far' },
    ],
  });
  assert.deepEqual(out[0], { type: 'local_shell_call', call_id: 's1', status: 'completed', action: { type: 'exec', command: ['ls'] } });
  assert.equal(out[1].type, 'function_call_output');
  assert.deepEqual(out[2], { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'summary so far' }] });
});

