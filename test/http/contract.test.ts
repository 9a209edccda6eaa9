// Contract tests: the relay driven by the real `openai` client in front of the upstream emulator,
// checking what the client gets, what the upstream received, and the usage rows written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

describe('relay pass-through with the openai client', () => {
  let upstream: UpstreamEmulator;
  let responsesUpstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;

  before(async () => {
    upstream = await startUpstreamEmulator({ port: 0, apiKey: 'upstream-secret', models: ['gpt-4o-mini', 'gpt-4o'] });
    responsesUpstream = await startUpstreamEmulator({ port: 0, apiKey: 'upstream-secret-2', models: ['gpt-5.5'] });
    relay = await startTestRelay({
      channels: [
        { name: 'chat-up', type: 'openai-chat', baseUrl: upstream.url, apiKey: 'upstream-secret', models: ['gpt-4o-mini', 'gpt-4o'], options: { aliases: { 'mini-alias': 'gpt-4o-mini' } } },
        { name: 'resp-up', type: 'openai-responses', baseUrl: responsesUpstream.url, apiKey: 'upstream-secret-2', models: ['gpt-5.5'] },
      ],
    });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
    await responsesUpstream.close();
  });

  test('chat completion: answer, upstream call with the channel key, usage row with upstream tokens', async () => {
    upstream.reset();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0.2, user_tag: 'kept' } as any);
    assert.equal(completion.object, 'chat.completion');
    assert.ok(completion.choices[0].message.content);
    const seen = upstream.requests.at(-1)!;
    assert.equal(seen.path, '/v1/chat/completions');
    assert.equal(seen.headers.authorization, 'Bearer upstream-secret');
    assert.equal(seen.body.user_tag, 'kept', 'unknown fields pass through');
    assert.equal(seen.body.temperature, 0.2);
    const [row] = await relay.usageRows(1);
    assert.equal(row.endpoint, '/v1/chat/completions');
    assert.equal(row.status, 200);
    assert.equal(row.channel, 'chat-up');
    assert.equal(row.key_name, 'test-key');
    assert.equal(row.input_tokens, completion.usage!.prompt_tokens);
    assert.equal(row.output_tokens, completion.usage!.completion_tokens);
    assert.ok(row.input_tokens > 0);
  });

  test('chat stream: chunks arrive, usage is tapped even though the client did not ask for it', async () => {
    const before = (await relay.usageRows(0)).length;
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream please' }], stream: true });
    let text = '';
    let sawUsageChunk = false;
    for await (const chunk of stream) {
      if (chunk.choices.length === 0) sawUsageChunk = true;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.ok(text.length > 0);
    assert.equal(sawUsageChunk, false, 'the usage chunk the relay asked for is not shown to a client that did not ask');
    assert.equal(upstream.requests.at(-1)!.body.stream_options?.include_usage, true);
    const rows = await relay.usageRows(before + 1);
    assert.equal(rows[0].streamed, 1);
    assert.equal(rows[0].status, 200, 'a client closing after [DONE] is a completed request, not a 499');
    assert.ok(rows[0].output_tokens > 0);
    assert.ok(rows[0].ttfb_ms !== null);
  });

  test('chat stream with include_usage: the client gets the usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    assert.ok(usage && usage.total_tokens > 0);
  });

  test('model alias: the client name is sent upstream as the upstream name', async () => {
    await client.chat.completions.create({ model: 'mini-alias', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(upstream.requests.at(-1)!.body.model, 'gpt-4o-mini');
  });

  test('x-api-key is accepted instead of Bearer', async () => {
    const viaHeader = new OpenAI({ apiKey: 'ignored', baseURL: relay.baseURL, maxRetries: 0, defaultHeaders: { authorization: null as any, 'x-api-key': relay.key } });
    const completion = await viaHeader.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(completion.choices[0].message.content);
  });

  test('responses create and stream', async () => {
    const response = await client.responses.create({ model: 'gpt-5.5', input: 'Tell me something' });
    assert.equal(response.object, 'response');
    assert.ok(response.output_text.length > 0);
    assert.equal(responsesUpstream.requests.at(-1)!.headers.authorization, 'Bearer upstream-secret-2');
    const stream = await client.responses.create({ model: 'gpt-5.5', input: 'Stream it', stream: true });
    const types: string[] = [];
    let completed: any;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.equal(types[0], 'response.created');
    assert.ok(types.includes('response.output_text.delta'));
    assert.ok(completed.usage.total_tokens > 0);
    const rows = await relay.usageRows(2);
    const streamed = rows.find((r) => r.endpoint === '/v1/responses' && r.streamed === 1);
    assert.equal(streamed?.output_tokens, completed.usage.output_tokens);
  });

  test('models list shows only what the key\'s group may use', async () => {
    const all = await client.models.list();
    assert.deepEqual(all.data.map((m) => m.id).sort(), ['gpt-4o', 'gpt-4o-mini', 'gpt-5.5', 'mini-alias']);
    const limitedKey = await relay.addKey('limited', 'mini-only', ['gpt-4o-mini']);
    const limited = new OpenAI({ apiKey: limitedKey, baseURL: relay.baseURL, maxRetries: 0 });
    const models = await limited.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['gpt-4o-mini']);
    await assert.rejects(limited.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), (err: any) => {
      assert.equal(err.status, 403);
      assert.equal(err.error.type, 'permission_error');
      assert.match(err.message, /mini-only/);
      return true;
    });
  });
});
