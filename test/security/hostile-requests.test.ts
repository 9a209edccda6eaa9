// Ambiguous and hostile requests: a field the relay decides on written twice is a 400 naming it
// (never authorized on one copy and forwarded with both), malformed bodies that used to crash a
// decoder are a 400 naming the field, and upstream error messages reach clients with the
// channel's key and anything credential-like redacted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { request } from 'undici';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { scanJsonObject } from '../../src/http/json-structure.ts';

const CHANNEL_KEY = 'ck-live-0123456789abcdef';

describe('hostile request bodies', () => {
  let chatUp: UpstreamEmulator;
  let anthUp: UpstreamEmulator;
  let relay: TestRelay;
  let limitedKey: string;

  before(async () => {
    chatUp = await startUpstreamEmulator({ mode: 'chat-only', apiKey: CHANNEL_KEY });
    anthUp = await startUpstreamEmulator({ mode: 'anthropic' });
    relay = await startTestRelay({
      channels: [
        { name: 'chat', type: 'openai-chat', baseUrl: chatUp.url, apiKey: CHANNEL_KEY, models: ['cheap', 'expensive'] },
        { name: 'anth', type: 'anthropic', baseUrl: anthUp.url, models: ['claude-x'] },
      ],
      config: { retries: 0 },
    });
    limitedKey = await relay.addKey('limited', 'cheap-only', ['cheap', 'claude-x']);
  });

  after(async () => {
    await relay.close();
    await chatUp.close();
    await anthUp.close();
  });

  const post = async (path: string, text: string, key = limitedKey) => {
    const response = await request(`${relay.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: text });
    const body = await response.body.text();
    return { status: response.statusCode, error: response.statusCode >= 400 ? JSON.parse(body).error : undefined, body };
  };

  test('a field the relay decides on, written twice, is a 400 naming it and is never forwarded', async () => {
    chatUp.reset();
    const messages = '"messages":[{"role":"user","content":"hi"}]';
    for (const [text, field] of [
      [`{"model":"expensive","model":"cheap",${messages}}`, 'model'],
      [`{"mod\\u0065l":"expensive","model":"cheap",${messages}}`, 'model'],
      [`{"model":"cheap","stream":false,${messages},"stream":true}`, 'stream'],
      [`{"model":"cheap",${messages},${messages}}`, 'messages'],
    ]) {
      const { status, error } = await post('/v1/chat/completions', text);
      assert.equal(status, 400, text);
      assert.equal(error.code, 'duplicate_field');
      assert.equal(error.param, field);
    }
    assert.equal(chatUp.requests.length, 0, 'nothing reached the upstream');
    const nested = await post('/v1/chat/completions', `{"model":"cheap","metadata":{"a":"1"},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"model":{"type":"string"}},"model":1}}}],${messages}}`);
    assert.equal(nested.status, 200, 'the same name at other levels is fine');
  });

  test('malformed bodies that crashed a decoder are a 400 naming the field', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const cases: [path: string, body: string, param: string | null][] = [
      ['/v1/chat/completions', JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, tool_calls: [null] }] }), 'messages[1].tool_calls[0]'],
      ['/v1/chat/completions', JSON.stringify({ model: 'claude-x', messages: [{ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: { toString: 1 }, arguments: '{}' } }] }] }), 'messages[0].tool_calls[0].function.name'],
      ['/v1/chat/completions', JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: [null] }] }), 'messages[0].content[0]'],
      ['/v1/chat/completions', JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: [[{ type: 'text', text: 'x' }]] }] }), 'messages[0].content[0]'],
      ['/v1/chat/completions', JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'x' }], tools: [null] }), 'tools[0]'],
      ['/v1/chat/completions', `{"model":"cheap","stream":true,"messages":[{"role":"user","content":"x"}],"metadata":${deep}}`, null],
      ['/v1/responses', JSON.stringify({ model: 'claude-x', input: [{ type: 'custom_tool_call', call_id: 'c', name: 'apply_patch', input: { toString: 1 } }] }), 'input[0].input'],
      ['/v1/responses', JSON.stringify({ model: 'claude-x', input: [{ role: 'user', content: [{ type: 'input_text', text: { valueOf: 1 } }] }] }), 'input[0].content[0].text'],
      ['/v1/responses/compact', JSON.stringify({ model: 'claude-x', input: [{ role: 'user', content: 'x' }, { type: 'reasoning', summary: [7] }] }), 'input[1].summary[0]'],
      ['/v1/messages', JSON.stringify({ model: 'cheap', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: { toString: 1 }, data: 'AA==' } }] }] }), 'messages[0].content[0].source.media_type'],
      ['/v1/messages', JSON.stringify({ model: 'cheap', max_tokens: 5, system: { text: 'x' }, messages: [{ role: 'user', content: 'x' }] }), 'system'],
    ];
    for (const [path, body, param] of cases) {
      const { status, error } = await post(path, body);
      assert.equal(status, 400, `${path} ${body.slice(0, 160)} → ${status} ${JSON.stringify(error)}`);
      assert.equal(error.param, param, body.slice(0, 160));
    }
    const alive = await post('/v1/chat/completions', JSON.stringify({ model: 'cheap', messages: [{ role: 'user', content: 'still fine?' }] }));
    assert.equal(alive.status, 200);
  });

  test('upstream error messages reach the client with the channel key and credentials redacted', async () => {
    const client = new OpenAI({ apiKey: limitedKey, baseURL: relay.baseURL, maxRetries: 0 });
    const leaky = `Key ${CHANNEL_KEY} rejected for org; also saw AKIAIOSFODNN7EXAMPLE and sk-proj-abcdefghijklmnopqrstuv in the request`;
    chatUp.script([{ status: 400, error: { message: leaky } }, { status: 500, error: { message: leaky } }]);
    for (const expected of [400, 502]) {
      const err: any = await client.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: 'x' }] }).then(() => assert.fail('accepted'), (e) => e);
      assert.equal(err.status, expected);
      const text = JSON.stringify(err.error);
      assert.ok(!text.includes(CHANNEL_KEY), text);
      assert.ok(!text.includes('AKIAIOSFODNN7EXAMPLE') && !text.includes('sk-proj-abcdefghijklmnopqrstuv'), text);
      assert.match(text, /redacted/);
    }
  });

  test('an error event inside a stream passed on as it arrives is redacted', async () => {
    const leak = `quota of ${CHANNEL_KEY} exhausted; token=hunter2hunter2`;
    const chunk = (delta: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: delta } }] })}\n\n`;
    chatUp.script([{ rawContentType: 'text/event-stream', rawBody: chunk('partial answer') + `data: ${JSON.stringify({ error: { message: leak, code: 'quota' } })}\n\n` }]);
    const response = await request(`${relay.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${limitedKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cheap', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }),
    });
    const text = await response.body.text();
    assert.ok(!text.includes(CHANNEL_KEY) && !text.includes('hunter2hunter2'), text);
    assert.match(text, /redacted/);
  });

  test('an error event inside a translated stream is redacted too', async () => {
    await relay.addChannel({ name: 'chat-for-responses', type: 'openai-chat', baseUrl: chatUp.url, apiKey: CHANNEL_KEY, models: ['cheap-translated'] });
    await relay.relay.catalogStore.upsertGroup('cheap-only', ['cheap', 'claude-x', 'cheap-translated']);
    await relay.relay.catalog.refresh();
    chatUp.script([{ rawContentType: 'text/event-stream', rawBody: `data: ${JSON.stringify({ error: { message: `quota of ${CHANNEL_KEY} exhausted; token=hunter2hunter2`, code: 'quota' } })}\n\n` }]);
    const response = await request(`${relay.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${limitedKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cheap-translated', input: 'x', stream: true }),
    });
    const text = await response.body.text();
    assert.match(text, /response\.failed|"error"/);
    assert.ok(!text.includes(CHANNEL_KEY) && !text.includes('hunter2hunter2'), text);
    assert.match(text, /redacted/);
  });
});

describe('the structure scan', () => {
  test('finds top-level duplicates however they are written, and nesting depth', () => {
    assert.equal(scanJsonObject('{"model":"a","x":{"model":1},"y":"\\"model\\":"}').duplicateKey, undefined);
    assert.equal(scanJsonObject('{"model":"a","mod\\u0065l":"b"}').duplicateKey, 'model');
    assert.equal(scanJsonObject('{"a\\\\":1,"a\\\\" :2}').duplicateKey, 'a\\');
    assert.equal(scanJsonObject('{"a":[[{"b":[]}]]}').depth, 5);
    assert.equal(scanJsonObject(`{"a":${'['.repeat(1000)}${']'.repeat(1000)}}`, 10).depth, 11, 'stops early');
  });
});
