// Cache breakpoints behind /compact/v1/messages: a real Claude Code thread replayed turn by turn,
// `cache_control` on its last two user turns as Claude Code sets them. A block the relay rewrites
// loses its mark; the relay places it again, so every turn between compaction events reads the
// previous turn's prefix from the cache; the summary block and the end of the kept head carry
// marks of their own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { claudeCodeThreads } from '../../src/conversation/loaders/claude-code.ts';
import { encodeAnthropicMessages } from '../../src/adapters/anthropic/conversation.ts';
import { SUMMARY_CONTINUATION_PREFIX, SUMMARY_MESSAGE_PREFIX } from '../../src/compaction/layout.ts';
import { MAX_BREAKPOINTS, placeBreakpoints } from '../../src/compaction-api/anthropic-breakpoints.ts';

const MODEL = 'claude-breakpoints-test';
const SESSION = new URL('../fixtures/trajectories/real/claude_code_jsonl/mock-global-claude-dir__projects__sample-project__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl', import.meta.url).pathname;

function withCacheMarks(messages: any[]): any[] {
  const out = messages.map((m) => ({ ...m, content: Array.isArray(m.content) ? [...m.content] : m.content }));
  const users = out.map((m, i) => (m.role === 'user' ? i : -1)).filter((i) => i >= 0).slice(-2);
  for (const i of users) out[i].content[out[i].content.length - 1] = { ...out[i].content.at(-1), cache_control: { type: 'ephemeral' } };
  return out;
}

/** A task, two exchanges, and a newest user block: the client marks its last two user turns, as Claude Code does. */
const clientTurns = (newest: Record<string, unknown>) => [
  { role: 'user', content: [{ type: 'text', text: 'task' }] as Record<string, unknown>[] },
  { role: 'assistant', content: [{ type: 'text', text: 'a' }] },
  { role: 'user', content: [{ type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }] },
  { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
  { role: 'user', content: [newest] },
];
const marksOf = (messages: any[]) => messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.cache_control);

