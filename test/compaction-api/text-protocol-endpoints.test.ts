// A text-protocol agent (SWE-agent's default protocol: actions in fenced blocks, the environment's
// output back as user messages) through the relay's compaction endpoints: the Chat and Anthropic
// /compact prefixes mask its old observations before forwarding and keep the human's message, and
// the Responses-shape /v1/responses/compact hands back only the human's messages.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { STUB_PREFIX } from '../../src/compaction/masking.ts';

const SYSTEM = 'You are an autonomous programmer. Reply with one command in a fenced block.';
const TASK = 'Fix the rounding bug in TimeDelta serialization: 345 ms serializes as 344.\n\n(Open file: n/a)\n(Current directory: /repo)\nbash-$';
const HUMAN = 'Keep the public API of fields.py unchanged, please.';

function sweAgentTurns(turns: number): { role: 'user' | 'assistant'; content: string }[] {
  const out: { role: 'user' | 'assistant'; content: string }[] = [{ role: 'user', content: TASK }];
  for (let i = 0; i < turns; i++) {
    out.push({ role: 'assistant', content: `Looking at part ${i}.\n\`\`\`\ngrep -n "round" src/marshmallow/fields.py\n\`\`\`` });
    out.push({ role: 'user', content: Array.from({ length: 30 }, (_, k) => `${i * 30 + k}: value = round(value * ${k})  # step ${i}.${k}`).join('\n') + '\n\n(Open file: /repo/src/marshmallow/fields.py)\n(Current directory: /repo)\nbash-$' });
    if (i === 3) out.push({ role: 'assistant', content: 'Should the public API change?' }, { role: 'user', content: HUMAN });
  }
  return out;
}

const isForward = (body: any) => JSON.stringify(body ?? {}).includes('Reply with one command in a fenced block');

describe('text-protocol agents through the compaction endpoints', () => {
  let chatUpstream: UpstreamEmulator;
  let anthropicUpstream: UpstreamEmulator;
  let relay: TestRelay;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${relay.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${relay.key}`, 'x-api-key': relay.key, ...headers }, body: JSON.stringify(body) });

  before(async () => {
    chatUpstream = await startUpstreamEmulator({ mode: 'chat-only', models: ['deepseek-chat'] });
    anthropicUpstream = await startUpstreamEmulator({ mode: 'anthropic', models: ['claude-test'] });
    relay = await startTestRelay({
      channels: [
        { name: 'deepseek', type: 'openai-chat', baseUrl: chatUpstream.url, models: ['deepseek-chat'], options: { contextWindow: 8000 } },
        { name: 'claude', type: 'anthropic', baseUrl: anthropicUpstream.url, models: ['claude-test'], options: { contextWindow: 8000 } },
      ],
    });
  });

  beforeEach(() => {
    chatUpstream.reset();
    anthropicUpstream.reset();
  });

  after(async () => {
    await relay.close();
    await Promise.all([chatUpstream.close(), anthropicUpstream.close()]);
  });

  test('Chat: old observations are masked before forwarding; the task and the human’s message are forwarded verbatim', async () => {
    const response = await post('/compact/v1/chat/completions', { model: 'deepseek-chat', messages: [{ role: 'system', content: SYSTEM }, ...sweAgentTurns(16)] });
    assert.equal(response.status, 200, await response.clone().text());
    assert.match(response.headers.get('x-compaction-layers') ?? '', /L2/);
    const forwarded = chatUpstream.requests.filter((r) => isForward(r.body)).at(-1)!.body.messages as { role: string; content: string }[];
    const users = forwarded.filter((m) => m.role === 'user').map((m) => m.content);
    assert.equal(users[0], TASK);
    assert.ok(users.includes(HUMAN), 'the human’s message is never masked');
    assert.ok(users.filter((u) => u.startsWith(STUB_PREFIX)).length >= 5, 'old observations became stubs');
  });

  test('Anthropic: the same session through /compact/v1/messages', async () => {
    const response = await post('/compact/v1/messages', { model: 'claude-test', max_tokens: 100, system: SYSTEM, messages: sweAgentTurns(16) }, { 'anthropic-version': '2023-06-01' });
    assert.equal(response.status, 200, await response.clone().text());
    const forwarded = anthropicUpstream.requests.filter((r) => isForward(r.body)).at(-1)!.body.messages as { role: string; content: any }[];
    const texts = forwarded.filter((m) => m.role === 'user').map((m) => (typeof m.content === 'string' ? m.content : m.content.map((b: any) => b.text ?? '').join('\n')));
    assert.ok(texts.some((t) => t.includes(HUMAN)));
    assert.ok(texts.filter((t) => t.startsWith(STUB_PREFIX)).length >= 5);
  });

  test('Responses-shape compact hands back only the human’s messages, not environment output', async () => {
    const input = [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: SYSTEM }] }, ...sweAgentTurns(16).map((m) => ({ type: 'message', role: m.role, content: [{ type: m.role === 'user' ? 'input_text' : 'output_text', text: m.content }] }))];
    const response = await post('/v1/responses/compact', { model: 'deepseek-chat', input });
    assert.equal(response.status, 200, await response.clone().text());
    const body: any = await response.json();
    const users = body.output.filter((o: any) => o.role === 'user').map((o: any) => o.content[0].text);
    assert.deepEqual(users, [TASK, HUMAN]);
  });
});
