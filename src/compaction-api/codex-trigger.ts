// Codex v2 compaction: a /v1/responses request whose input ends with `compaction_trigger` is
// answered by the relay itself with exactly one relay-sealed `compaction` item and real usage.
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../json.ts';
import { adapterFor } from '../adapters/registry.ts';
import { compactionHeaders, runHandoff, type CompactionContext, type CompactionDeps } from './compaction-service.ts';
import type { CompactionSealer } from './sealing.ts';
import { sealBindingOf } from './seal-binding.ts';
import { ResponsesStreamWriter } from './responses-stream-writer.ts';
import { responsesUsage } from '../adapters/responses/usage.ts';

/** What the hand-off needs beyond compaction: the sealer that seals the one `compaction` item. */
export interface CodexTriggerDeps extends CompactionDeps {
  sealer: CompactionSealer;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export async function answerCompactionTrigger(c: CompactionContext<CodexTriggerDeps>, body: JsonObject): Promise<void> {
  const input = (body.input as unknown[]).slice(0, -1);
  const conversation = adapterFor('responses').decodeConversation({ input, instructions: body.instructions });
  const handoff = await runHandoff(c, conversation);
  const createdAt = Math.floor(Date.now() / 1000);
  const item = {
    type: 'compaction',
    id: newId('cmp'),
    encrypted_content: c.deps.sealer.seal({ summary: handoff.summaryText, model: c.model, createdAt }, sealBindingOf(c.principal, c.model)),
  };
  const summary = handoff.report.summary;
  const inputTokens = summary?.inputTokens ?? 0;
  const outputTokens = summary?.outputTokens ?? 0;
  const usage = responsesUsage({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens: 0, reasoningTokens: 0 });
  c.ctx.usage = { input_tokens: inputTokens, output_tokens: outputTokens, cached_tokens: 0, reasoning_tokens: 0 };
  const id = newId('resp');
  if (body.stream !== true) {
    c.ctx.sink.sendJson(200, { id, object: 'response', created_at: createdAt, status: 'completed', model: c.model, output: [item], usage }, compactionHeaders(handoff));
    return;
  }
  c.ctx.streamed = true;
  const out = c.ctx.sink.startEventStream(200, compactionHeaders(handoff));
  const writer = new ResponsesStreamWriter(out, { id, model: c.model, createdAt });
  writer.started();
  writer.itemAdded(0, item);
  writer.itemDone(0, item);
  writer.completed([item], usage);
  out.end();
}