describe('cache breakpoints on a compacted Anthropic request', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'anthropic', models: [MODEL] });
    relay = await startTestRelay({ channels: [{ name: 'claude', type: 'anthropic', baseUrl: upstream.url, models: [MODEL], options: { contextWindow: 4000 } }] });
    await relay.relay.catalogStore.upsertGroup('default', ['*'], { compaction: { strategy: 'ledger' } });
    await relay.relay.catalog.refresh();
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('every turn that reuses a plan reads the cache, and the summary block is a breakpoint', async () => {
    const records = readFileSync(SESSION, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    const thread = claudeCodeThreads(records).find((t) => !t.sidechain)!;
    const items = thread.conversation.items;
    let reused = 0;
    let read = 0;
    let summaryMarked = 0;
    for (let end = 1; end <= items.length; end++) {
      const last = items[end - 1];
      const answered = items.slice(0, end).every((it) => it.kind !== 'tool_call' || items.slice(0, end).some((r) => r.kind === 'tool_result' && r.callId === it.callId));
      if (!answered || !(last.kind === 'tool_result' || (last.kind === 'message' && last.role === 'user')) || items[end]?.kind === 'tool_result') continue;
      const encoded = encodeAnthropicMessages({ ...thread.conversation, items: items.slice(0, end) });
      const res = await fetch(`${relay.url}/compact/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': relay.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, max_tokens: 64, messages: withCacheMarks(encoded.messages) }),
      });
      const body: any = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      const forwarded = upstream.requests.at(-1)!.body;
      assert.ok(marksOf(forwarded.messages).length <= MAX_BREAKPOINTS);
      if (forwarded.messages.some((m: any) => m.content.some((b: any) => b.cache_control && b.text?.startsWith(SUMMARY_MESSAGE_PREFIX)))) summaryMarked++;
      if (res.headers.get('x-compaction-plan') !== 'reused') continue;
      reused++;
      if (body.usage.cache_read_input_tokens > 0) read++;
    }
    assert.ok(reused >= 1, 'a plan was reused');
    assert.equal(read, reused, `${read} of ${reused} turns between events read the cache`);
    assert.ok(summaryMarked >= 1, 'the summary block carries a breakpoint');
  });

  test('lost marks move to the newest unmarked user turns; the kept head and the summary are marked; never more than four', () => {
    const mark = { type: 'ephemeral' };
    const original = clientTurns({ type: 'tool_result', tool_use_id: 'x', content: 'long output', cache_control: mark });
    const compacted = [
      { role: 'user', content: [{ type: 'text', text: 'task' }, { type: 'text', text: `${SUMMARY_MESSAGE_PREFIX}summary` }] },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'normalized output' }] },
    ];
    const out = placeBreakpoints({}, original, compacted) as any[];
    assert.deepEqual(out[2].content[0].cache_control, mark, 'the newest user turn is marked again');
    assert.deepEqual(out[0].content[1].cache_control, mark, 'the summary block is marked');
    assert.deepEqual(out[0].content[0].cache_control, mark, 'the end of the kept head is marked');
    assert.equal(marksOf(out).length, 3);
    assert.equal((compacted[2].content[0] as any).cache_control, undefined, 'the input is not changed');
    const full = placeBreakpoints({ system: [{ type: 'text', text: 's', cache_control: mark }], tools: [{ name: 't', cache_control: mark }, { name: 'u', cache_control: mark }] }, original, compacted) as any[];
    assert.equal(marksOf(full).length, 1, 'four marks in all with the system prompt and tools');
    assert.equal(placeBreakpoints({}, [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], compacted), compacted, 'a client that does not cache gets no marks');
  });

  test('when outputs are only masked, the last user turn before the first change is marked', () => {
    const mark = { type: 'ephemeral' };
    const original: { role: string; content: any[] }[] = [];
    for (let k = 0; k < 30; k++) {
      original.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${k}`, name: 'Read', input: { file_path: `f${k}` } }] });
      original.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${k}`, content: `contents of f${k}` }] });
    }
    original.unshift({ role: 'user', content: [{ type: 'text', text: 'task' }] });
    original.at(-1)!.content[0] = { ...original.at(-1)!.content[0], cache_control: mark };
    original.at(-3)!.content[0] = { ...original.at(-3)!.content[0], cache_control: mark };
    // The output of the sixth read is masked: messages before it are the client's own objects.
    const compacted = original.map((m, i) => (i === 12 ? { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't5', content: '[gateway: output hidden]' }] } : { ...m, content: [...m.content] }));
    const out = placeBreakpoints({}, original, compacted) as any[];
    assert.deepEqual(out[10].content[0].cache_control, mark, 'the user turn just before the masked one');
    assert.equal(marksOf(out).length, 3, 'beside the two marks the client placed');
  });

  test('with a summary in parts, the part an earlier event sent and the newest part are marked first', () => {
    const mark = { type: 'ephemeral' };
    const original = clientTurns({ type: 'text', text: 'd', cache_control: mark });
    const compacted = [
      { role: 'user', content: [{ type: 'text', text: 'task' }, { type: 'text', text: `${SUMMARY_MESSAGE_PREFIX}first` }, { type: 'text', text: `${SUMMARY_CONTINUATION_PREFIX}second` }, { type: 'text', text: `${SUMMARY_CONTINUATION_PREFIX}third` }] },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
      { role: 'user', content: [{ type: 'text', text: 'd', cache_control: mark }] },
    ];
    const out = placeBreakpoints({}, original, compacted) as any[];
    assert.deepEqual(out[0].content.map((b: any) => !!b.cache_control), [true, false, true, true], 'the head, the second part (sent by the last event) and the newest part');
    const fewer = placeBreakpoints({ system: [{ type: 'text', text: 's', cache_control: mark }] }, original, compacted) as any[];
    assert.deepEqual(fewer[0].content.map((b: any) => !!b.cache_control), [false, false, true, true], 'with room for two marks, the earlier part (read now) and the newest (read by the next event)');
  });
});
