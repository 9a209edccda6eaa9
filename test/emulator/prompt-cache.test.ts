// The emulator's Anthropic prompt cache behaves like Anthropic's: prefixes of at least 1,024 tokens
// are written at marked blocks, and a later request reads the longest written prefix that ends at
// one of its marks or within 20 blocks before one (and nothing further back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOOKBACK_BLOCKS, MIN_CACHEABLE_TOKENS, PromptCacheEmulator } from '../../src/emulator/messages-endpoint.ts';

const mark = { type: 'ephemeral' };
const turn = (k: number): { role: string; content: Record<string, unknown>[] } => ({ role: k % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `turn ${k}: ${'words '.repeat(100)}` }] });
/** `n` turns, the last one marked. */
function body(n: number): { messages: any[] } {
  const messages = Array.from({ length: n }, (_, k) => turn(k));
  messages[n - 1] = { ...messages[n - 1], content: [{ ...messages[n - 1].content[0], cache_control: mark }] };
  return { messages };
}

test('a mark reads a prefix written up to 20 blocks before it', () => {
  const cache = new PromptCacheEmulator();
  const first = cache.account(body(10));
  assert.equal(first.readTokens, 0);
  assert.equal(first.creationTokens, first.totalTokens, 'the first request writes its whole prefix');
  const near = cache.account(body(10 + LOOKBACK_BLOCKS));
  assert.ok(near.readTokens > 0, 'twenty blocks later, the mark still finds the prefix written at block 10');
  assert.equal(near.readTokens, first.totalTokens);
});

test('nothing is read from further back than the lookback', () => {
  const cache = new PromptCacheEmulator();
  cache.account(body(10));
  const far = cache.account(body(11 + LOOKBACK_BLOCKS));
  assert.equal(far.readTokens, 0, 'twenty-one blocks later the written prefix is out of reach');
});

test('a changed block before the mark means no read: the prefix must match exactly', () => {
  const cache = new PromptCacheEmulator();
  cache.account(body(10));
  const changed = body(14);
  changed.messages[3] = turn(99);
  assert.equal(cache.account(changed).readTokens, 0);
});

test('a prefix shorter than the minimum is neither written nor read', () => {
  const cache = new PromptCacheEmulator();
  const small = { messages: [{ role: 'user', content: [{ type: 'text', text: 'short task', cache_control: mark }] }] };
  assert.equal(cache.account(small).creationTokens, 0, 'nothing written');
  const again = cache.account(body(8));
  assert.equal(again.readTokens, 0);
  assert.ok(again.totalTokens >= MIN_CACHEABLE_TOKENS, 'eight turns pass the minimum');
  assert.equal(again.creationTokens, again.totalTokens, 'and are written whole');
});
