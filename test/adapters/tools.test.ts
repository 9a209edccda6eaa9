// Each adapter's tool codecs: declarations decoded from its own format come back verbatim; tools
// of other formats are rebuilt (custom tools with the one shared input schema) or counted as dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DropReport } from '../../src/conversation/drop-report.ts';
import { CUSTOM_TOOL_INPUT_SCHEMA } from '../../src/conversation/request.ts';
import { decodeChatToolChoice, decodeChatTools, encodeChatToolChoice, encodeChatTools } from '../../src/adapters/chat/tools.ts';
import { decodeResponsesToolChoice, decodeResponsesTools, encodeResponsesToolChoice, encodeResponsesTools } from '../../src/adapters/responses/tools.ts';
import { decodeAnthropicToolChoice, encodeAnthropicToolChoice, encodeAnthropicTools } from '../../src/adapters/anthropic/tools.ts';

test('chat tools round-trip verbatim; tools from Responses are rebuilt for chat or counted as dropped', () => {
  const tools = [{ type: 'function', function: { name: 'shell', description: 'run', parameters: { type: 'object' }, strict: true } }];
  assert.deepEqual(encodeChatTools(decodeChatTools(tools)), tools);
  const report: DropReport = {};
  const out = encodeChatTools([
    { kind: 'function', name: 'read', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
    { kind: 'custom', name: 'apply_patch', description: 'patch files' },
    { kind: 'web_search', name: 'web_search' },
  ], report);
  assert.equal(out.length, 2);
  assert.deepEqual(out[1], { type: 'function', function: { name: 'apply_patch', description: 'patch files', parameters: CUSTOM_TOOL_INPUT_SCHEMA } });
  assert.deepEqual(report, { 'tool:web_search': 1 });
});

test('Responses tools decode by kind and round-trip verbatim; a custom tool describes its grammar', () => {
  const tools = [
    { type: 'function', name: 'shell', description: 'run', parameters: { type: 'object' }, strict: false },
    { type: 'custom', name: 'apply_patch', description: 'patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
    { type: 'local_shell' },
    { type: 'web_search', search_context_size: 'low' },
    { type: 'mcp', server_label: 'x' },
  ];
  const defs = decodeResponsesTools(tools);
  assert.deepEqual(defs.map((d) => d.kind), ['function', 'custom', 'local_shell', 'web_search', 'other']);
  assert.equal(defs[1].description, 'patch Input format (lark):\nstart: x');
  assert.deepEqual(encodeResponsesTools(defs), tools);
  const report: DropReport = {};
  const rebuilt = encodeResponsesTools([{ kind: 'function', name: 'f' }, { kind: 'custom', name: 'c' }, { kind: 'other', name: 'x' }], report);
  assert.deepEqual(rebuilt, [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: false }]);
  assert.deepEqual(report, { 'tool:custom': 1, 'tool:other': 1 });
});

test('Anthropic tools take functions and custom tools (with the shared input schema), and count hosted ones', () => {
  const report: DropReport = {};
  const out = encodeAnthropicTools([
    { kind: 'function', name: 'f', description: 'd', parameters: { type: 'object', properties: { a: {} } } },
    { kind: 'custom', name: 'apply_patch' },
    { kind: 'local_shell', name: 'local_shell' },
  ], report);
  assert.deepEqual(out, [
    { name: 'f', description: 'd', input_schema: { type: 'object', properties: { a: {} } } },
    { name: 'apply_patch', input_schema: CUSTOM_TOOL_INPUT_SCHEMA },
  ]);
  assert.deepEqual(report, { 'tool:local_shell': 1 });
});

test('tool choice: each format reads its own spelling and writes the others', () => {
  assert.deepEqual(decodeChatToolChoice({ type: 'function', function: { name: 'f' } }), { mode: 'tool', name: 'f' });
  assert.deepEqual(decodeResponsesToolChoice({ type: 'custom', name: 'apply_patch' }), { mode: 'tool', name: 'apply_patch' });
  assert.deepEqual(decodeAnthropicToolChoice({ type: 'any' }), { mode: 'required' });
  assert.equal(decodeChatToolChoice({ type: 'allowed_tools' }), undefined);
  assert.deepEqual(encodeChatToolChoice({ mode: 'tool', name: 'f' }), { type: 'function', function: { name: 'f' } });
  assert.deepEqual(encodeResponsesToolChoice({ mode: 'tool', name: 'f' }), { type: 'function', name: 'f' });
  assert.equal(encodeResponsesToolChoice({ mode: 'required' }), 'required');
  assert.deepEqual(encodeAnthropicToolChoice({ mode: 'required' }, undefined), { type: 'any' });
  assert.deepEqual(encodeAnthropicToolChoice(undefined, false), { type: 'auto', disable_parallel_tool_use: true });
});
