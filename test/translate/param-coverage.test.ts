// The translation tables tell the truth: every parameter listed as carried shows in the upstream
// request, everything else a client sends is named as dropped, and docs/translation.md lists them all.
// The tables are derived from each adapter's `params` (src/adapters/<format>/params.ts); the pinned
// tables below are what the three adapters' declarations must still derive to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ACCEPTED, CARRIED, TOOL_TYPES, droppedParams } from '../../src/translate/param-coverage.ts';
import { adapterFor, WIRE_FORMATS, type WireFormat } from '../../src/adapters/registry.ts';

const SCHEMA = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
const FN = { name: 'f', description: 'd', parameters: { type: 'object', properties: {} } };

const BASE: Record<WireFormat, Record<string, unknown>> = {
  chat: { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: FN }] },
  responses: { model: 'm', input: 'hi', tools: [{ type: 'function', ...FN }] },
  anthropic: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'f', description: 'd', input_schema: FN.parameters }] },
};

/** A translation: decoded by the client format's adapter, encoded by the upstream's. */
const translate = (client: WireFormat, upstream: WireFormat, body: any): unknown => adapterFor(upstream).encodeRequest(adapterFor(client).decodeRequest(body), []);

/** A value for each parameter that differs from what the translation sends without it. */
function sample(client: WireFormat, path: string): [string, unknown] {
  const values: Record<string, unknown> = {
    temperature: 0.5, top_p: 0.9, parallel_tool_calls: false, user: 'u-1', safety_identifier: 's-1', service_tier: 'flex', metadata: { team: 'a' },
    prompt_cache_key: 'k', prompt_cache_retention: '24h', max_tokens: 77, max_completion_tokens: 78, max_output_tokens: 79, reasoning_effort: 'low',
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: SCHEMA } }, verbosity: 'low', stop: ['END'], stop_sequences: ['END'],
    seed: 7, presence_penalty: 0.5, frequency_penalty: 0.5, tool_choice: client === 'anthropic' ? { type: 'any' } : 'required',
    'reasoning.effort': { effort: 'low' }, 'text.format': { format: { type: 'json_schema', name: 'x', schema: SCHEMA } }, 'text.verbosity': { verbosity: 'low' },
    'metadata.user_id': { user_id: 'u-2' }, 'output_config.format': { format: { type: 'json_schema', schema: SCHEMA } }, output_format: { type: 'json_schema', schema: SCHEMA },
  };
  assert.ok(path in values, `a sample value for ${path}`);
  return [path.split('.')[0], values[path]];
}

const CONVERSATION = new Set(['messages', 'input', 'instructions', 'system', 'tools']);

const DIRECTIONS = (Object.keys(CARRIED) as WireFormat[]).flatMap((client) => (Object.keys(CARRIED[client]) as WireFormat[]).map((upstream) => [client, upstream] as const));

for (const [client, upstream] of DIRECTIONS) {
  const direction = `${client}→${upstream}`;
  test(`${direction}: every parameter listed as carried changes the upstream request`, () => {
    const without = JSON.stringify(translate(client, upstream, BASE[client]));
    for (const path of CARRIED[client][upstream]!) {
      if (CONVERSATION.has(path)) continue;
      const [name, value] = sample(client, path);
      assert.notEqual(JSON.stringify(translate(client, upstream, { ...BASE[client], [name]: value })), without, `${direction}: ${path} reaches the upstream`);
    }
  });
}

test('what a translation leaves out is named, field by field for object parameters', () => {
  const body = { model: 'm', input: 'hi', store: true, background: false, include: ['reasoning.encrypted_content'], reasoning: { effort: 'low', summary: 'auto' }, text: { format: { type: 'text' }, verbosity: 'low' }, top_logprobs: 2 };
  assert.deepEqual(droppedParams('responses', 'anthropic', body), ['include', 'reasoning', 'text.verbosity', 'top_logprobs']);
  assert.deepEqual(droppedParams('responses', 'chat', body), ['include', 'reasoning.summary', 'top_logprobs']);
  assert.deepEqual(droppedParams('anthropic', 'responses', { model: 'm', max_tokens: 1, messages: [], top_k: 5, thinking: { type: 'enabled' }, stop_sequences: ['X'], output_config: { effort: 'low' } }), ['top_k', 'thinking', 'stop_sequences', 'output_config.effort']);
  assert.deepEqual(droppedParams('chat', 'chat', { model: 'm', seed: 1 }), [], 'nothing is dropped on the same wire');
  const hosted = [{ type: 'function', name: 'f' }, { type: 'web_search' }, { type: 'custom', name: 'apply_patch' }, { type: 'web_search' }];
  assert.deepEqual(droppedParams('responses', 'anthropic', { model: 'm', input: 'hi', tools: hosted }), ['tools[web_search]']);
  assert.deepEqual(droppedParams('anthropic', 'chat', { model: 'm', tools: [{ name: 'f', input_schema: {} }, { type: 'web_search_20250305', name: 'web_search' }] }), ['tools[web_search_20250305]']);
});

