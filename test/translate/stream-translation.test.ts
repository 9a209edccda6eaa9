// Stream and whole-answer translation between Chat Completions and Responses, through the
// neutral events: the sequences clients (openai SDK, Codex) rely on, tool calls, usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatStreamDecoder, ChatStreamEncoder } from '../../src/adapters/chat/stream.ts';
import { ResponsesStreamDecoder, ResponsesStreamEncoder } from '../../src/adapters/responses/stream.ts';
import { chatCompletionToEvents, eventsToChatCompletion } from '../../src/adapters/chat/answer.ts';
import { eventsToResponse, responseToEvents } from '../../src/adapters/responses/answer.ts';

function parseFrames(text: string): { event?: string; data: any }[] {
  return text.split('\n\n').filter(Boolean).map((frame) => {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)![1];
    return { event, data: data === '[DONE]' ? '[DONE]' : JSON.parse(data) };
  });
}

const chatChunks = [
  { id: 'c1', model: 'm', created: 1, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' } }] },
  { id: 'c1', model: 'm', created: 1, choices: [{ index: 0, delta: { content: 'lo' } }] },
  { id: 'c1', model: 'm', created: 1, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'shell', arguments: '{"cmd":' } }] } }] },
  { id: 'c1', model: 'm', created: 1, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] } }] },
  { id: 'c1', model: 'm', created: 1, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  { id: 'c1', model: 'm', created: 1, choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 4 } } },
];

test('a chat stream becomes the full Responses event sequence with items and usage', () => {
  const decoder = new ChatStreamDecoder();
  const encoder = new ResponsesStreamEncoder({ id: 'resp_1', model: 'm', createdAt: 1 });
  let out = '';
  for (const chunk of chatChunks) for (const e of decoder.decode(undefined, JSON.stringify(chunk))) out += encoder.encode(e);
  decoder.decode(undefined, '[DONE]');
  assert.equal(decoder.done, true);
  out += encoder.finish();
  const frames = parseFrames(out);
  const types = frames.map((f) => f.data.type);
  assert.deepEqual(types.slice(0, 2), ['response.created', 'response.in_progress']);
  assert.ok(types.indexOf('response.output_text.delta') < types.indexOf('response.function_call_arguments.delta'));
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(frames.every((f) => f.event === f.data.type), 'event name matches data.type');
  assert.deepEqual(frames.map((f) => f.data.sequence_number), frames.map((_, i) => i));
  const done = frames.filter((f) => f.data.type === 'response.output_item.done').map((f) => f.data.item);
  assert.equal(done[0].type, 'message');
  assert.equal(done[0].content[0].text, 'Hello');
  assert.equal(done[1].type, 'function_call');
  assert.equal(done[1].call_id, 'call_a');
  assert.equal(done[1].arguments, '{"cmd":"ls"}');
  const completed = frames.at(-1)!.data.response;
  assert.equal(completed.output.length, 2);
  assert.equal(completed.usage.input_tokens, 11);
  assert.equal(completed.usage.output_tokens, 7);
  assert.equal(completed.usage.input_tokens_details.cached_tokens, 4);
});

test('a custom tool declared by the client comes back as custom_tool_call with its free-form input', () => {
  const encoder = new ResponsesStreamEncoder({ id: 'r', model: 'm', createdAt: 1, customTools: new Set(['apply_patch']) });
  encoder.encode({ type: 'tool_call_start', index: 0, callId: 'call_p', name: 'apply_patch', custom: false });
  encoder.encode({ type: 'tool_call_args', index: 0, delta: JSON.stringify({ input: '*** Begin Patch\n*** End Patch' }) });
  const frames = parseFrames(encoder.finish());
  const item = frames.find((f) => f.data.type === 'response.output_item.done')!.data.item;
  assert.equal(item.type, 'custom_tool_call');
  assert.equal(item.input, '*** Begin Patch\n*** End Patch');
});

test('a Responses stream becomes chat chunks ending in [DONE], usage only when asked', () => {
  const events = [
    ['response.created', { type: 'response.created', response: { id: 'resp_9', model: 'm', created_at: 5 } }],
    ['response.output_item.added', { type: 'response.output_item.added', item: { id: 'rs_1', type: 'reasoning' } }],
    ['response.reasoning_summary_text.delta', { type: 'response.reasoning_summary_text.delta', item_id: 'rs_1', delta: 'thinking' }],
    ['response.output_text.delta', { type: 'response.output_text.delta', delta: 'Hi' }],
    ['response.output_item.added', { type: 'response.output_item.added', item: { id: 'fc_1', type: 'function_call', call_id: 'call_z', name: 'read' } }],
    ['response.function_call_arguments.delta', { type: 'response.function_call_arguments.delta', item_id: 'fc_1', delta: '{"path":"a"}' }],
    ['response.output_item.done', { type: 'response.output_item.done', item: { id: 'fc_1', type: 'function_call', call_id: 'call_z', name: 'read', arguments: '{"path":"a"}' } }],
    ['response.completed', { type: 'response.completed', response: { id: 'resp_9', usage: { input_tokens: 20, output_tokens: 3, total_tokens: 23 } } }],
  ] as const;
  for (const includeUsage of [true, false]) {
    const decoder = new ResponsesStreamDecoder();
    const encoder = new ChatStreamEncoder({ id: 'chatcmpl-1', model: 'm', created: 5, includeUsage });
    let out = '';
    for (const [name, data] of events) for (const e of decoder.decode(name, JSON.stringify(data))) out += encoder.encode(e);
    assert.equal(decoder.done, true);
    out += encoder.finish();
    const frames = parseFrames(out);
    assert.equal(frames.at(-1)!.data, '[DONE]');
    const chunks = frames.slice(0, -1).map((f) => f.data);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join(''), 'thinking');
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'Hi');
    const args = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []).map((t: any) => t.function.arguments).join('');
    assert.equal(args, '{"path":"a"}', 'arguments are not duplicated by output_item.done');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.choices[0].finish_reason, 'tool_calls');
    const usageChunk = chunks.find((c) => c.usage);
    if (includeUsage) assert.equal(usageChunk.usage.total_tokens, 23);
    else assert.equal(usageChunk, undefined);
  }
});

test('whole answers translate both ways with tool calls and usage', () => {
  const completion = {
    id: 'chatcmpl-x', object: 'chat.completion', created: 7, model: 'm',
    choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Running it', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"make"}' } }] } }],
    usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 },
  };
  const response: any = eventsToResponse(chatCompletionToEvents(completion), { id: 'resp_x', model: 'm', createdAt: 7 });
  assert.equal(response.status, 'completed');
  assert.deepEqual(response.output.map((o: any) => o.type), ['message', 'function_call']);
  assert.equal(response.output[1].arguments, '{"cmd":"make"}');
  assert.equal(response.usage.total_tokens, 39);
  const back: any = eventsToChatCompletion(responseToEvents(response), { id: 'chatcmpl-y', model: 'm', created: 7 });
  assert.equal(back.choices[0].message.content, 'Running it');
  assert.equal(back.choices[0].message.tool_calls[0].function.arguments, '{"cmd":"make"}');
  assert.equal(back.choices[0].finish_reason, 'tool_calls');
  assert.equal(back.usage.prompt_tokens, 30);
  const truncated: any = eventsToResponse(chatCompletionToEvents({ ...completion, choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'cut' } }] }), { id: 'r', model: 'm', createdAt: 1 });
  assert.equal(truncated.status, 'incomplete');
  assert.equal(truncated.incomplete_details.reason, 'max_output_tokens');
});
