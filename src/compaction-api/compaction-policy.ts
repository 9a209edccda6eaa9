// What compaction a request gets: the model's context window (channel setting, else a table of
// known model families), and the group's choices of strategy, summarizer model, output form and
// what to do when the model summary fails.
import type { z } from 'zod';
import type { GroupRecord, ChannelRecord } from '../store/catalog-store.ts';
import type { compactionFallbackSchema, compactionOutputSchema, compactionStrategySchema } from '../access/catalog-schema.ts';
import { familyContextWindow } from './model-families.ts';

export type CompactionStrategy = z.infer<typeof compactionStrategySchema>;
/** `message`: the summary as an assistant message anyone can read; `sealed`: one sealed compaction item. */
export type CompactionOutputForm = z.infer<typeof compactionOutputSchema>;

/** `ledger`: the ledger stands in for a failed model summary (said in a header); `error`: the request fails with 502/503/504. */
export type CompactionFallback = z.infer<typeof compactionFallbackSchema>;

export interface CompactionPolicy {
  strategy: CompactionStrategy;
  fallback: CompactionFallback;
  /** Model that writes summaries; defaults to the request's own model. */
  summarizerModel?: string;
  outputForm: CompactionOutputForm;
}

/** The window assumed for a model neither its channel nor the family table knows: deliberately modest. */
export const FALLBACK_CONTEXT_WINDOW = 128_000;

export function contextWindowFor(model: string, channel?: ChannelRecord): number {
  if (channel?.options.contextWindow) return channel.options.contextWindow;
  return familyContextWindow(model) ?? FALLBACK_CONTEXT_WINDOW;
}

/** The window every one of `channels` can take (the smallest), so that any of them may serve the compacted request. */
export function servingWindowFor(model: string, channels: ChannelRecord[]): number {
  if (channels.length === 0) return contextWindowFor(model);
  return Math.min(...channels.map((c) => contextWindowFor(model, c)));
}

/** The group's compaction options (checked by the store against access/catalog-schema.ts) with their defaults filled in. */
export function compactionPolicyOf(group: GroupRecord): CompactionPolicy {
  const options = group.options.compaction ?? {};
  return {
    strategy: options.strategy ?? 'model',
    summarizerModel: options.summarizerModel,
    outputForm: options.output ?? 'message',
    fallback: options.fallback ?? 'ledger',
  };
}
