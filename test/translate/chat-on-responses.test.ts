// A Chat Completions client in front of a Responses-only upstream: the request reaches the
// upstream as Responses input (system prompt as a message, tools, limits), and the answer comes
// back as chat.completion / chat.completion.chunk with tool calls and usage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

describe('chat clients on a Responses upstream', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'responses-only', models: ['gpt-5.5'] });
    relay = await startTestRelay({ channels: [{ name: 'responses', type: 'openai-responses', baseUrl: upstream.url, models: ['gpt-5.5'] }] });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }];

  test('whole answers: tool call out, tool result back in, usage kept', async () => {
    upstream.script([{ toolCalls: [{ name: 'read_file', arguments: '{"path":"a.ts"}', callId: 'call_r1' }], usage: { input: 80, output: 9 } }, { text: 'The file exports one function.', usage: { input: 120, output: 7 } }]);
    const first = await client.chat.completions.create({ model: 'gpt-5.5', max_tokens: 300, tools, messages: [{ role: 'system', content: 'Be exact.' }, { role: 'user', content: 'What is in a.ts?' }] });
    assert.equal(first.object, 'chat.completion');
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.function.name, 'read_file');
    assert.equal(first.usage!.prompt_tokens, 80);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.path, '/v1/responses');
    assert.equal(sent.body.max_output_tokens, 300);
    assert.equal(sent.body.tools[0].name, 'read_file');
    assert.deepEqual(sent.body.input[0], { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Be exact.' }] });
    const second = await client.chat.completions.create({
      model: 'gpt-5.5',
      tools,
      messages: [{ role: 'user', content: 'What is in a.ts?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'export function f() {}' }],
    });
    assert.equal(second.choices[0].message.content, 'The file exports one function.');
    const input = upstream.requests.at(-1)!.body.input;
    assert.deepEqual(input.map((i: any) => i.type), ['message', 'function_call', 'function_call_output']);
    assert.equal(input[2].call_id, call.id);
  });

  test('streams: chunks with the text, then the usage chunk when asked for', async () => {
    upstream.script([{ text: 'Streaming across formats works.', usage: { input: 30, output: 6 } }]);
    const stream = await client.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'go' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      text += chunk.choices[0]?.delta?.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Streaming across formats works.');
    assert.equal(finish, 'stop');
    assert.equal(usage?.completion_tokens, 6);
    const rows = await relay.usageRows(1);
    assert.equal(rows[0].output_tokens, 6);
    assert.equal(rows[0].status, 200);
  });
});