test('docs/translation.md names every parameter of every direction', () => {
  const doc = readFileSync(new URL('../../docs/translation.md', import.meta.url), 'utf8');
  for (const table of [CARRIED, ACCEPTED]) {
    for (const byUpstream of Object.values(table)) {
      for (const path of Object.values(byUpstream).flat()) assert.ok(doc.includes(`\`${path}\``), `docs/translation.md mentions \`${path}\``);
    }
  }
});

const sorted = (table: Record<string, Partial<Record<string, string[]>>>) =>
  Object.fromEntries(Object.entries(table).map(([client, row]) => [client, Object.fromEntries(Object.entries(row).map(([upstream, list]) => [upstream, [...list!].sort()]))]));

test('the tables derived from the adapters\' declarations are the ones docs/translation.md describes, for every pair', () => {
  const OPENAI_SHARED = ['service_tier', 'metadata', 'prompt_cache_retention'];
  const CHAT_COMMON = ['messages', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'max_tokens', 'max_completion_tokens', 'response_format'];
  const RESPONSES_COMMON = ['input', 'instructions', 'tools', 'tool_choice', 'temperature', 'top_p', 'parallel_tool_calls', 'user', 'safety_identifier', 'max_output_tokens', 'text.format'];
  const ANTHROPIC_COMMON = ['messages', 'system', 'tools', 'tool_choice', 'max_tokens', 'temperature', 'top_p', 'metadata.user_id', 'output_config.format', 'output_format'];
  assert.deepEqual(sorted(CARRIED), sorted({
    chat: { responses: [...CHAT_COMMON, ...OPENAI_SHARED, 'prompt_cache_key', 'reasoning_effort', 'verbosity'], anthropic: [...CHAT_COMMON, 'stop'] },
    responses: {
      chat: [...RESPONSES_COMMON, ...OPENAI_SHARED, 'prompt_cache_key', 'reasoning.effort', 'text.verbosity', 'seed', 'stop', 'presence_penalty', 'frequency_penalty'],
      anthropic: RESPONSES_COMMON,
    },
    anthropic: { chat: [...ANTHROPIC_COMMON, 'stop_sequences'], responses: ANTHROPIC_COMMON },
  }));
  assert.deepEqual(sorted(ACCEPTED), sorted({
    chat: { responses: ['n', 'stream_options', 'store'], anthropic: ['n', 'stream_options', 'store', 'prompt_cache_key'] },
    responses: { chat: ['background', 'store', 'previous_response_id'], anthropic: ['background', 'store', 'prompt_cache_key', 'previous_response_id'] },
    anthropic: { chat: [], responses: [] },
  }));
  assert.deepEqual(sorted(TOOL_TYPES), sorted({
    chat: { responses: ['function'], anthropic: ['function', 'custom'] },
    responses: { chat: ['function', 'custom'], anthropic: ['function', 'custom'] },
    anthropic: { chat: ['custom'], responses: ['custom'] },
  }));
});

test('each adapter\'s declaration is consistent: its own parameters decode into fields it carries, and every other format is a direction', () => {
  for (const client of WIRE_FORMATS) {
    const { params } = adapterFor(client);
    for (const [param, field] of Object.entries(params.decodes)) assert.ok(params.carries.includes(field), `${client}: ${param} decodes into ${field}, which ${client} itself carries`);
    assert.deepEqual(params.carries.filter((field) => params.absorbs.includes(field)), [], `${client}: a field is carried or absorbed, not both`);
    assert.deepEqual(Object.keys(CARRIED[client]).sort(), WIRE_FORMATS.filter((f) => f !== client).sort(), `${client}: a row for every other format`);
  }
});
