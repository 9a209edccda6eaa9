// Structured output across formats: a JSON schema asked for in any of the three wire formats
// reaches an upstream of another format in that upstream's own parameter, the emulated model
// answers with JSON that matches it, JSON mode that an Anthropic upstream cannot honour is a 501,
// and the parameters a translation leaves out are named in `x-relay-dropped-params`.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' }, tags: { type: 'array', items: { type: 'string', enum: ['coastal', 'capital'] } } },
  required: ['city', 'population', 'tags'],
  additionalProperties: false,
};

describe('structured output through translation', () => {
  let chat: UpstreamEmulator;
  let responses: UpstreamEmulator;
  let anthropic: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    [chat, responses, anthropic] = await Promise.all([
      startUpstreamEmulator({ mode: 'chat-only', models: ['on-chat'] }),
      startUpstreamEmulator({ mode: 'responses-only', models: ['on-responses'] }),
      startUpstreamEmulator({ mode: 'anthropic', models: ['on-claude'] }),
    ]);
    relay = await startTestRelay({
      channels: [
        { name: 'chat', type: 'openai-chat', baseUrl: chat.url, models: ['on-chat'] },
        { name: 'responses', type: 'openai-responses', baseUrl: responses.url, models: ['on-responses'] },
        { name: 'claude', type: 'anthropic', baseUrl: anthropic.url, models: ['on-claude'] },
      ],
    });
  });

  beforeEach(() => [chat, responses, anthropic].forEach((u) => u.reset()));

  after(async () => {
    await relay.close();
    await Promise.all([chat.close(), responses.close(), anthropic.close()]);
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${relay.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  test('Chat response_format json_schema → Anthropic output_config.format; the answer is JSON matching the schema', async () => {
    const res = await post('/v1/chat/completions', { model: 'on-claude', messages: [{ role: 'user', content: 'Describe Lisbon.' }], response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: SCHEMA } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(anthropic.requests.at(-1)!.body.output_config, { format: { type: 'json_schema', schema: SCHEMA } });
    assert.deepEqual(JSON.parse(res.body.choices[0].message.content), { city: 'sample', population: 1, tags: ['coastal'] });
  });

  test('Responses text.format → Anthropic, objects left open are closed as Anthropic requires', async () => {
    const open = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    const res = await post('/v1/responses', { model: 'on-claude', input: 'Is it ok?', text: { format: { type: 'json_schema', name: 'verdict', schema: open } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(anthropic.requests.at(-1)!.body.output_config.format.schema, { ...open, additionalProperties: false });
    assert.deepEqual(JSON.parse(res.body.output[0].content[0].text), { ok: true });
  });

  test('JSON mode without a schema cannot be honoured by Anthropic: 501 before any upstream call', async () => {
    const res = await post('/v1/chat/completions', { model: 'on-claude', messages: [{ role: 'user', content: 'Answer in json.' }], response_format: { type: 'json_object' } });
    assert.equal(res.status, 501);
    assert.equal(res.body.error.code, 'response_format_not_supported');
    assert.match(res.body.error.message, /json_schema/);
    assert.equal(anthropic.requests.length, 0);
  });

  test('Anthropic output_config.format → Chat response_format (strict when the schema allows) and → Responses text.format', async () => {
    const body = { model: 'on-chat', max_tokens: 100, messages: [{ role: 'user', content: 'Describe Lisbon.' }], output_config: { format: { type: 'json_schema', schema: SCHEMA } } };
    const viaChat = await post('/v1/messages', body);
    assert.equal(viaChat.status, 200, JSON.stringify(viaChat.body));
    assert.deepEqual(chat.requests.at(-1)!.body.response_format, { type: 'json_schema', json_schema: { name: 'output', schema: SCHEMA, strict: true } });
    assert.deepEqual(JSON.parse(viaChat.body.content[0].text).tags, ['coastal']);
    const loose = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'], additionalProperties: false };
    const viaResponses = await post('/v1/messages', { ...body, model: 'on-responses', output_format: { type: 'json_schema', schema: loose }, output_config: undefined });
    assert.equal(viaResponses.status, 200, JSON.stringify(viaResponses.body));
    assert.deepEqual(responses.requests.at(-1)!.body.text, { format: { type: 'json_schema', name: 'output', schema: loose, strict: false } }, 'an optional property rules out OpenAI strict mode');
  });

  test('Chat json_object → Responses json_object, and the upstream\'s own rule (the word "json") reaches the client', async () => {
    const ok = await post('/v1/chat/completions', { model: 'on-responses', messages: [{ role: 'user', content: 'Reply in JSON.' }], response_format: { type: 'json_object' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(responses.requests.at(-1)!.body.text, { format: { type: 'json_object' } });
    assert.equal(typeof JSON.parse(ok.body.choices[0].message.content), 'object');
    const refused = await post('/v1/chat/completions', { model: 'on-responses', messages: [{ role: 'user', content: 'Reply.' }], response_format: { type: 'json_object' } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /json/);
  });

  test('parameters a translation leaves out are named in x-relay-dropped-params; n > 1 is refused', async () => {
    const res = await post('/v1/chat/completions', { model: 'on-claude', messages: [{ role: 'user', content: 'Hi' }], seed: 7, logprobs: true, temperature: 0.5 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-relay-dropped-params'), 'seed, logprobs');
    const fromResponses = await post('/v1/responses', { model: 'on-chat', input: 'Hi', reasoning: { effort: 'low', summary: 'auto' }, text: { verbosity: 'low' } });
    assert.equal(fromResponses.headers.get('x-relay-dropped-params'), 'reasoning.summary');
    assert.equal(chat.requests.at(-1)!.body.verbosity, 'low');
    const same = await post('/v1/chat/completions', { model: 'on-chat', messages: [{ role: 'user', content: 'Hi' }], seed: 7 });
    assert.equal(same.headers.get('x-relay-dropped-params'), null, 'nothing is dropped on the same wire');
    const many = await post('/v1/chat/completions', { model: 'on-claude', messages: [{ role: 'user', content: 'Hi' }], n: 3 });
    assert.equal(many.status, 501);
    assert.equal(many.body.error.code, 'n_not_supported');
  });

  test('the emulated answer follows refs, unions, enums, nullable types and bounds', async () => {
    const schema = {
      type: 'object',
      properties: {
        owner: { $ref: '#/$defs/person' },
        status: { type: 'string', enum: ['open', 'closed'] },
        note: { type: ['string', 'null'] },
        score: { type: 'number', minimum: 3 },
        labels: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'string' }] }, minItems: 2 },
      },
      required: ['owner', 'status', 'note', 'score', 'labels'],
      additionalProperties: false,
      $defs: { person: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'], additionalProperties: false } },
    };
    const res = await post('/v1/responses', { model: 'on-chat', input: 'Fill it in.', text: { format: { type: 'json_schema', name: 'ticket', strict: true, schema } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(JSON.parse(res.body.output_text ?? res.body.output[0].content[0].text), { owner: { email: 'user@example.com' }, status: 'open', note: 'sample', score: 3, labels: [1, 1] });
  });

  test('the emulator behaves like the real APIs: strict schemas must be closed, Anthropic refuses OpenAI\'s parameter', async () => {
    const open = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    const res = await post('/v1/chat/completions', { model: 'on-chat', messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: open } } });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /additionalProperties/);
    const claude = await post('/v1/messages', { model: 'on-claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_object' } });
    assert.equal(claude.status, 400);
    assert.match(claude.body.error.message, /response_format: Extra inputs are not permitted/);
  });
});
