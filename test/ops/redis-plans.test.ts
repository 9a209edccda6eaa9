// Compaction plans in Redis, as several relay instances share them: a plan recorded by one
// instance is reapplied by another (same bytes, no second model call), the first plan recorded
// for a history stands, and another tenant never sees it. Runs against a real Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { SUMMARY_SECTIONS, type CompactionOptions, type SummarizeCall } from '../../src/compaction/index.ts';
import { compactStably } from '../../src/compaction-api/stable-compaction.ts';
import { RedisPlanStore } from '../../src/state/redis-plan-store.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const skip = skipUnless((await reachable(REDIS_URL, 6379)) ? [] : [`no Redis at ${REDIS_URL} (set TEST_REDIS_URL)`]);

const msg = (role: 'user' | 'assistant' | 'system', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });

function session(turns: number): Conversation {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Make the tests pass.')];
  for (let n = 1; n <= turns; n++) {
    items.push({ kind: 'tool_call', callId: `t${n}`, name: 'shell', arguments: JSON.stringify({ command: `pytest -q tests/test_${n}.py` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `t${n}`, output: Array.from({ length: 30 }, (_, k) => `tests/test_${n}.py::case_${k} PASSED`).join('\n'), toolKind: 'function' });
  }
  return { items, tools: [] };
}

function summarizer(label: string): { call: SummarizeCall; calls: () => number } {
  let calls = 0;
  const call: SummarizeCall = async () => {
    calls++;
    return { text: SUMMARY_SECTIONS.map((s) => `${s}\n- by ${label}`).join('\n'), model: 'small', inputTokens: 10, outputTokens: 5 };
  };
  return { call, calls: () => calls };
}

describe('compaction plans shared through Redis', { skip }, () => {
  const prefix = `cr-test-${randomBytes(4).toString('hex')}:`;
  const clients: Redis[] = [];
  let one: RedisPlanStore;
  let two: RedisPlanStore;

  before(() => {
    clients.push(new Redis(REDIS_URL), new Redis(REDIS_URL));
    one = new RedisPlanStore(clients[0], prefix);
    two = new RedisPlanStore(clients[1], prefix);
  });

  after(async () => {
    const keys = await clients[0].keys(`${prefix}*`);
    if (keys.length) await clients[0].del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  const options = (call: SummarizeCall): CompactionOptions => ({ budgetTokens: 5000, targetTokens: 3000, strategy: 'model', summarizer: call, disabledLayers: new Set(['L2']) });

  test('a plan recorded by one instance is reapplied by another, byte for byte, without a model call', async () => {
    const a = summarizer('instance one');
    const b = summarizer('instance two');
    const conversation = session(60);
    const first = await compactStably(conversation, options(a.call), { tenant: 'key:1', plans: one });
    const grown = { ...conversation, items: [...conversation.items, msg('user', 'And the linter.')] };
    const second = await compactStably(grown, options(b.call), { tenant: 'key:1', plans: two });
    assert.equal(first.report.plan, 'new');
    assert.equal(second.report.plan, 'reused');
    assert.equal(b.calls(), 0);
    assert.deepEqual(second.conversation.items.slice(0, -1), first.conversation.items);
  });

  test('the first plan recorded for a history stands; other tenants do not see it', async () => {
    const conversation = session(61);
    const a = summarizer('first');
    const b = summarizer('second');
    const [x, y] = await Promise.all([
      compactStably(conversation, options(a.call), { tenant: 'key:2', plans: one }),
      compactStably(conversation, options(b.call), { tenant: 'key:2', plans: two }),
    ]);
    assert.deepEqual(x.conversation.items, y.conversation.items, 'both instances answered with the plan that stood');
    const other = summarizer('other tenant');
    const z = await compactStably(conversation, options(other.call), { tenant: 'key:3', plans: two });
    assert.equal(other.calls(), 1);
    assert.equal(z.report.plan, 'new');
  });
});
