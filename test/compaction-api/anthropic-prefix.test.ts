// Compaction for Anthropic Messages clients (Claude Code, the Anthropic SDK) through the base-URL
// prefix /compact: a long tool-use session in front of an Anthropic channel is compacted before it
// is forwarded; `system` and `tools` stay byte-identical, the recent turns keep their original
// blocks (thinking signatures, cache_control), and a short session passes through untouched.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { STUB_PREFIX } from '../../src/compaction/masking.ts';

const MODEL = 'claude-relay-test';
const SYSTEM = [{ type: 'text' as const, text: 'You are a careful coding agent.', cache_control: { type: 'ephemeral' as const } }];
const TOOLS = [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } }];

/** A Claude Code-like session: a task, then `turns` file reads with long outputs, then a thinking turn. */
function longSession(turns: number): Anthropic.MessageParam[] {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Refactor the parser; keep the public API stable.' }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'read_file', input: { path: `src/f${i}.ts` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `// file ${i}\n` + Array.from({ length: 60 }, (_, k) => `export const value${i}_${k} = compute(${k}, "f${i}");`).join('\n') }] });
  }
  messages.push({
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'The parser lives in src/f3.ts.', signature: 'sig-from-anthropic-001' },
      { type: 'tool_use', id: 'toolu_last', name: 'read_file', input: { path: 'src/parser.ts' } },
    ],
  });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_last', content: 'export function parse() {}', cache_control: { type: 'ephemeral' } }] });
  return messages;
}

describe('Anthropic clients compacting through /compact', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: Anthropic;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'anthropic', models: [MODEL] });
    relay = await startTestRelay({ channels: [{ name: 'claude', type: 'anthropic', baseUrl: upstream.url, models: [MODEL], options: { contextWindow: 8000 } }] });
    client = new Anthropic({ apiKey: relay.key, baseURL: `${relay.url}/compact`, maxRetries: 0 });
  });

  beforeEach(() => upstream.reset());

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('a long session is compacted before it reaches the Anthropic channel', async () => {
    const messages = longSession(20);
    upstream.script([{ text: 'Continuing the refactor.', usage: { input: 2500, output: 6 } }]);
    const { data: message, response } = await client.messages.create({ model: MODEL, max_tokens: 512, system: SYSTEM, tools: TOOLS, messages }).withResponse();
    assert.deepEqual(message.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['Continuing the refactor.']);
    const before = Number(response.headers.get('x-compaction-tokens-before'));
    const afterTokens = Number(response.headers.get('x-compaction-tokens-after'));
    assert.ok(before > 8000 && afterTokens < 8000 * 0.85, `compacted under the budget: ${before} → ${afterTokens}`);
    assert.match(response.headers.get('x-compaction-layers') ?? '', /L2/, 'old tool outputs were masked');

    assert.deepEqual(upstream.requests.map((r) => r.path), ['/v1/messages'], 'masking was enough: no summary call');
    const forwarded = upstream.requests[0].body;
    assert.deepEqual(forwarded.system, SYSTEM, 'system untouched, cache_control included');
    assert.deepEqual(forwarded.tools, TOOLS, 'tools untouched');
    assert.ok(JSON.stringify(forwarded.messages).length < JSON.stringify(messages).length / 2);
    assert.equal(forwarded.messages[0].content[0].text, 'Refactor the parser; keep the public API stable.', 'the first task is kept');
    const oldResult = forwarded.messages[2].content[0];
    assert.equal(oldResult.tool_use_id, 'toolu_0', 'each tool_use keeps its tool_result (the emulator rejects broken pairs)');
    assert.ok(String(oldResult.content).startsWith(STUB_PREFIX), 'an old output is replaced by a stub');
    const lastTwo = forwarded.messages.slice(-2);
    assert.deepEqual(lastTwo, messages.slice(-2), 'the newest turns keep their original blocks: thinking signature, cache_control');
    const [row] = await relay.usageRows(1);
    assert.deepEqual([row.endpoint, row.status, row.compaction_tokens_before, row.compaction_tokens_after], ['/compact/v1/messages', 200, before, afterTokens]);
  });

  test('a session under the budget is forwarded byte for byte', async () => {
    const messages = longSession(1);
    upstream.script([{ text: 'Short and sweet.' }]);
    const { response } = await client.messages.create({ model: MODEL, max_tokens: 64, system: SYSTEM, tools: TOOLS, messages }).withResponse();
    assert.equal(response.headers.get('x-compaction-strategy'), 'skipped');
    assert.equal(upstream.requests.length, 1);
    assert.deepEqual(upstream.requests[0].body, { model: MODEL, max_tokens: 64, system: SYSTEM, tools: TOOLS, messages });
  });
});
