// Admission control at the module level, with no HTTP server: requests, tokens and concurrency per
// key and per group; what a request may use is reserved before it is forwarded (one that can never
// fit is refused up front, holding nothing) and reconciled with the real charge when it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessLimiter, limitsOf, resetDelay } from '../../src/access/limits.ts';
import { UsageLedger } from '../../src/access/quotas.ts';
import type { Principal } from '../../src/access/catalog.ts';
import type { GroupOptions, KeyOptions } from '../../src/access/catalog-schema.ts';
import { MemorySharedState } from '../../src/state/shared-state.ts';
import { openStore, type StoreHandle } from '../../src/store/database.ts';
import type { GatewayError } from '../../src/errors.ts';

let nextId = 1;
function principal(keyName: string, keyOptions: KeyOptions = {}, groupOptions: GroupOptions = {}, groupName = 'team'): Principal {
  return {
    key: { id: nextId++, name: keyName, keyHash: 'h', keyPrefix: 'p', groupName, options: keyOptions, createdAt: '2026-01-01T00:00:00Z', revokedAt: null },
    group: { name: groupName, models: ['*'], options: groupOptions, source: 'test' },
  };
}

/** A limiter over fresh in-memory state and an empty SQLite usage log. */
async function withLimiter(run: (limiter: AccessLimiter, store: StoreHandle) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-limits-'));
  const store = await openStore({ dataDir: dir });
  try {
    const state = new MemorySharedState();
    await run(new AccessLimiter(state, new UsageLedger(store.db, state, {})), store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const estimate = (input: number, output = 0) => () => ({ input, output });
const charge = (inputTokens: number, outputTokens = 0) => [{ model: 'm', inputTokens, cachedTokens: 0, outputTokens }];
const is429 = (code: string, pattern?: RegExp) => (err: GatewayError) => err.status === 429 && err.code === code && (!pattern || pattern.test(err.message));

test('limitsOf keeps positive finite numbers only; resetDelay is written the way OpenAI writes it', () => {
  assert.deepEqual(limitsOf({ rpm: 5, tpm: 0, concurrency: -1, quotaTokens: Number.NaN, quotaUsd: 2.5 }), { rpm: 5, tpm: undefined, concurrency: undefined, quotaTokens: undefined, quotaUsd: 2.5 });
  assert.equal(resetDelay(250), '250ms');
  assert.equal(resetDelay(1000), '1s');
  assert.equal(resetDelay(360_000), '6m0s');
});

test('without limits a request is admitted without estimating it', async () => {
  await withLimiter(async (limiter) => {
    const admission = await limiter.admit(principal('k'), 'm', () => assert.fail('no estimate needed'));
    assert.deepEqual(admission.headers, {});
    await admission.release(charge(10));
  });
});

test('requests per minute: admitted with rate-limit headers until the limit, then 429 with retry-after', async () => {
  await withLimiter(async (limiter) => {
    const who = principal('k', { rpm: 2 });
    const first = await limiter.admit(who, 'm', estimate(1));
    assert.equal(first.headers['x-ratelimit-limit-requests'], '2');
    assert.equal(first.headers['x-ratelimit-remaining-requests'], '1');
    assert.match(first.headers['x-ratelimit-reset-requests'], /^\d+(ms|s|m\d+s)$/);
    assert.equal((await limiter.admit(who, 'm', estimate(1))).headers['x-ratelimit-remaining-requests'], '0');
    await assert.rejects(limiter.admit(who, 'm', estimate(1)), (err: GatewayError) => is429('rate_limit_exceeded', /key "k": 2 requests per minute/)(err) && Number(err.headers['retry-after']) >= 1);
  });
});

test('a group\'s limits are shared by all its keys', async () => {
  await withLimiter(async (limiter) => {
    await limiter.admit(principal('a', {}, { rpm: 1 }), 'm', estimate(1));
    await assert.rejects(limiter.admit(principal('b', {}, { rpm: 1 }), 'm', estimate(1)), is429('rate_limit_exceeded', /group "team"/));
    await limiter.admit(principal('c', {}, { rpm: 1 }, 'other'), 'm', estimate(1));
  });
});

test('tokens per minute: a request that can never fit is refused up front, holding nothing', async () => {
  await withLimiter(async (limiter) => {
    const who = principal('k', { tpm: 1000 });
    await assert.rejects(limiter.admit(who, 'm', estimate(900, 200)), (err: GatewayError) => is429('rate_limit_exceeded', /may use up to 1100 tokens \(900 input, 200 output\) and the limit is 1000/)(err) && err.headers['x-should-retry'] === 'false');
    const whole = await limiter.admit(who, 'm', estimate(1000));
    assert.equal(whole.headers['x-ratelimit-remaining-tokens'], '0', 'the refused request reserved nothing');
  });
});

test('tokens per minute: the estimate is reserved, and the real charge replaces it when the request ends', async () => {
  await withLimiter(async (limiter) => {
    const who = principal('k', { tpm: 1000 });
    const first = await limiter.admit(who, 'm', estimate(500, 100));
    assert.equal(first.headers['x-ratelimit-remaining-tokens'], '400');
    await assert.rejects(limiter.admit(who, 'm', estimate(500)), is429('rate_limit_exceeded', /1000 tokens per minute \(this request may use up to 500\)/));
    await first.release(charge(80, 20));
    const second = await limiter.admit(who, 'm', estimate(800));
    assert.equal(second.headers['x-ratelimit-remaining-tokens'], '100', 'only the 100 really used stays charged');
    await second.release(charge(850, 50));
    await assert.rejects(limiter.admit(who, 'm', estimate(100)), is429('rate_limit_exceeded'), 'a charge above the reservation is added');
  });
});

test('reserveMore adds to the reservation (a summary) or refuses, taking nothing, when it no longer fits', async () => {
  await withLimiter(async (limiter) => {
    const who = principal('k', { tpm: 1000 });
    const admission = await limiter.admit(who, 'm', estimate(300));
    await admission.reserveMore({ input: 400, output: 100 }, 'summarizer');
    await assert.rejects(admission.reserveMore({ input: 300, output: 0 }, 'summarizer'), is429('rate_limit_exceeded'));
    const probe = await limiter.admit(who, 'm', estimate(200));
    assert.equal(probe.headers['x-ratelimit-remaining-tokens'], '0', '300 + 500 held, the refused 300 not');
    await probe.release(charge(0));
    await admission.release(charge(100));
    assert.equal((await limiter.admit(who, 'm', estimate(900))).headers['x-ratelimit-remaining-tokens'], '0', 'release settles everything held, the summary included');
  });
});

test('concurrency: a slot per request in flight, given back on release', async () => {
  await withLimiter(async (limiter) => {
    const who = principal('k', { concurrency: 1 });
    const first = await limiter.admit(who, 'm', estimate(1));
    await assert.rejects(limiter.admit(who, 'm', estimate(1)), is429('concurrency_limit_exceeded', /at most 1 at a time/));
    await first.release([]);
    await (await limiter.admit(who, 'm', estimate(1))).release([]);
  });
});

test('a refusal by a later limit gives back what earlier ones took', async () => {
  await withLimiter(async (limiter) => {
    const busy = principal('other', {}, { concurrency: 1 });
    const holding = await limiter.admit(busy, 'm', estimate(1));
    const who = principal('k', { tpm: 1000, rpm: 10 }, { concurrency: 1 });
    await assert.rejects(limiter.admit(who, 'm', estimate(600)), is429('concurrency_limit_exceeded', /group "team"/));
    await holding.release([]);
    const admitted = await limiter.admit(who, 'm', estimate(1000));
    assert.equal(admitted.headers['x-ratelimit-remaining-tokens'], '0', 'the refused request\'s 600 tokens were given back');
  });
});
