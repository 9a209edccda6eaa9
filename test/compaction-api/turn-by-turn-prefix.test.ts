// Through the running relay, as an agent uses it: a real session resent in full every turn to
// /compact/v1/chat/completions reaches the upstream with a byte-identical prefix between
// compaction events (at most one break per event), so the upstream's prompt cache keeps working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { encodeChatMessages } from '../../src/adapters/chat/conversation.ts';

const MODEL = 'deepseek-chat';
const SESSION = new URL('../fixtures/trajectories/real/openhands_codeact_fncall__chat_completions/llm_completions__django__django-11149__litellm_proxy__claude-3-5-sonnet-20241022-1733345113.2722712.json', import.meta.url).pathname;

describe('turn by turn through /compact/v1/chat/completions', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'chat-only', models: [MODEL] });
    relay = await startTestRelay({ channels: [{ name: 'deepseek', type: 'openai-chat', baseUrl: upstream.url, models: [MODEL], options: { contextWindow: 16_000 } }] });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  /** Resends the session turn after turn to `path`; counts compacted turns, events and prefix breaks upstream. */
  async function replay(path: string, extra: Record<string, unknown> = {}) {
    const { conversation } = loadSessionFile(readFileSync(SESSION, 'utf8'), SESSION);
    const messages = encodeChatMessages(conversation);
    const turnEnds = messages.map((m, i) => (m.role === 'tool' || (m.role === 'user' && i > 1) ? i + 1 : 0)).filter((end) => end > 0);
    let previous: string[] | undefined;
    let breaks = 0;
    let events = 0;
    let compacted = 0;
    for (const end of turnEnds) {
      upstream.reset();
      const res = await fetch(`${relay.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: messages.slice(0, end), ...extra }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      await res.arrayBuffer();
      if (res.headers.get('x-compaction-plan') === 'new') events++;
      if ((res.headers.get('x-compaction-layers') ?? 'none') !== 'none') compacted++;
      const forwarded = (upstream.requests.at(-1)?.body.messages as unknown[]).map((m) => JSON.stringify(m));
      if (previous && !previous.every((m, i) => forwarded[i] === m)) breaks++;
      previous = forwarded;
    }
    return { turns: turnEnds.length, compacted, events, breaks };
  }

  test('a real session resent every turn reaches the upstream with one prefix break per compaction event', async () => {
    const { turns, compacted, events, breaks } = await replay('/compact/v1/chat/completions');
    assert.ok(compacted >= turns / 2, `most turns were compacted (${compacted} of ${turns})`);
    assert.ok(events >= 2, `${events} compaction events`);
    assert.ok(breaks <= events, `${breaks} prefix breaks for ${events} events`);
    assert.ok(events * 5 <= compacted, `events are rare: ${events} in ${compacted} compacted turns`);
  });

  test('with a budget given in the body, events stay as rare', async () => {
    // Not the window's own budget (13,600): the same settings would reuse the plans the test above recorded.
    const { compacted, events, breaks } = await replay('/v1/responses/compact', { compaction: { budget_tokens: 13_000 } });
    assert.ok(events >= 2, `${events} compaction events`);
    assert.ok(breaks <= events, `${breaks} prefix breaks for ${events} events`);
    assert.ok(events * 5 <= compacted, `events are rare: ${events} in ${compacted} compacted turns`);
  });
});
