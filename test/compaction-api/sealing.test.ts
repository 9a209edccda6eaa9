// Relay-sealed compaction items: they open only under the secret that sealed them, any change
// is detected, and requests carrying them are expanded into plain summary text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactionSealer, SEAL_PREFIX } from '../../src/compaction-api/sealing.ts';
import { inspectInput, endsWithCompactionTrigger, stripForeignReasoning, SUMMARY_PREFIX } from '../../src/compaction-api/sealed-items.ts';

const sealer = new CompactionSealer('a-test-secret-of-enough-length');
const binding = { owner: 'key:1:abc', family: 'gpt-5' };

test('a sealed summary opens back to the same text; blobs differ each time', () => {
  const a = sealer.seal({ summary: 'Goal: fix the parser', model: 'gpt-5.5', createdAt: Math.floor(Date.now() / 1000) }, binding);
  const b = sealer.seal({ summary: 'Goal: fix the parser', model: 'gpt-5.5', createdAt: Math.floor(Date.now() / 1000) }, binding);
  assert.ok(a.startsWith(SEAL_PREFIX));
  assert.notEqual(a, b);
  assert.equal(sealer.open(a, binding).summary, 'Goal: fix the parser');
  assert.ok(!a.includes('parser'), 'the summary is not readable in the blob');
});

test('a tampered blob or one sealed by another relay is rejected as invalid_encrypted_content', () => {
  const blob = sealer.seal({ summary: 'secret plan', model: 'm', createdAt: Math.floor(Date.now() / 1000) }, binding);
  const flipped = blob.slice(0, -5) + (blob.at(-5) === 'A' ? 'B' : 'A') + blob.slice(-4);
  for (const bad of [flipped, new CompactionSealer('another-secret-entirely-xyz').seal({ summary: 'x', model: 'm', createdAt: Math.floor(Date.now() / 1000) }, binding), SEAL_PREFIX + 'AAAA', SEAL_PREFIX]) {
    assert.throws(() => sealer.open(bad, binding), (err: any) => err.status === 400 && err.code === 'invalid_encrypted_content');
  }
});

test('inspectInput expands relay-sealed items and reports upstream-minted blobs', () => {
  const blob = sealer.seal({ summary: 'Files changed: src/a.ts', model: 'm', createdAt: Math.floor(Date.now() / 1000) }, binding);
  const input = [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'task' }] },
    { type: 'compaction', id: 'cmp_1', encrypted_content: blob },
    { type: 'compaction', id: 'cmp_2', encrypted_content: 'gAAAAupstream-blob' },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAreasoning' },
  ];
  const result = inspectInput(input, sealer, binding);
  assert.equal(result.expanded, 1);
  assert.deepEqual(result.upstreamCompaction, ['gAAAAupstream-blob']);
  assert.equal(result.upstreamReasoning, 1);
  const expanded: any = result.input[1];
  assert.equal(expanded.type, 'message');
  assert.equal(expanded.content[0].text, SUMMARY_PREFIX + 'Files changed: src/a.ts');
  assert.ok(!JSON.stringify(result.input).includes(SEAL_PREFIX));
  assert.equal(input[1].type, 'compaction', 'the caller\'s array is not mutated');
  assert.equal(stripForeignReasoning(result.input).length, 3, 'encrypted reasoning without a summary is dropped');
  assert.throws(() => inspectInput([{ type: 'compaction', encrypted_content: blob.slice(0, -2) }], sealer, binding), /could not be verified/);
});

test('endsWithCompactionTrigger recognises Codex v2 requests only', () => {
  assert.equal(endsWithCompactionTrigger([{ type: 'message' }, { type: 'compaction_trigger' }]), true);
  assert.equal(endsWithCompactionTrigger([{ type: 'compaction_trigger' }, { type: 'message' }]), false);
  assert.equal(endsWithCompactionTrigger('text'), false);
});
