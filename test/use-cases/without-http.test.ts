// Use cases driven with no server and no socket: a request scope, an in-memory response sink
// and only the deps each one declares. The Codex compaction hand-off answers with one sealed
// `compaction` item (whole and streamed); counting tokens with no Anthropic channel estimates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { answerCompactionTrigger, type CodexTriggerDeps } from '../../src/compaction-api/codex-trigger.ts';
import { CompactionSealer } from '../../src/compaction-api/sealing.ts';
import { sealBindingOf } from '../../src/compaction-api/seal-binding.ts';
import { countTokens } from '../../src/use-cases/count-tokens.ts';
import type { ForwardDeps } from '../../src/use-cases/forwarding.ts';
import type { Principal } from '../../src/access/catalog.ts';
import type { UsageRow } from '../../src/store/usage-log.ts';
import { memoryScope, memorySink } from '../helpers/memory-sink.ts';

const principal: Principal = {
  key: { id: 7, name: 'dev', keyHash: 'h', keyPrefix: 'cr_', groupName: 'ledger-only', options: {}, createdAt: '2026-01-01T00:00:00Z', revokedAt: null },
  group: { name: 'ledger-only', models: ['gpt-5'], options: { compaction: { strategy: 'ledger' } }, source: 'test' },
};

function triggerDeps(): { deps: CodexTriggerDeps; rows: UsageRow[] } {
  const rows: UsageRow[] = [];
  const deps: CodexTriggerDeps = {
    // The ledger strategy calls no model: neither the catalog nor the upstream pool is read.
    catalog: { get current(): never { throw new Error('the catalog is not read by a ledger compaction'); } },
    agent: undefined as never,
    config: { upstreamTimeoutMs: 1000, upstreamBodyLimitBytes: 1 << 20 },
    usageLog: { record: (row) => void rows.push(row) },
    logger: pino({ level: 'silent' }),
    sealer: new CompactionSealer('test secret'),
  };
  return { deps, rows };
}

const codexBody = (stream: boolean) => ({
  model: 'gpt-5',
  stream,
  instructions: 'You are Codex.',
  input: [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the failing build.' }] },
    { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"command":"make"}' },
    { type: 'function_call_output', call_id: 'c1', output: 'error: missing semicolon in main.c:12' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Fixed main.c.' }] },
    { type: 'compaction_trigger' },
  ],
});

test('the Codex compaction trigger answers one relay-sealed compaction item that opens for the same key and model', async () => {
  const { deps } = triggerDeps();
  const { sink, record } = memorySink();
  const scope = memoryScope(sink, { endpoint: '/v1/responses', principal, model: 'gpt-5' });
  await answerCompactionTrigger({ ctx: scope, deps, principal, model: 'gpt-5', servable: [] }, codexBody(false));
  assert.equal(record.status, 200);
  assert.ok(record.headers['x-compaction-strategy'], 'the compaction headers are on the answer');
  const answer = record.json as { object: string; status: string; output: { type: string; encrypted_content: string }[] };
  assert.equal(answer.object, 'response');
  assert.equal(answer.status, 'completed');
  assert.deepEqual(answer.output.map((i) => i.type), ['compaction']);
  const opened = deps.sealer.open(answer.output[0].encrypted_content, sealBindingOf(principal, 'gpt-5'));
  assert.match(opened.summary, /Fix the failing build/);
  assert.equal(scope.streamed, false);
});

test('streamed, the same hand-off is a Responses event stream from created to completed, then ended', async () => {
  const { deps } = triggerDeps();
  const { sink, record } = memorySink();
  const scope = memoryScope(sink, { endpoint: '/v1/responses', principal, model: 'gpt-5' });
  await answerCompactionTrigger({ ctx: scope, deps, principal, model: 'gpt-5', servable: [] }, codexBody(true));
  assert.equal(record.streaming, true);
  assert.equal(record.ended, true);
  const types = record.chunks.map((c) => /^event: (\S+)/.exec(c)?.[1]);
  assert.deepEqual(types, ['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.completed']);
  const sequence = record.chunks.map((c) => JSON.parse(c.slice(c.indexOf('data: ') + 6)).sequence_number);
  assert.deepEqual(sequence, [0, 1, 2, 3, 4]);
  assert.equal(scope.streamed, true);
});

test('counting tokens with no Anthropic channel answers an estimate, marked as one', async () => {
  const { sink, record } = memorySink();
  const scope = memoryScope(sink, { endpoint: '/v1/messages/count_tokens', principal, model: 'gpt-5' });
  const body = { model: 'gpt-5', messages: [{ role: 'user', content: 'How many tokens is this sentence?' }] };
  // With no Anthropic channel nothing is sent upstream: the pool is never used.
  const deps: ForwardDeps = { logger: pino({ level: 'silent' }), agent: undefined as never, config: { upstreamTimeoutMs: 1000, upstreamBodyLimitBytes: 1 << 20 } };
  await countTokens(scope, deps, { principal, body, raw: Buffer.from(JSON.stringify(body)), model: 'gpt-5', servable: [] });
  assert.equal(record.status, 200);
  assert.equal(record.headers['x-token-count'], 'estimate; o200k_base');
  const { input_tokens } = record.json as { input_tokens: number };
  assert.ok(input_tokens > 5 && input_tokens < 40, `${input_tokens} tokens`);
});
