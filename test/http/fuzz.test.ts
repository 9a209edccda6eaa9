// Fuzzed requests against a running relay: random paths, methods, headers and JSON bodies
// shaped like real requests. Every rejection must be an OpenAI-shaped 4xx; the relay never
// answers a 5xx of its own making and never crashes. (Upstream faults are excluded: the emulator
// behind it is healthy, so any 5xx would be the relay's.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { request } from 'undici';
import { startChatAndResponsesRig, type ChatAndResponsesRig, type TestRelay } from '../helpers/relay-harness.ts';

let relay: TestRelay;

let rig: ChatAndResponsesRig;

before(async () => {
  rig = await startChatAndResponsesRig({ recordLimit: 0 });
  relay = rig.relay;
});

after(() => rig.close());

const anyJson = fc.jsonValue({ maxDepth: 3 });
const message = fc.record({
  role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer', 'robot', 7),
  content: fc.oneof(fc.string(), anyJson, fc.constant(null)),
  tool_call_id: fc.option(fc.string(), { nil: undefined }),
  tool_calls: fc.option(fc.array(fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.string() }) }), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: ['role'] });
const item = fc.oneof(
  message,
  fc.record({ type: fc.constantFrom('function_call', 'function_call_output', 'reasoning', 'compaction', 'compaction_trigger', 'custom_tool_call', 'mystery'), call_id: fc.string(), output: anyJson, arguments: fc.string(), encrypted_content: fc.oneof(fc.string(), fc.constant('crseal1.AAAA')) }, { requiredKeys: ['type'] }),
  anyJson,
);
const body = fc.record({
  model: fc.oneof(fc.constantFrom('gpt-4o-mini', 'gpt-5.5', 'nope'), anyJson),
  messages: fc.oneof(fc.array(message, { maxLength: 4 }), anyJson),
  input: fc.oneof(fc.array(item, { maxLength: 4 }), fc.string(), anyJson),
  stream: fc.oneof(fc.boolean(), anyJson),
  instructions: fc.oneof(fc.string(), anyJson),
  max_tokens: fc.oneof(fc.integer(), anyJson),
}, { requiredKeys: [] });
const raw = fc.oneof(body.map((b) => JSON.stringify(b)), fc.string(), fc.constant(''), fc.constant('{"model":'), anyJson.map((v) => JSON.stringify(v)));
const path = fc.oneof(
  fc.constantFrom('/v1/chat/completions', '/v1/responses', '/v1/responses/compact', '/v1/messages', '/compact/v1/chat/completions', '/compact/v1/responses', '/v1/models', '/healthz'),
  fc.webPath().map((p) => p || '/'),
);

test('fuzzed requests: no relay-made 5xx, every error in the OpenAI shape', async () => {
  await fc.assert(
    fc.asyncProperty(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), raw, fc.constantFrom('bearer', 'x-api-key', 'none', 'wrong'), async (p, method, payload, auth) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth === 'bearer') headers.authorization = `Bearer ${relay.key}`;
      if (auth === 'x-api-key') headers['x-api-key'] = relay.key;
      if (auth === 'wrong') headers.authorization = 'Bearer sk-cr-wrong';
      const response = await request(relay.url + p, { method, headers, body: method === 'GET' ? undefined : payload, headersTimeout: 10_000, bodyTimeout: 10_000 });
      const text = await response.body.text();
      assert.ok(response.statusCode < 500, `${method} ${p} ${payload.slice(0, 200)} → ${response.statusCode} ${text.slice(0, 300)}`);
      if (response.statusCode >= 400) {
        const parsed = JSON.parse(text);
        assert.equal(typeof parsed.error?.message, 'string', text);
        assert.ok('type' in parsed.error && 'code' in parsed.error && 'param' in parsed.error, text);
      }
    }),
    { numRuns: 1500, seed: 7 },
  );
  const health = await request(relay.url + '/healthz');
  assert.equal(health.statusCode, 200, 'still alive');
  await health.body.dump();
});
