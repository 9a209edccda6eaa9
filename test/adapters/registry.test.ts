// The registry ties each format to its channel type and paths, and a translation through it is a
// decode with one adapter and an encode with another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL_TYPES } from '../../src/store/catalog-store.ts';
import { adapterFor, adapterForChannelType, UPSTREAM_PREFERENCE, WIRE_FORMATS } from '../../src/adapters/registry.ts';

test('every format has an adapter, a channel type and an upstream order starting with itself', () => {
  assert.deepEqual(WIRE_FORMATS.map((format) => adapterFor(format).channelType).sort(), [...CHANNEL_TYPES].sort());
  for (const format of WIRE_FORMATS) {
    assert.equal(adapterFor(format).format, format);
    assert.equal(adapterForChannelType(adapterFor(format).channelType), adapterFor(format));
    assert.equal(UPSTREAM_PREFERENCE[format][0], format);
    assert.deepEqual([...UPSTREAM_PREFERENCE[format]].sort(), [...WIRE_FORMATS].sort());
  }
});

test('a chat request translated for an Anthropic upstream and one for a Responses upstream', () => {
  const body = { model: 'm', stream: true, messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }], temperature: 1.5, stop: 'END', tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: 'required', parallel_tool_calls: false };
  const request = adapterFor('chat').decodeRequest(body);
  const anthropic = adapterFor('anthropic').encodeRequest(request, []);
  assert.equal(anthropic.temperature, 1);
  assert.equal(anthropic.max_tokens, 8192);
  assert.deepEqual(anthropic.stop_sequences, ['END']);
  assert.deepEqual(anthropic.tool_choice, { type: 'any', disable_parallel_tool_use: true });
  assert.equal(anthropic.system[0].text, 'S', 'the system prompt, marked as a cache breakpoint');
  const responses = adapterFor('responses').encodeRequest(request, []);
  assert.equal(responses.store, false);
  assert.equal(responses.stop, undefined, 'Responses has no stop sequences');
  assert.equal(responses.tool_choice, 'required');
  assert.deepEqual(responses.tools, [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }]);
});

test('an Anthropic request translated for a chat upstream asks for the usage chunk when it streams', () => {
  const body = { model: 'm', max_tokens: 50, stream: true, system: 'S', messages: [{ role: 'user', content: 'hi' }], metadata: { user_id: 'u' } };
  const chat = adapterFor('chat').encodeRequest(adapterFor('anthropic').decodeRequest(body), []);
  assert.deepEqual(chat, { model: 'm', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }], user: 'u', max_tokens: 50, stream: true, stream_options: { include_usage: true } });
});

test('the client adapter refuses what a translation could only answer with another shape, naming the upstream', () => {
  assert.throws(() => adapterFor('chat').refuseTranslation({ n: 2 }, adapterFor('anthropic')), (err: any) => err.status === 501 && err.code === 'n_not_supported' && /an Anthropic upstream/.test(err.message));
  assert.throws(() => adapterFor('responses').refuseTranslation({ background: true }, adapterFor('chat')), (err: any) => err.code === 'background_not_supported');
  assert.doesNotThrow(() => adapterFor('chat').refuseTranslation({ n: 1 }, adapterFor('responses')));
});

test('a Responses client answered from a chat upstream gets its custom tools back as custom_tool_call', () => {
  const body = { model: 'm', input: 'patch it', tools: [{ type: 'custom', name: 'apply_patch' }], instructions: 'I' };
  const request = adapterFor('responses').decodeRequest(body);
  const events = adapterFor('chat').decodeAnswer({ id: 'c', choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' } }] }, finish_reason: 'tool_calls' }] });
  const answer: any = adapterFor('responses').answerEncoder({ body, request, model: 'alias' }).whole(events);
  assert.equal(answer.model, 'alias');
  assert.equal(answer.instructions, 'I', 'request fields are echoed');
  assert.deepEqual([answer.output[0].type, answer.output[0].input], ['custom_tool_call', '*** Begin Patch']);
});
