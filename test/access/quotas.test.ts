// Token and cost quotas at the module level: what a key has used is read from the usage log at
// first sight (pruned rows and summaries included), a request reserves what it may cost before
// it is forwarded or is refused up front saying what is left, and the reservation is settled with
// the real charge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costOf, UsageLedger, type PriceTable } from '../../src/access/quotas.ts';
import { MemorySharedState } from '../../src/state/shared-state.ts';
import { openStore, type StoreHandle } from '../../src/store/database.ts';
import type { GatewayError } from '../../src/errors.ts';

const PRICES: PriceTable = { m: { input: 2, cachedInput: 0.5, output: 8 }, cheap: { input: 0.1, output: 0.4 } };

async function withLedger(run: (ledger: UsageLedger, store: StoreHandle) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-quotas-'));
  const store = await openStore({ dataDir: dir });
  try {
    await run(new UsageLedger(store.db, new MemorySharedState(), PRICES), store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const insufficient = (pattern: RegExp) => (err: GatewayError) => err.status === 429 && err.code === 'insufficient_quota' && pattern.test(err.message);
const part = (inputTokens: number, outputTokens: number, model = 'm', cachedTokens = 0) => ({ model, inputTokens, cachedTokens, outputTokens });

test('cost is priced per million tokens, cached input at its own price, unknown models free', () => {
  assert.equal(costOf(PRICES, 'm', 1_000_000, 0, 0), 2);
  assert.equal(costOf(PRICES, 'm', 1_000_000, 1_000_000, 1_000_000), 0.5 + 8);
  assert.equal(costOf(PRICES, 'cheap', 1_000_000, 1_000_000, 0), 0.1, 'cachedInput defaults to the input price');
  assert.equal(costOf(PRICES, 'unknown', 1_000_000, 0, 1_000_000), 0);
  assert.equal(costOf(PRICES, null, 5, 0, 5), 0);
});

test('a token quota: what may be used is reserved up front; one that does not fit what is left is refused, saying so', async () => {
  await withLedger(async (ledger) => {
    const limits = { quotaTokens: 1000 };
    const first = await ledger.reserve('k', limits, 'm', { input: 500, output: 100 });
    assert.deepEqual(first, { tokens: 600, usd: costOf(PRICES, 'm', 500, 0, 100) });
    await assert.rejects(ledger.reserve('k', limits, 'm', { input: 400, output: 100 }), insufficient(/has 400 of its quota of 1000 tokens left; this request may use up to 500 \(400 input, 100 output\)/));
    await ledger.settle('k', first, [part(150, 50)]);
    const second = await ledger.reserve('k', limits, 'm', { input: 700, output: 100 });
    await ledger.settle('k', second, [part(700, 100)]);
    await assert.rejects(ledger.reserve('k', limits, 'm', { input: 1, output: 0 }), insufficient(/has used its quota of 1000 tokens/));
  });
});

test('a cancelled reservation is given back whole', async () => {
  await withLedger(async (ledger) => {
    const held = await ledger.reserve('k', { quotaTokens: 100 }, 'm', { input: 100, output: 0 });
    await assert.rejects(ledger.reserve('k', { quotaTokens: 100 }, 'm', { input: 1, output: 0 }), insufficient(/used its quota/));
    await ledger.cancel('k', held);
    await ledger.reserve('k', { quotaTokens: 100 }, 'm', { input: 100, output: 0 });
  });
});

test('a cost quota refuses what may cost more than is left, and gives back the tokens it counted', async () => {
  await withLedger(async (ledger) => {
    const limits = { quotaUsd: 0.01 };
    const held = await ledger.reserve('k', limits, 'm', { input: 1000, output: 500 });
    assert.equal(held.usd, (1000 * 2 + 500 * 8) / 1_000_000);
    await assert.rejects(ledger.reserve('k', limits, 'm', { input: 1000, output: 1000 }), insufficient(/has \$0\.0040 of its budget of \$0\.01 left; this request may cost up to \$0\.0100/));
    await ledger.settle('k', held, [part(1000, 500)]);
    // Both counters are kept whichever quota is set: the refused request left no tokens behind.
    await assert.rejects(ledger.reserve('k', { quotaTokens: 1500 }, 'm', { input: 1, output: 0 }), insufficient(/used its quota of 1500 tokens/));
    await ledger.reserve('k', { quotaTokens: 1501 }, 'm', { input: 1, output: 0 });
  });
});

test('what a key used before is counted from the usage log: served rows, summaries, pruned totals; not summarizer-call rows', async () => {
  await withLedger(async (ledger, store) => {
    const row = { ts: '2026-01-01T00:00:00Z', request_id: 'r', key_name: 'k', group_name: 'g', model: 'm', channel: 'c', endpoint: '/v1/chat/completions', status: 200, streamed: 0, input_tokens: 300, output_tokens: 100, cached_tokens: 0, reasoning_tokens: 0, latency_ms: 1, summarizer_call: 0 };
    await store.db.insertInto('usage').values([
      row,
      { ...row, request_id: 'r2', channel: null, input_tokens: 0, output_tokens: 0, summarizer_model: 'cheap', summarizer_input_tokens: 150, summarizer_output_tokens: 50 },
      { ...row, request_id: 'r2', summarizer_call: 1, input_tokens: 150, output_tokens: 50 },
      { ...row, key_name: 'someone-else', input_tokens: 10_000 },
    ]).execute();
    await store.db.insertInto('usage_rollup').values({ key_name: 'k', model: 'm', input_tokens: 200, cached_tokens: 0, output_tokens: 0, requests: 3 }).execute();
    // 400 served + 200 summarised + 200 pruned = 800 used; the summarizer's own row is not charged twice.
    await assert.rejects(ledger.reserve('k', { quotaTokens: 1000 }, 'm', { input: 201, output: 0 }), insufficient(/has 200 of its quota of 1000 tokens left/));
    await ledger.reserve('k', { quotaTokens: 1000 }, 'm', { input: 200, output: 0 });
    await ledger.reserve('someone-new', { quotaTokens: 1000 }, 'm', { input: 1000, output: 0 });
  });
});
