// Routes clients find by convention, driven by the real `openai` client: models.retrieve() under
// /v1 and /compact/v1 (404 in the OpenAI shape for unknown, hidden or disabled models), the model
// list hiding models whose channels are all disabled, responses.compact() with the /compact/v1 base
// URL, and the headers that go with 503 (`Retry-After`) and 405 (`Allow`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

describe('model routes and method/availability headers', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;
  let prefixed: OpenAI;

  before(async () => {
    upstream = await startUpstreamEmulator({ port: 0, models: ['gpt-4o-mini', 'org/model-with-slash', 'parked-model'] });
    relay = await startTestRelay({
      channels: [
        { name: 'live', baseUrl: upstream.url, models: ['gpt-4o-mini', 'org/model-with-slash'] },
        { name: 'parked', baseUrl: upstream.url, models: ['parked-model'], enabled: false },
      ],
    });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
    prefixed = new OpenAI({ apiKey: relay.key, baseURL: `${relay.url}/compact/v1`, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('models.retrieve() answers a served model under /v1 and /compact/v1, ids with a slash too', async () => {
    for (const c of [client, prefixed]) {
      const model = await c.models.retrieve('gpt-4o-mini');
      assert.equal(model.id, 'gpt-4o-mini');
      assert.equal(model.object, 'model');
      assert.equal(typeof model.created, 'number');
      assert.equal(typeof model.owned_by, 'string');
    }
    const slashed = await client.models.retrieve('org/model-with-slash');
    assert.equal(slashed.id, 'org/model-with-slash');
  });

  test('an unknown model id is a 404 in the OpenAI error shape', async () => {
    await assert.rejects(client.models.retrieve('no-such-model'), (err: any) => {
      assert.equal(err.status, 404);
      assert.deepEqual(Object.keys(err.error).sort(), ['code', 'message', 'param', 'type']);
      assert.equal(err.error.code, 'model_not_found');
      assert.match(err.error.message, /no-such-model/);
      return true;
    });
  });

  test('a model whose channels are all disabled is neither listed nor retrievable; a 503 says when to retry', async () => {
    const listed = (await client.models.list()).data.map((m) => m.id);
    assert.deepEqual(listed.sort(), ['gpt-4o-mini', 'org/model-with-slash']);
    await assert.rejects(client.models.retrieve('parked-model'), (err: any) => err.status === 404);
    const answer = await fetch(`${relay.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'parked-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(answer.status, 503);
    assert.ok(Number(answer.headers.get('retry-after')) >= 1, `retry-after: ${answer.headers.get('retry-after')}`);
  });

  test('responses.compact() works with the /compact/v1 base URL', async () => {
    const input = Array.from({ length: 6 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: ${'details '.repeat(40)}` }));
    const compacted: any = await prefixed.responses.compact({ model: 'gpt-4o-mini', input } as any);
    assert.equal(compacted.object, 'response.compaction');
    assert.ok(Array.isArray(compacted.output) && compacted.output.length > 0);
  });

  test('a wrong method is a 405 with Allow naming the methods the path takes', async () => {
    for (const [method, path, allow] of [['DELETE', '/v1/chat/completions', 'POST'], ['POST', '/v1/models', 'GET'], ['PUT', '/v1/models/gpt-4o-mini', 'GET']]) {
      const answer = await fetch(relay.url + path, { method, headers: { authorization: `Bearer ${relay.key}` } });
      assert.equal(answer.status, 405, `${method} ${path}`);
      assert.equal(answer.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal(((await answer.json()) as any).error.code, 'method_not_allowed');
    }
  });
});
