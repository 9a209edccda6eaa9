// The channel router at the module level: the highest priority tier always wins, weights share
// traffic within it in proportion, aliases rename the model sent upstream, and channels are
// filtered by the wire format they speak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelsSpeaking, pickChannel, upstreamModelFor } from '../../src/upstream/router.ts';
import type { ChannelRecord } from '../../src/store/catalog-store.ts';

let nextId = 1;
const channel = (name: string, fields: Partial<ChannelRecord> = {}): ChannelRecord => ({
  id: nextId++, name, type: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', apiKey: '', models: ['m'],
  priority: 0, weight: 1, enabled: true, options: {}, source: 'test', ...fields,
});

/** A deterministic stand-in for Math.random: evenly spread rolls in [0, 1). */
const rolls = (n: number) => {
  let i = 0;
  return () => (i++ % n) / n;
};

test('nothing to choose from gives undefined; a single candidate is always chosen', () => {
  assert.equal(pickChannel([]), undefined);
  const only = channel('only', { weight: 0 });
  assert.equal(pickChannel([only]), only);
});

test('the highest priority tier wins whatever the weights below it', () => {
  const low = channel('low', { priority: 0, weight: 1000 });
  const high = channel('high', { priority: 5, weight: 1 });
  const random = rolls(100);
  for (let i = 0; i < 100; i++) assert.equal(pickChannel([low, high], random)?.name, 'high');
});

test('within a tier, traffic follows the weights', () => {
  const a = channel('a', { weight: 3 });
  const b = channel('b', { weight: 1 });
  const random = rolls(400);
  const counts: Record<string, number> = { a: 0, b: 0 };
  for (let i = 0; i < 400; i++) counts[pickChannel([a, b], random)!.name]++;
  assert.deepEqual(counts, { a: 300, b: 100 });
});

test('a tier whose weights are all zero or negative still serves, from its first channel', () => {
  const a = channel('a', { weight: 0 });
  const b = channel('b', { weight: -2 });
  assert.equal(pickChannel([a, b], () => 0.99)?.name, 'a');
});

test('aliases rename the model sent upstream; other models pass unchanged', () => {
  const c = channel('c', { options: { aliases: { 'gpt-5.5': 'my-deployment' } } });
  assert.equal(upstreamModelFor(c, 'gpt-5.5'), 'my-deployment');
  assert.equal(upstreamModelFor(c, 'gpt-4o-mini'), 'gpt-4o-mini');
});

test('channels are filtered by the wire formats they speak', () => {
  const chat = channel('chat', { type: 'openai-chat' });
  const responses = channel('responses', { type: 'openai-responses' });
  const anthropic = channel('anthropic', { type: 'anthropic' });
  assert.deepEqual(channelsSpeaking([chat, responses, anthropic], ['openai-responses', 'anthropic']).map((c) => c.name), ['responses', 'anthropic']);
});
