// A fuzz over body shapes: valid Chat, Responses and Anthropic bodies with one or two fields
// replaced by a wrong type (null, numbers, nested arrays, objects with a `toString` field, deep
// nesting), sent to every model route with channels of all three wire formats behind the relay.
// No answer may be a 5xx of the relay's making (the upstreams are healthy); every rejection is an
// OpenAI-shaped 4xx. It found the decoder crashes fixed with the body shape checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { request } from 'undici';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

let upstreams: UpstreamEmulator[];
let relay: TestRelay;

before(async () => {
  upstreams = await Promise.all((['chat-only', 'responses-only', 'anthropic'] as const).map((mode) => startUpstreamEmulator({ mode, recordLimit: 0 })));
  relay = await startTestRelay({
    channels: [
      { name: 'chat', type: 'openai-chat', baseUrl: upstreams[0].url, models: ['m-chat'] },
      { name: 'resp', type: 'openai-responses', baseUrl: upstreams[1].url, models: ['m-resp'] },
      { name: 'anth', type: 'anthropic', baseUrl: upstreams[2].url, models: ['m-anth'] },
    ],
  });
});

after(async () => {
  await relay.close();
  await Promise.all(upstreams.map((u) => u.close()));
});

const VALID = [
  {
    messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }, { role: 'user', content: 'go' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    max_tokens: 10,
  },
  {
    instructions: 'be brief',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }, { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'ok' }, { type: 'reasoning', summary: [{ type: 'summary_text', text: 'x' }] }, { type: 'custom_tool_call', call_id: 'c2', name: 'g', input: 'patch' }, { role: 'assistant', content: [{ type: 'output_text', text: 'done' }] }, { role: 'user', content: 'go' }],
    tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }, { type: 'custom', name: 'g' }],
  },
  {
    max_tokens: 10,
    system: [{ type: 'text', text: 'sys' }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }] }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA==' } }] }],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
  },
];

const ROUTES = ['/v1/chat/completions', '/v1/responses', '/v1/responses/compact', '/v1/messages', '/v1/messages/count_tokens', '/compact/v1/chat/completions', '/compact/v1/responses', '/compact/v1/messages'];

const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
const wrong = fc.oneof(
  fc.constantFrom<unknown>(null, 0, -1, 1.5, true, '', 'x', [], {}, [null], [[1]], [{}], ['x'], [[{ type: 'text', text: 'x' }]], { toString: 1 }, { valueOf: 1, toString: null }),
  fc.constant(nested(3000)),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Every path into a JSON value down to 12 levels, the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (!value || typeof value !== 'object' || prefix.length >= 12) return [];
  return Object.keys(value).flatMap((k) => {
    const at = [...prefix, Array.isArray(value) ? Number(k) : k];
    return [at, ...pathsOf((value as Record<string, unknown>)[k], at)];
  });
}

function replaced(base: unknown, pick: number, value: unknown): any {
  const copy: any = structuredClone(base);
  const paths = pathsOf(copy);
  const at = paths[pick % paths.length];
  let node = copy;
  for (const k of at.slice(0, -1)) node = node[k];
  node[at.at(-1)!] = value;
  return copy;
}

const body = fc.tuple(fc.nat(2), fc.constantFrom('m-chat', 'm-resp', 'm-anth'), fc.boolean(), fc.nat(), wrong, fc.option(fc.tuple(fc.nat(), wrong), { nil: undefined }))
  .map(([shape, model, stream, pick, value, second]) => {
    let out = replaced(VALID[shape], pick, value);
    if (second) out = replaced(out, second[0], second[1]);
    return { model, stream, ...out };
  });

test('malformed body shapes on every route: no relay-made 5xx, every rejection OpenAI-shaped', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (path, payload) => {
      const response = await request(relay.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(payload),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const text = await response.body.text();
      assert.ok(response.statusCode < 500, `${path} ${JSON.stringify(payload).slice(0, 400)} → ${response.statusCode} ${text.slice(0, 300)}`);
      if (response.statusCode >= 400) {
        const parsed = JSON.parse(text);
        assert.equal(typeof parsed.error?.message, 'string', text.slice(0, 300));
      }
    }),
    { numRuns: 400, seed: 12 },
  );
});
