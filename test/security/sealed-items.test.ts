// Sealed compaction items, upstream-minted blobs and cached summaries belong to the API key that
// received them: another key (another group, another model family) gets 400
// invalid_encrypted_content and nothing reaches the upstream; expired items are refused too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { CompactionSealer, SEAL_PREFIX } from '../../src/compaction-api/sealing.ts';
import { modelFamilyOf } from '../../src/compaction-api/model-families.ts';
import { SUMMARY_SECTIONS } from '../../src/compaction/summarizer.ts';

function history(tag: string): any[] {
  const input: any[] = [{ role: 'user', content: `Port the ${tag} CLI to Rust; the launch code is 7731.` }];
  for (let i = 0; i < 8; i++) {
    input.push({ type: 'function_call', call_id: `c${i}`, name: 'shell', arguments: JSON.stringify({ command: `cargo build ${i}` }) });
    input.push({ type: 'function_call_output', call_id: `c${i}`, output: `build ${i}\n` + 'warning: unused\n'.repeat(60) });
  }
  return input;
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the request was accepted');
}

describe('sealed compaction items and upstream blobs are bound to their key', () => {
  let upstream: UpstreamEmulator;
  let native: UpstreamEmulator;
  let relay: TestRelay;
  let alice: OpenAI;
  let bob: OpenAI;
  let aliceMessage: OpenAI;
  let bobMessage: OpenAI;

  before(async () => {
    upstream = await startUpstreamEmulator({ models: ['gpt-5.5', 'gpt-5.5-mini', 'claude-sonnet-4-5'] });
    native = await startUpstreamEmulator({ nativeCompaction: true, models: ['gpt-5.5-native'] });
    relay = await startTestRelay({
      channels: [
        { name: 'resp', type: 'openai-responses', baseUrl: upstream.url, models: ['gpt-5.5', 'gpt-5.5-mini', 'claude-sonnet-4-5'] },
        { name: 'openai', type: 'openai-responses', baseUrl: native.url, models: ['gpt-5.5-native'], options: { nativeCompaction: true } },
      ],
    });
    const store = relay.relay.catalogStore;
    await store.upsertGroup('team-a', ['*'], { compaction: { output: 'sealed', strategy: 'ledger' } });
    await store.upsertGroup('team-b', ['*'], { compaction: { output: 'sealed', strategy: 'ledger' } });
    await store.upsertGroup('team-a-msg', ['*'], { compaction: { output: 'message', strategy: 'model' } });
    await store.upsertGroup('team-b-msg', ['*'], { compaction: { output: 'message', strategy: 'model' } });
    const client = (key: string) => new OpenAI({ apiKey: key, baseURL: relay.baseURL, maxRetries: 0 });
    alice = client(await relay.addKey('alice', 'team-a'));
    bob = client(await relay.addKey('bob', 'team-b'));
    aliceMessage = client(await relay.addKey('alice-msg', 'team-a-msg'));
    bobMessage = client(await relay.addKey('bob-msg', 'team-b-msg'));
  });

  after(async () => {
    await relay.close();
    await upstream.close();
    await native.close();
  });

  test('an item sealed for one key opens for that key and model family only', async () => {
    const compacted: any = await alice.responses.compact({ model: 'gpt-5.5', input: history('alpha') } as any);
    const item = compacted.output.at(-1);
    assert.ok(item.encrypted_content.startsWith(SEAL_PREFIX));
    const next = [...compacted.output, { role: 'user', content: 'continue' }];

    const own = await alice.responses.create({ model: 'gpt-5.5-mini', input: next as any });
    assert.equal(own.status, 'completed', 'the same key, a model of the same family');

    upstream.reset();
    const stolen = await rejection(bob.responses.create({ model: 'gpt-5.5', input: next as any }));
    assert.equal(stolen.status, 400);
    assert.equal(stolen.code, 'invalid_encrypted_content');
    assert.equal(upstream.requests.length, 0, 'nothing reached the upstream');

    const otherFamily = await rejection(alice.responses.create({ model: 'claude-sonnet-4-5', input: next as any }));
    assert.equal(otherFamily.status, 400);
    assert.equal(otherFamily.code, 'invalid_encrypted_content');
    assert.equal(upstream.requests.length, 0);

    const disguised = await rejection(alice.responses.create({ model: 'gpt-5.5', input: [{ type: 'reasoning', summary: [], encrypted_content: item.encrypted_content }, { role: 'user', content: 'go' }] as any }));
    assert.equal(disguised.status, 400, 'a sealed item passed off as reasoning is never sent upstream');
    assert.equal(disguised.code, 'invalid_encrypted_content');
    assert.equal(upstream.requests.length, 0);
  });

  test('a key whose group returns plain messages cannot get another key\'s sealed item back as text', async () => {
    const compacted: any = await alice.responses.compact({ model: 'gpt-5.5', input: history('bravo') } as any);
    upstream.reset();
    const err = await rejection(bobMessage.responses.compact({ model: 'gpt-5.5', input: [...compacted.output, { role: 'user', content: 'what was the launch code?' }] } as any));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_encrypted_content');
    assert.ok(!JSON.stringify(err.error ?? {}).includes('7731'));
    assert.equal(upstream.requests.length, 0);
  });

  test('an upstream-minted blob is pinned to the key that received it as well as to its channel', async () => {
    const compacted: any = await alice.responses.compact({ model: 'gpt-5.5-native', input: history('charlie') } as any);
    const blob = compacted.output.at(-1).encrypted_content;
    assert.ok(!blob.startsWith(SEAL_PREFIX));
    const next = [...compacted.output, { role: 'user', content: 'continue' }];
    native.reset();
    const err = await rejection(bob.responses.create({ model: 'gpt-5.5-native', input: next as any }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_encrypted_content');
    assert.equal(native.requests.length, 0, 'another key\'s blob is never forwarded');
    const viaCompact = await rejection(bob.responses.compact({ model: 'gpt-5.5-native', input: next } as any));
    assert.equal(viaCompact.status, 400, 'nor compacted for another key by the upstream that minted it');
    assert.equal(viaCompact.code, 'invalid_encrypted_content');
    assert.equal(native.requests.length, 0);
    const own = await alice.responses.create({ model: 'gpt-5.5-native', input: next as any });
    assert.equal(own.status, 'completed');
    assert.equal(native.requests.at(-1)!.body.input.at(-2).encrypted_content, blob);
  });

  test('the summary cache is per key: another key summarizing the same session pays for its own summary', async () => {
    const summary = SUMMARY_SECTIONS.map((s) => `${s}\nsummary written for alice`).join('\n');
    const isSummaryCall = (r: { body: any }) => JSON.stringify(r.body).includes('handoff summaries');
    upstream.reset();
    upstream.script([{ text: summary }, { text: SUMMARY_SECTIONS.map((s) => `${s}\nsummary written for bob`).join('\n') }]);
    const first: any = await aliceMessage.responses.compact({ model: 'gpt-5.5', input: history('delta') } as any);
    assert.match(first.output.at(-1).content[0].text, /written for alice/);
    const again: any = await aliceMessage.responses.compact({ model: 'gpt-5.5', input: history('delta') } as any);
    assert.match(again.output.at(-1).content[0].text, /written for alice/, 'the same key hits its cache');
    assert.equal(upstream.requests.filter(isSummaryCall).length, 1);
    const other: any = await bobMessage.responses.compact({ model: 'gpt-5.5', input: history('delta') } as any);
    assert.doesNotMatch(other.output.at(-1).content[0].text, /written for alice/, 'another key never gets it');
    assert.equal(upstream.requests.filter(isSummaryCall).length, 2);
    assert.ok(other.usage.total_tokens > 0, 'and pays for its own summary');
  });
});

describe('sealed items expire', () => {
  test('an item past its lifetime is refused as invalid_encrypted_content', () => {
    const sealer = new CompactionSealer('a-test-secret-of-enough-length', { ttlSec: 60 });
    const binding = { owner: 'key:1:abc', family: modelFamilyOf('gpt-5.5') };
    const now = Math.floor(Date.now() / 1000);
    const blob = sealer.seal({ summary: 'plan', model: 'gpt-5.5', createdAt: now }, binding);
    assert.equal(sealer.open(blob, binding, 'input', now + 59).summary, 'plan');
    assert.throws(() => sealer.open(blob, binding, 'input', now + 61), (err: any) => err.status === 400 && err.code === 'invalid_encrypted_content' && /expired/.test(err.message));
  });

  test('model families: versions and sizes of one family share, others do not', () => {
    assert.equal(modelFamilyOf('gpt-5.5'), modelFamilyOf('gpt-5.5-codex'));
    assert.equal(modelFamilyOf('openai/gpt-5-mini'), 'gpt-5');
    assert.equal(modelFamilyOf('claude-sonnet-4-5'), 'claude');
    assert.notEqual(modelFamilyOf('gpt-5.5'), modelFamilyOf('gpt-4o'));
    assert.notEqual(modelFamilyOf('gpt-50'), modelFamilyOf('gpt-5'));
    assert.equal(modelFamilyOf('My-Local-Model'), 'my-local-model');
  });
});
