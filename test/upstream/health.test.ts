// Circuit breakers at the module level: one key's failures open only its own breaker; the
// channel's shared breaker needs failures from several keys; after the cool-down exactly one
// probe goes through, success closes the breaker, and one key failing every probe cannot keep
// the channel shut for everyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelHealthTracker, type CircuitSettings } from '../../src/upstream/health.ts';
import { MemorySharedState } from '../../src/state/shared-state.ts';

const tracker = (settings: Partial<CircuitSettings> = {}) =>
  new ChannelHealthTracker(new MemorySharedState(), { failureThreshold: 3, cooldownMs: 60_000, minKeys: 2, ...settings });

/** Tries the channel as `key` and records a failure, as dispatch does after a retryable answer. */
async function fail(health: ChannelHealthTracker, key: string | undefined, fault = '503', channel = 'c'): Promise<void> {
  const pass = await health.enter(channel, key);
  assert.ok(pass, `${key ?? 'no key'} may try "${channel}"`);
  await health.recordFailure(pass, fault);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one key\'s failures open its own breaker only: that key fails over, other keys and the shared breaker are untouched', async () => {
  const health = tracker();
  for (let i = 0; i < 3; i++) await fail(health, 'noisy');
  assert.equal(await health.isAvailable('c', 'noisy'), false);
  assert.equal(await health.enter('c', 'noisy'), undefined);
  assert.equal(await health.isAvailable('c', 'quiet'), true);
  assert.equal(await health.isAvailable('c'), true);
  const status = await health.status('c');
  assert.equal(status.state, 'closed', 'however many failures, one key cannot open the shared breaker');
  assert.equal(status.consecutiveFailures, 3);
  assert.equal(status.lastError, '503');
  assert.equal(status.openUntil, null);
});

test('the shared breaker opens once the threshold is reached with failures from minKeys distinct keys', async () => {
  const health = tracker();
  await fail(health, 'k1');
  await fail(health, 'k1');
  await fail(health, 'k1', 'ECONNRESET');
  assert.equal((await health.status('c')).state, 'closed', 'three failures, one key');
  await fail(health, 'k2', '502');
  const status = await health.status('c');
  assert.equal(status.state, 'open');
  assert.equal(status.lastError, '502');
  assert.ok(status.openUntil && Date.parse(status.openUntil) > Date.now());
  assert.equal(await health.isAvailable('c', 'k3'), false, 'a key that never failed is kept off the open channel too');
  assert.equal(await health.isAvailable('c'), false);
});

test('a success before the threshold resets the count', async () => {
  const health = tracker({ minKeys: 1 });
  await fail(health, 'k1');
  await fail(health, 'k1');
  const pass = await health.enter('c', 'k1');
  await health.recordSuccess(pass!);
  await fail(health, 'k1');
  await fail(health, 'k1');
  assert.equal((await health.status('c')).state, 'closed');
  assert.equal((await health.status('c')).consecutiveFailures, 2);
  assert.equal((await health.status('c')).lastError, '503', 'the last failure stays visible to operators');
});

test('after the cool-down the breaker is half-open: one probe at a time, and a success closes it', async () => {
  const health = tracker({ minKeys: 1, cooldownMs: 20 });
  for (let i = 0; i < 3; i++) await fail(health, undefined);
  assert.equal((await health.status('c')).state, 'open');
  assert.equal(await health.enter('c'), undefined, 'open: nobody goes through');
  await sleep(30);
  assert.equal((await health.status('c')).state, 'half-open');
  assert.equal(await health.isAvailable('c'), true, 'half-open channels stay candidates');
  const probe = await health.enter('c');
  assert.deepEqual(probe?.probes, ['c']);
  assert.equal(await health.enter('c'), undefined, 'a second request does not probe at the same time');
  await health.recordSuccess(probe!);
  assert.equal((await health.status('c')).state, 'closed');
  const after = await health.enter('c');
  assert.deepEqual(after?.probes, [], 'closed: everyone goes through without a probe');
});

test('an abandoned probe (the client left) is given back without judging the channel', async () => {
  const health = tracker({ minKeys: 1, cooldownMs: 20 });
  for (let i = 0; i < 3; i++) await fail(health, undefined);
  await sleep(30);
  const probe = await health.enter('c');
  assert.ok(probe);
  await health.abandon(probe);
  assert.equal((await health.status('c')).state, 'half-open');
  assert.ok(await health.enter('c'), 'the next request may probe');
});

test('a failed probe reopens the shared breaker only when failures again come from minKeys keys', async () => {
  const health = tracker({ cooldownMs: 20 });
  for (const key of ['k1', 'k1', 'k2']) await fail(health, key);
  assert.equal((await health.status('c')).state, 'open');
  await sleep(30);
  await fail(health, 'k1');
  assert.equal((await health.status('c')).state, 'half-open', 'one key failing the probe does not shut the channel for others');
  await fail(health, 'k2');
  assert.equal((await health.status('c')).state, 'open', 'a second key failing reopens it');
});

test('a key\'s own breaker recovers through its own probe, the channel staying open to the others', async () => {
  const health = tracker({ cooldownMs: 20 });
  for (let i = 0; i < 3; i++) await fail(health, 'k1');
  assert.equal(await health.isAvailable('c', 'k1'), false);
  await sleep(30);
  const probe = await health.enter('c', 'k1');
  assert.equal(probe?.probes.length, 1, 'only the key\'s own breaker needs a probe');
  assert.equal(await health.enter('c', 'k1'), undefined);
  assert.ok(await health.enter('c', 'k2'), 'other keys are not held up by k1\'s probe');
  await health.recordSuccess(probe!);
  assert.deepEqual((await health.enter('c', 'k1'))?.probes, []);
});
