// The Anthropic upstream codecs on their own: a conversation with every item kind encoded the way
// the Messages API requires, and Anthropic's named-event stream decoded into neutral events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResponsesInput } from '../../src/adapters/responses/conversation.ts';
import { decodeAnthropicConversation, encodeAnthropicMessages } from '../../src/adapters/anthropic/conversation.ts';
import type { DropReport } from '../../src/conversation/drop-report.ts';
import { AnthropicUpstreamDecoder } from '../../src/adapters/anthropic/stream-decoder.ts';
import { anthropicMessageToEvents } from '../../src/adapters/anthropic/answer.ts';

test('a Codex-style Responses history becomes alternating Anthropic turns; what cannot travel is counted', () => {
  const conversation = decodeResponsesInput([
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Sandbox: workspace-write.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look at the screenshot.' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }] },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA-opaque' },
    { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"command":["ls"]}' },
    { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'function_call_output', call_id: 'c1', output: 'README.md' },
    { type: 'custom_tool_call_output', call_id: 'c2', output: 'Done!' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Patched.' }] },
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
  ], 'You are Codex.');
  const report: DropReport = {};
  const encoded = encodeAnthropicMessages(conversation, report);
  assert.equal(encoded.system, 'You are Codex.\n\nSandbox: workspace-write.');
  assert.deepEqual(encoded.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
  assert.deepEqual(encoded.messages[0].content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } });
  assert.deepEqual(encoded.messages[1].content, [
    { type: 'tool_use', id: 'c1', name: 'shell', input: { command: ['ls'] } },
    { type: 'tool_use', id: 'c2', name: 'apply_patch', input: { input: '*** Begin Patch' } },
  ]);
  assert.deepEqual(encoded.messages[2].content.map((b: any) => [b.type, b.tool_use_id]), [['tool_result', 'c1'], ['tool_result', 'c2']]);
  assert.deepEqual(report, { reasoning: 1, web_search_call: 1 });
});

test('the stream decoder numbers tool calls apart from text blocks and sums usage across events', () => {
  const decoder = new AnthropicUpstreamDecoder();
  const frames: [string, unknown][] = [
    ['message_start', { type: 'message_start', message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 5, output_tokens: 1 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Plan.' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } }],
    ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Running it.' } }],
    ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'shell', input: {} } }],
    ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"cmd":' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"ls"}' } }],
    ['ping', { type: 'ping' }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 42 } }],
  ];
  const events = frames.flatMap(([name, data]) => decoder.decode(name, JSON.stringify(data)));
  assert.equal(decoder.done, false, 'not complete before message_stop');
  decoder.decode('message_stop', '{"type":"message_stop"}');
  assert.equal(decoder.done, true);
  assert.deepEqual(events.slice(1), [
    { type: 'reasoning', delta: 'Plan.' },
    { type: 'text', delta: 'Running it.' },
    { type: 'tool_call_start', index: 0, callId: 'toolu_1', name: 'shell', custom: false },
    { type: 'tool_call_args', index: 0, delta: '{"cmd":' },
    { type: 'tool_call_args', index: 0, delta: '"ls"}' },
    { type: 'finish', reason: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 105, outputTokens: 42, totalTokens: 147, cachedTokens: 90, reasoningTokens: 0 } },
  ]);
});

test('an error event and a max_tokens stop map to their neutral meanings', () => {
  const decoder = new AnthropicUpstreamDecoder();
  assert.deepEqual(decoder.decode('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'), [{ type: 'error', code: 'overloaded_error', message: 'Overloaded' }]);
  const events = anthropicMessageToEvents({ id: 'msg_2', model: 'claude', content: [{ type: 'text', text: 'cut' }], stop_reason: 'max_tokens', usage: { input_tokens: 3, output_tokens: 8 } });
  assert.deepEqual(events.find((e) => e.type === 'finish'), { type: 'finish', reason: 'length' });
});

test('an Anthropic request decoded and encoded again gives back the same messages, blocks the codec does not model included', () => {
  const messages = [
    { role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'spec' } }, { type: 'text', text: 'Read this.', cache_control: { type: 'ephemeral' } }] },
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'Short.', signature: 'sig1' }, { type: 'tool_use', id: 'toolu_1', name: 'grep', input: { q: 'x' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'no match' }], is_error: true }] },
  ];
  const conversation = decodeAnthropicConversation({ system: 'S', messages });
  assert.equal(conversation.items[0].kind, 'message');
  const report: DropReport = {};
  assert.deepEqual(encodeAnthropicMessages(conversation, report), { system: 'S', messages });
  assert.deepEqual(report, {});
});
