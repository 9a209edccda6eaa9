// Every error status the relay promises, each in the OpenAI error shape and naming the problem:
// 400, 401, 403, 404 (path and model), 413, 501, 502, 503, 504, and upstream 4xx passed through.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(relay: TestRelay, path: string, init: { method?: string; body?: string; key?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? relay.key}`;
  const response = await fetch(relay.url + path, { method: init.method ?? 'POST', headers, body: init.body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

function assertOpenAIError(answer: Answer, status: number, code: string | RegExp, message?: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.deepEqual(Object.keys(answer.body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof answer.body.error.message, 'string');
  if (typeof code === 'string') assert.equal(answer.body.error.code, code);
  else assert.match(String(answer.body.error.code), code);
  if (message) assert.match(answer.body.error.message, message);
}

const chatBody = (model = 'gpt-4o-mini') => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('errors in the OpenAI shape', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ port: 0, models: ['gpt-4o-mini', 'slow-model', 'only-responses'] });
    relay = await startTestRelay({
      config: { bodyLimitBytes: 4096, upstreamTimeoutMs: 30_000 },
      channels: [
        { name: 'main', type: 'openai-chat', baseUrl: upstream.url, models: ['gpt-4o-mini'] },
        { name: 'slow', type: 'openai-chat', baseUrl: upstream.url, models: ['slow-model'], options: { timeoutMs: 300 } },
        { name: 'resp', type: 'openai-responses', baseUrl: upstream.url, models: ['only-responses'] },
        { name: 'off', type: 'openai-chat', baseUrl: upstream.url, models: ['disabled-model'], enabled: false },
        { name: 'dead', type: 'openai-chat', baseUrl: 'http://127.0.0.1:1/v1', models: ['dead-model'] },
      ],
    });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('401 without a key and with an unknown key', async () => {
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: chatBody(), key: null }), 401, 'missing_api_key', /Authorization: Bearer/);
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: chatBody(), key: 'sk-cr-not-a-real-key' }), 401, 'invalid_api_key');
    assertOpenAIError(await call(relay, '/v1/models', { method: 'GET', key: null }), 401, 'missing_api_key');
  });

  test('401 for a revoked key, within the catalog refresh', async () => {
    const secret = await relay.addKey('short-lived', 'default');
    assert.equal((await call(relay, '/v1/models', { method: 'GET', key: secret })).status, 200);
    await relay.relay.catalogStore.revokeKey('short-lived');
    await relay.relay.catalog.refresh();
    assertOpenAIError(await call(relay, '/v1/models', { method: 'GET', key: secret }), 401, 'invalid_api_key', /revoked/);
  });

  test('403 for a model outside the key\'s group', async () => {
    const secret = await relay.addKey('narrow', 'narrow-group', ['only-responses']);
    const answer = await call(relay, '/v1/chat/completions', { body: chatBody(), key: secret });
    assertOpenAIError(answer, 403, 'model_not_allowed', /narrow-group/);
    assert.equal(answer.body.error.param, 'model');
  });

  test('404 for an unknown path and an unknown model', async () => {
    assertOpenAIError(await call(relay, '/v1/nothing-here', { body: '{}' }), 404, 'unknown_url', /\/v1\/nothing-here/);
    const answer = await call(relay, '/v1/chat/completions', { body: chatBody('gpt-imaginary') });
    assertOpenAIError(answer, 404, 'model_not_found', /gpt-imaginary/);
    assert.equal(answer.body.error.param, 'model');
  });

  test('400 for bad JSON and for a wrong shape, naming the field', async () => {
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: '{"model": ' }), 400, 'invalid_json', /not valid JSON/);
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: '[1,2]' }), 400, 'invalid_json', /JSON object/);
    const noMessages = await call(relay, '/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-4o-mini' }) });
    assertOpenAIError(noMessages, 400, 'missing_required_parameter', /messages/);
    assert.equal(noMessages.body.error.param, 'messages');
    const noModel = await call(relay, '/v1/chat/completions', { body: JSON.stringify({ messages: [] }) });
    assert.equal(noModel.body.error.param, 'model');
    const badStream = await call(relay, '/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: 'yes' }) });
    assertOpenAIError(badStream, 400, 'invalid_type', /stream/);
  });

  test('413 for a body over the configured limit', async () => {
    const big = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] });
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: big }), 413, 'request_too_large', /4096 bytes/);
  });

  test('400 when previous_response_id names a response this relay never served (on a Chat-only channel)', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', input: 'continue', previous_response_id: 'resp_123' });
    assertOpenAIError(await call(relay, '/v1/responses', { body }), 400, 'previous_response_not_found', /resp_123/);
  });

  test('503 when every channel of the model is disabled', async () => {
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: chatBody('disabled-model') }), 503, 'no_available_channel', /disabled-model/);
  });

  test('502 when the upstream fails or cannot be reached', async () => {
    upstream.setFault({ kind: 'status', status: 500, count: 3 });
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: chatBody() }), 502, 'upstream_error', /"main".*500/);
    upstream.setFault(null);
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: chatBody('dead-model') }), 502, 'upstream_unreachable', /"dead"/);
  });

  test('504 when the upstream does not answer in time', async () => {
    upstream.setFault({ kind: 'hang', count: 3 });
    const started = Date.now();
    assertOpenAIError(await call(relay, '/v1/chat/completions', { body: chatBody('slow-model') }), 504, 'upstream_timeout', /"slow"/);
    assert.ok(Date.now() - started < 5000, 'three attempts of 300 ms, then the 504');
    upstream.setFault(null);
  });

  test('an upstream 4xx reaches the client with its status and message', async () => {
    const client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'tool', tool_call_id: 'call_missing', content: 'orphan' }] }),
      (err: any) => {
        assert.equal(err.status, 400);
        assert.match(err.message, /call_missing|tool/);
        return true;
      },
    );
  });

  test('every rejected request of a known key leaves a usage row with its status and error code; anonymous ones leave none', async () => {
    const secret = await relay.addKey('rows', 'rows-group', ['gpt-4o-mini', 'disabled-model']);
    const sent = [
      await call(relay, '/v1/chat/completions', { body: '{"model":', key: secret }),
      await call(relay, '/v1/chat/completions', { body: chatBody('only-responses'), key: secret }),
      await call(relay, '/v1/chat/completions', { body: chatBody('disabled-model'), key: secret }),
    ];
    assert.deepEqual(sent.map((a) => a.status), [400, 403, 503]);
    const anonymous = await call(relay, '/v1/chat/completions', { body: chatBody(), key: null });
    assert.equal(anonymous.status, 401);
    const ids = sent.map((a) => a.headers.get('x-request-id'));
    const rows = (await relay.usageRows(3)).filter((r) => ids.includes(r.request_id));
    assert.deepEqual(rows.map((r) => r.status).sort(), [400, 403, 503]);
    assert.ok(rows.every((r) => r.key_name === 'rows' && r.error_code), 'each row names the key and the error');
    await new Promise((r) => setTimeout(r, 300));
    const after = await relay.usageRows(1);
    assert.ok(!after.some((r) => r.request_id === anonymous.headers.get('x-request-id')), 'no row for a request without a key');
  });
});
