// Prompt caching on an Anthropic channel behind /compact: the relay's cache breakpoints land on
// the stable compacted prefix, so between compaction events every turn reads the previous turn's
// cache instead of paying for its whole history again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { encodeChatMessages } from '../../src/adapters/chat/conversation.ts';

const MODEL = 'claude-cache-test';
const SESSION = new URL('../fixtures/trajectories/real/openhands_codeact_fncall__chat_completions/llm_completions__django__django-11087__litellm_proxy__claude-3-5-sonnet-20241022-1733345045.476485.json', import.meta.url).pathname;

describe('Anthropic prompt cache behind /compact/v1/chat/completions', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'anthropic', models: [MODEL] });
    relay = await startTestRelay({ channels: [{ name: 'claude', type: 'anthropic', baseUrl: upstream.url, models: [MODEL], options: { contextWindow: 16_000 } }] });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('between compaction events every compacted turn reads the previous turn from the cache', async () => {
    const { conversation } = loadSessionFile(readFileSync(SESSION, 'utf8'), SESSION);
    const messages = encodeChatMessages(conversation);
    const turnEnds = messages.map((m, i) => (m.role === 'tool' || (m.role === 'user' && i > 1) ? i + 1 : 0)).filter((end) => end > 0);
    let compactedTurns = 0;
    let readsAfterReuse = 0;
    let reusedTurns = 0;
    let promptTokens = 0;
    let cachedTokens = 0;
    for (const end of turnEnds) {
      const res = await fetch(`${relay.url}/compact/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, max_tokens: 64, messages: messages.slice(0, end) }),
      });
      const body: any = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      const plan = res.headers.get('x-compaction-plan');
      if ((res.headers.get('x-compaction-layers') ?? 'none') === 'none') continue;
      compactedTurns++;
      const cached = body.usage?.prompt_tokens_details?.cached_tokens ?? 0;
      promptTokens += body.usage.prompt_tokens;
      cachedTokens += cached;
      if (plan === 'reused') {
        reusedTurns++;
        if (cached > 0) readsAfterReuse++;
      }
    }
    assert.ok(compactedTurns >= 10 && reusedTurns >= compactedTurns / 2, `${reusedTurns} of ${compactedTurns} compacted turns reused a plan`);
    assert.equal(readsAfterReuse, reusedTurns, 'every turn between events read the cache');
    assert.ok(cachedTokens > promptTokens * 0.5, `most compacted prompt tokens came from the cache (${cachedTokens} of ${promptTokens})`);
  });
});
