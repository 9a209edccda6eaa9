// Responses state on upstreams that keep none, through the real `openai` client: answers the relay
// served by translating from a Chat-only or an Anthropic upstream are kept per key, so
// `previous_response_id` and `item_reference` items (what the AI SDK sends for earlier turns)
// resolve there; what cannot be resolved is a clear 400, another key's items never resolve, and
// `store: false` keeps nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

/** Everything the upstream was sent, as text, whatever its wire format. */
const sentText = (u: UpstreamEmulator) => JSON.stringify(u.requests.at(-1)!.body);

describe('Responses state on stateless upstreams', () => {
  let chat: UpstreamEmulator;
  let claude: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;
  let other: OpenAI;

  before(async () => {
    chat = await startUpstreamEmulator({ mode: 'chat-only', models: ['chat-model'] });
    claude = await startUpstreamEmulator({ mode: 'anthropic', models: ['claude-model'] });
    relay = await startTestRelay({
      channels: [
        { name: 'chat', type: 'openai-chat', baseUrl: chat.url, models: ['chat-model'] },
        { name: 'claude', type: 'anthropic', baseUrl: claude.url, models: ['claude-model'] },
      ],
    });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
    other = new OpenAI({ apiKey: await relay.addKey('other-key', 'default'), baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await Promise.all([chat.close(), claude.close()]);
  });

  for (const [label, model, upstream] of [['a Chat-only', 'chat-model', () => chat], ['an Anthropic', 'claude-model', () => claude]] as const) {
    test(`previous_response_id on ${label} upstream: the earlier turns reach the upstream`, async () => {
      upstream().script([{ text: 'Nice to meet you, Ada.' }]);
      const first = await client.responses.create({ model, input: 'My name is Ada.' });
      upstream().script([{ text: 'Your name is Ada.' }]);
      const { data: second, response: raw } = await client.responses.create({ model, input: 'What is my name?', previous_response_id: first.id }).withResponse();
      assert.equal(second.previous_response_id, first.id);
      assert.doesNotMatch(raw.headers.get('x-relay-dropped-params') ?? '', /previous_response_id/, 'honoured, so not reported as dropped');
      const sent = sentText(upstream());
      assert.match(sent, /My name is Ada\./);
      assert.match(sent, /Nice to meet you, Ada\./);
      assert.match(sent, /What is my name\?/);
      upstream().script([{ text: 'Still Ada.' }]);
      await client.responses.create({ model, input: 'Sure?', previous_response_id: second.id });
      assert.match(sentText(upstream()), /My name is Ada\.[\s\S]*Nice to meet you[\s\S]*What is my name[\s\S]*Your name is Ada[\s\S]*Sure\?/, 'the whole chain, in order');
    });

    test(`item_reference on ${label} upstream: the referenced item is sent, not dropped`, async () => {
      upstream().script([{ text: 'The answer is 42.' }]);
      const first = await client.responses.create({ model, input: 'What is the answer?' });
      const assistantItem = first.output.find((o) => o.type === 'message')!;
      await client.responses.create({
        model,
        input: [{ role: 'user', content: 'What is the answer?' }, { type: 'item_reference', id: assistantItem.id }, { role: 'user', content: 'Why?' }] as any,
      });
      assert.match(sentText(upstream()), /The answer is 42\.[\s\S]*Why\?/);
    });
  }

  test('a streamed answer is kept too, and a tool round trip continues by previous_response_id', async () => {
    chat.script([{ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] }]);
    const stream = client.responses.stream({
      model: 'chat-model',
      input: 'Weather in Paris?',
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
    });
    const first = await stream.finalResponse();
    const call = first.output.find((o) => o.type === 'function_call') as any;
    chat.script([{ text: 'It is sunny in Paris.' }]);
    const second = await client.responses.create({ model: 'chat-model', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }] });
    assert.equal(second.output_text, 'It is sunny in Paris.');
    const messages = chat.requests.at(-1)!.body.messages;
    assert.equal(messages.find((m: any) => m.tool_calls)?.tool_calls[0].id, call.call_id, 'the call and its result are paired upstream');
  });

  test('what cannot be resolved is a 400 that names it, and calls no upstream', async () => {
    const calls = chat.requests.length;
    await assert.rejects(client.responses.create({ model: 'chat-model', input: 'x', previous_response_id: 'resp_unknown' }), (err: any) => err.status === 400 && err.code === 'previous_response_not_found' && err.param === 'previous_response_id');
    await assert.rejects(client.responses.create({ model: 'chat-model', input: [{ type: 'item_reference', id: 'msg_unknown' }] as any }), (err: any) => err.status === 400 && err.code === 'item_not_found' && err.param === 'input[0]');
    assert.equal(chat.requests.length, calls);
  });

  test('a key never resolves another key\'s responses or items', async () => {
    chat.script([{ text: 'secret plans' }]);
    const mine = await client.responses.create({ model: 'chat-model', input: 'Remember the plans.' });
    const item = mine.output.find((o) => o.type === 'message')!;
    await assert.rejects(other.responses.create({ model: 'chat-model', input: 'x', previous_response_id: mine.id }), (err: any) => err.status === 400 && err.code === 'previous_response_not_found');
    await assert.rejects(other.responses.create({ model: 'chat-model', input: [{ type: 'item_reference', id: item.id }] as any }), (err: any) => err.status === 400 && err.code === 'item_not_found');
  });

  test('/v1/responses/compact continues from previous_response_id too, and refuses one it cannot find', async () => {
    chat.script([{ text: 'Hello Grace.' }]);
    const first = await client.responses.create({ model: 'chat-model', input: 'My name is Grace and I fix parsers.' });
    const compacted: any = await client.responses.compact({ model: 'chat-model', previous_response_id: first.id, input: [{ role: 'user', content: 'Go on.' }] } as any);
    const texts = compacted.output.flatMap((o: any) => o.content.map((c: any) => c.text));
    assert.ok(texts.includes('My name is Grace and I fix parsers.'), 'the earlier turn is part of what was compacted');
    await assert.rejects(client.responses.compact({ model: 'chat-model', previous_response_id: 'resp_unknown', input: 'x' } as any), (err: any) => err.status === 400 && err.code === 'previous_response_not_found');
  });

  test('through the /compact/v1 prefix too: the history is rebuilt once, before it is compacted', async () => {
    const prefixed = new OpenAI({ apiKey: relay.key, baseURL: `${relay.url}/compact/v1`, maxRetries: 0 });
    chat.script([{ text: 'Hello Linus.' }]);
    const first = await prefixed.responses.create({ model: 'chat-model', input: 'My name is Linus.' });
    chat.script([{ text: 'Linus.' }]);
    await prefixed.responses.create({ model: 'chat-model', input: 'Who am I?', previous_response_id: first.id });
    const sent = sentText(chat);
    assert.equal(sent.split('My name is Linus.').length - 1, 1, 'the earlier turn appears once');
    assert.match(sent, /Hello Linus\.[\s\S]*Who am I\?/);
  });

  test('store: false keeps nothing', async () => {
    const unkept = await client.responses.create({ model: 'chat-model', input: 'Forget this.', store: false });
    await assert.rejects(client.responses.create({ model: 'chat-model', input: 'x', previous_response_id: unkept.id }), (err: any) => err.status === 400 && err.code === 'previous_response_not_found');
  });
});
