// One table of model families serves both the sealing of compaction items (which models may read
// each other's) and the context window assumed when a channel sets none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyContextWindow, modelFamilyOf } from '../../src/compaction-api/model-families.ts';
import { contextWindowFor, FALLBACK_CONTEXT_WINDOW } from '../../src/compaction-api/compaction-policy.ts';

test('a family is a known prefix ending at the end of the name, a dash or a dot, after any provider prefix', () => {
  assert.equal(modelFamilyOf('gpt-4.1-mini'), 'gpt-4.1');
  assert.equal(modelFamilyOf('gpt-4o-2024-08-06'), 'gpt-4o');
  assert.equal(modelFamilyOf('gpt-4-turbo'), 'gpt-4');
  assert.equal(modelFamilyOf('openrouter/anthropic/claude-sonnet-4-5'), 'claude');
  assert.equal(modelFamilyOf('llama3.1:8b'), 'llama3.1:8b', 'a name that only starts like a family is its own');
});

test('the window of a known family, the channel’s own setting first, a modest fallback otherwise', () => {
  assert.equal(familyContextWindow('gpt-5.5-codex'), 272_000);
  assert.equal(familyContextWindow('openai/gpt-4o'), 128_000);
  assert.equal(familyContextWindow('claude-opus-4-1'), 200_000);
  assert.equal(familyContextWindow('gpt-4-turbo'), undefined, 'a family without a known window');
  assert.equal(contextWindowFor('my-local-model'), FALLBACK_CONTEXT_WINDOW);
  assert.equal(contextWindowFor('gpt-4.1'), 1_000_000);
  const channel = { options: { contextWindow: 32_768 } } as Parameters<typeof contextWindowFor>[1];
  assert.equal(contextWindowFor('gpt-4.1', channel), 32_768);
});
