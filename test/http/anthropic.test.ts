// The official Anthropic SDK through the relay: messages create and stream, tool use and tool
// results, the key sent as x-api-key, served by a Chat Completions or a Responses upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

describe('Anthropic Messages clients', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: Anthropic;

  before(async () => {
    upstream = await startUpstreamEmulator({ models: ['deepseek-chat', 'gpt-5.5'] });
    relay = await startTestRelay({
      channels: [
        { name: 'chat', type: 'openai-chat', baseUrl: upstream.url, models: ['deepseek-chat'] },
        { name: 'resp', type: 'openai-responses', baseUrl: upstream.url, models: ['gpt-5.5'] },
      ],
    });
    client = new Anthropic({ apiKey: relay.key, baseURL: relay.url, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('messages.create on a chat upstream: system, text answer, usage, x-api-key auth', async () => {
    upstream.script([{ text: 'Hello from the model', usage: { input: 42, output: 5 } }]);
    const message = await client.messages.create({ model: 'deepseek-chat', max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello' }] });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.deepEqual(message.content, [{ type: 'text', text: 'Hello from the model' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, 42);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.deepEqual(sent.body.messages[0], { role: 'system', content: 'Be brief.' });
    assert.equal(sent.body.max_tokens, 200);
    assert.equal(sent.headers.authorization, undefined, 'the client key is not forwarded');
  });

  test('tool use round trip on a Responses upstream', async () => {
    upstream.script([{ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}', callId: 'call_w1' }] }]);
    const tools = [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    const first = await client.messages.create({ model: 'gpt-5.5', max_tokens: 100, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    assert.deepEqual(use.input, { city: 'Paris' });
    assert.equal(upstream.requests.at(-1)!.body.tools[0].name, 'get_weather');
    const second = await client.messages.create({
      model: 'gpt-5.5',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny, 21°C' }] },
      ],
    });
    assert.equal(second.content[0].type, 'text');
    const input = upstream.requests.at(-1)!.body.input;
    assert.deepEqual(input.map((i: any) => i.type), ['message', 'function_call', 'function_call_output']);
    assert.equal(input[2].output, 'Sunny, 21°C');
  });

  test('streaming: text deltas and the final message with usage', async () => {
    upstream.script([{ text: 'Streaming works fine', usage: { input: 10, output: 4 } }]);
    const stream = client.messages.stream({ model: 'deepseek-chat', max_tokens: 50, messages: [{ role: 'user', content: 'stream' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    assert.equal(text, 'Streaming works fine');
    assert.equal(final.usage.output_tokens, 4);
    assert.equal(final.stop_reason, 'end_turn');
    const rows = await relay.usageRows(1);
    assert.equal(rows[0].endpoint, '/v1/messages');
    assert.equal(rows[0].streamed, 1);
    assert.equal(rows[0].input_tokens, 10);
  });

  test('count_tokens without an Anthropic channel is counted by the relay with o200k and says so', async () => {
    const short = await client.messages.countTokens({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello' }] });
    const long = await client.messages.countTokens({ model: 'deepseek-chat', system: 'You are terse.', messages: [{ role: 'user', content: 'Hello '.repeat(200) }] });
    assert.ok(short.input_tokens > 0 && short.input_tokens < 20, `${short.input_tokens}`);
    assert.ok(long.input_tokens > 200 && long.input_tokens < 260, `${long.input_tokens}`);
    const { response } = await client.messages.countTokens({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    assert.match(response.headers.get('x-token-count') ?? '', /estimate/);
  });

  test('errors reach the Anthropic SDK with their status', async () => {
    await assert.rejects(client.messages.create({ model: 'unknown-model', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (err: any) => err.status === 404);
    const raw = await fetch(`${relay.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': relay.key, 'content-type': 'application/json' }, body: '{"model":"deepseek-chat","messages":"nope"}' });
    const body: any = await raw.json();
    assert.equal(raw.status, 400);
    assert.equal(body.type, 'error', 'Anthropic\'s error envelope');
    assert.deepEqual([body.error.type, body.error.param], ['invalid_request_error', 'messages'], 'and OpenAI\'s fields inside it');
    assert.match(body.error.message, /"messages" must be an array/);
    const bad = new Anthropic({ apiKey: 'sk-cr-wrong', baseURL: relay.url, maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'deepseek-chat', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (err: any) => err.status === 401);
  });
});
