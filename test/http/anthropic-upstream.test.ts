// An Anthropic channel behind the relay, with the emulator answering like Anthropic's Messages
// API: OpenAI Chat and Responses clients translated both ways (text, tools, streams, usage with
// cached tokens), the Anthropic SDK forwarded untouched with its usage tapped, the channel key sent
// as x-api-key with anthropic-version, and Anthropic's errors reaching OpenAI clients in OpenAI's shape.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

const CHANNEL_KEY = 'sk-ant-channel-key-for-tests-0001';

describe('an Anthropic upstream channel', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'anthropic', apiKey: CHANNEL_KEY, models: ['claude-relay-test'] });
    relay = await startTestRelay({
      channels: [{ name: 'claude', type: 'anthropic', baseUrl: upstream.url, apiKey: CHANNEL_KEY, models: ['claude-relay-test'], options: { aliases: { sonnet: 'claude-relay-test' } } }],
    });
    openai = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: relay.key, baseURL: relay.url, maxRetries: 0 });
  });

  beforeEach(() => upstream.reset());

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('chat completion: system prompt moved to `system`, max_tokens defaulted, key sent as x-api-key, usage with cache reads', async () => {
    upstream.script([{ text: 'Bonjour.', usage: { input: 1200, cached: 1000, output: 3 } }]);
    const completion = await openai.chat.completions.create({
      model: 'claude-relay-test',
      temperature: 1.6,
      stop: 'END',
      messages: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'Say hello' }],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0].message.content, 'Bonjour.');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.deepEqual([completion.usage?.prompt_tokens, completion.usage?.prompt_tokens_details?.cached_tokens, completion.usage?.completion_tokens], [1200, 1000, 3]);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], CHANNEL_KEY);
    assert.equal(sent.headers.authorization, undefined, 'neither the client key nor a Bearer header reaches Anthropic');
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    const cache = { type: 'ephemeral' };
    assert.deepEqual(sent.body.system, [{ type: 'text', text: 'Answer in French.', cache_control: cache }], 'the system prompt is a cache breakpoint');
    assert.deepEqual(sent.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Say hello', cache_control: cache }] }]);
    assert.equal(sent.body.max_tokens, 8192);
    assert.equal(sent.body.temperature, 1, 'OpenAI temperatures above 1 are clamped to Anthropic\'s range');
    assert.deepEqual(sent.body.stop_sequences, ['END']);
    const [row] = await relay.usageRows(1);
    assert.deepEqual([row.channel, row.status, row.input_tokens, row.cached_tokens, row.output_tokens], ['claude', 200, 1200, 1000, 3]);
  });

  test('chat tool calls both ways: tool_use comes back as tool_calls, tool results go in the next user turn', async () => {
    upstream.script([{ toolCalls: [{ name: 'read_file', arguments: '{"path":"src/a.ts"}', callId: 'call_r1' }] }, { text: 'The file exports one function.' }]);
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } }];
    const first = await openai.chat.completions.create({ model: 'claude-relay-test', max_tokens: 300, tools, tool_choice: 'required', parallel_tool_calls: false, messages: [{ role: 'user', content: 'What is in src/a.ts?' }] });
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.function.name, 'read_file');
    assert.deepEqual(JSON.parse(call.function.arguments), { path: 'src/a.ts' });
    const firstSent = upstream.requests.at(-1)!.body;
    assert.deepEqual(firstSent.tools, [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }, cache_control: { type: 'ephemeral' } }]);
    assert.deepEqual(firstSent.tool_choice, { type: 'any', disable_parallel_tool_use: true });
    assert.equal(firstSent.max_tokens, 300);
    const second = await openai.chat.completions.create({
      model: 'claude-relay-test',
      tools,
      messages: [
        { role: 'user', content: 'What is in src/a.ts?' },
        first.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: 'export function a() {}' },
        { role: 'user', content: 'Summarize it.' },
      ],
    });
    assert.equal(second.choices[0].message.content, 'The file exports one function.');
    const sent = upstream.requests.at(-1)!.body;
    assert.deepEqual(sent.messages[1], { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'read_file', input: { path: 'src/a.ts' } }] });
    assert.deepEqual(sent.messages[2], { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'export function a() {}' }, { type: 'text', text: 'Summarize it.', cache_control: { type: 'ephemeral' } }] });
  });

  test('chat stream: deltas, a tool call assembled from input_json_delta, usage chunk when asked for', async () => {
    upstream.script([{ text: 'Let me look.', toolCalls: [{ name: 'shell', arguments: '{"command":"ls -la"}' }], usage: { input: 50, output: 12 } }]);
    const stream = await openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: 'List files' }],
    });
    let text = '';
    let args = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      text += choice?.delta?.content ?? '';
      args += choice?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
      finish = choice?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Let me look.');
    assert.deepEqual(JSON.parse(args), { command: 'ls -la' });
    assert.equal(finish, 'tool_calls');
    assert.deepEqual([usage?.prompt_tokens, usage?.completion_tokens], [50, 12]);
    assert.equal(upstream.requests.at(-1)!.body.model, 'claude-relay-test', 'the alias is resolved for the upstream');
    const [row] = await relay.usageRows(1);
    assert.deepEqual([row.streamed, row.input_tokens, row.output_tokens], [1, 50, 12]);
  });

  test('responses: instructions, function and custom tools, stream with response.completed and real usage', async () => {
    upstream.script([{ toolCalls: [{ name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch"}' }], usage: { input: 900, output: 40 } }]);
    const stream = await openai.responses.create({
      model: 'claude-relay-test',
      instructions: 'You are a coding agent.',
      input: [{ role: 'user', content: 'Fix the bug.' }],
      tools: [
        { type: 'function', name: 'shell', parameters: { type: 'object', properties: { command: { type: 'string' } } }, strict: false },
        { type: 'custom', name: 'apply_patch', description: 'Apply a patch' },
      ],
      stream: true,
    });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    assert.ok(completed, 'the stream ends with response.completed');
    const call = completed.output.find((i) => i.type === 'custom_tool_call') as OpenAI.Responses.ResponseCustomToolCall;
    assert.equal(call?.name, 'apply_patch');
    assert.equal(call.input, '*** Begin Patch\n*** End Patch', 'a custom tool call comes back as its raw input');
    assert.deepEqual([completed.usage?.input_tokens, completed.usage?.output_tokens], [900, 40]);
    const sent = upstream.requests.at(-1)!.body;
    assert.equal(sent.system[0].text, 'You are a coding agent.');
    assert.deepEqual(sent.tools.map((t: any) => t.name), ['shell', 'apply_patch']);
    assert.deepEqual(sent.tools[1].input_schema.required, ['input']);
  });

  test('a translated agent session hits Anthropic\'s prompt cache from its second turn', async () => {
    const tools = [{ type: 'function' as const, name: 'shell', description: 'Runs a command in the sandbox.', parameters: { type: 'object', properties: { command: { type: 'string' } } }, strict: false }];
    const instructions = 'You are a coding agent. '.repeat(200);
    const turn1: any[] = [{ role: 'user', content: 'Run the tests.' }];
    upstream.script([{ toolCalls: [{ name: 'shell', arguments: '{"command":"npm test"}', callId: 'call_t1' }] }, { text: 'All green.' }]);
    const first = await openai.responses.create({ model: 'claude-relay-test', instructions, tools, input: turn1 });
    const call = first.output.find((i) => i.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await openai.responses.create({
      model: 'claude-relay-test',
      instructions,
      tools,
      input: [...turn1, { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: 'function_call_output', call_id: call.call_id, output: 'ok 42 tests passed\n'.repeat(50) }],
    });
    const marks = (body: any) => JSON.stringify(body).split('"cache_control"').length - 1;
    assert.deepEqual(upstream.requests.map((r) => marks(r.body)), [3, 4], 'tools, system and the last user turns carry breakpoints (at most four)');
    assert.equal(first.usage?.input_tokens_details.cached_tokens, 0, 'nothing cached on the first turn');
    const cached = second.usage!.input_tokens_details.cached_tokens;
    assert.ok(cached > 500 && cached < second.usage!.input_tokens, `the second turn reads the first turn's prefix from the cache: ${cached} of ${second.usage!.input_tokens}`);
    const [row] = await relay.usageRows(2);
    assert.equal(row.cached_tokens, cached, 'the usage row records the cache reads');
  });

  test('the Anthropic SDK is forwarded untouched, with its usage tapped from the stream', async () => {
    upstream.script([{ text: 'Plain pass-through.', usage: { input: 30, cached: 20, output: 4 } }]);
    const stream = anthropic.messages.stream({ model: 'claude-relay-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'anthropic-beta': 'context-management-2025-06-27' } });
    const message = await stream.finalMessage();
    assert.deepEqual(message.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['Plain pass-through.']);
    assert.equal(message.usage.output_tokens, 4);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.headers['anthropic-beta'], 'context-management-2025-06-27', 'beta flags reach Anthropic');
    assert.equal(sent.headers['x-api-key'], CHANNEL_KEY, 'the channel key replaces the client key');
    assert.deepEqual(sent.body, { model: 'claude-relay-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const [row] = await relay.usageRows(1);
    assert.deepEqual([row.endpoint, row.streamed, row.input_tokens, row.cached_tokens, row.output_tokens], ['/v1/messages', 1, 30, 20, 4]);
  });

  test('a stream Anthropic breaks off ends with an error event for both kinds of client, and the row says so', async () => {
    upstream.setFault({ kind: 'truncate-stream', afterEvents: 4, count: 2 });
    const sdkStream = anthropic.messages.stream({ model: 'claude-relay-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    await assert.rejects(sdkStream.finalMessage(), /broke off the stream/);
    const chat = await openai.chat.completions.create({ model: 'claude-relay-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    await assert.rejects(async () => {
      for await (const _chunk of chat) void _chunk;
    }, /broke off the stream/);
    const rows = await relay.usageRows(2);
    assert.deepEqual(rows.slice(0, 2).map((r) => r.error_code), ['upstream_stream_error', 'upstream_stream_error']);
  });

  test('count_tokens is asked of the Anthropic channel, with the channel key', async () => {
    const counted = await anthropic.messages.countTokens({ model: 'claude-relay-test', system: 'Be brief.', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages/count_tokens');
    assert.equal(sent.headers['x-api-key'], CHANNEL_KEY);
    const expected = Math.ceil((JSON.stringify(sent.body.messages) + JSON.stringify(sent.body.system)).length / 4);
    assert.equal(counted.input_tokens, expected, 'the upstream\'s own count reaches the client');
  });

  test('the Anthropic SDK lists the models of its group', async () => {
    const page = await anthropic.models.list();
    assert.deepEqual(page.data.map((m) => [m.id, m.type]), [['claude-relay-test', 'model'], ['sonnet', 'model']], 'aliases are models too');
    assert.equal(page.has_more, false);
  });

  test('an Anthropic 400 reaches an OpenAI client in OpenAI\'s shape with its message', async () => {
    upstream.script([{ status: 400, error: { message: 'prompt is too long: 210000 tokens > 200000 maximum' } }]);
    await assert.rejects(
      openai.chat.completions.create({ model: 'claude-relay-test', messages: [{ role: 'user', content: 'x' }] }),
      (err: any) => err.status === 400 && err.error?.type === 'invalid_request_error' && /prompt is too long/.test(err.message),
    );
  });

  test('an Anthropic 529 overload is retried, then reported as a 502', async () => {
    upstream.setFault({ kind: 'status', status: 529, count: 10 });
    await assert.rejects(openai.chat.completions.create({ model: 'claude-relay-test', messages: [{ role: 'user', content: 'x' }] }), (err: any) => err.status === 502 && /529/.test(err.message));
    upstream.setFault(null);
    assert.equal(upstream.requests.length, 3, 'the first attempt and two retries');
  });
});
