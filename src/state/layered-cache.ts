// A summary cache in two layers: the fast shared one (Redis) in front of the durable store, so a
// summary written by any instance is found by all of them, and survives a Redis flush.
import type { SummaryCache as SummaryCacheStore } from '../compaction/summarizer.ts';

export function layeredSummaryCache(fast: SummaryCacheStore, durable: SummaryCacheStore): SummaryCacheStore {
  return {
    async get(key) {
      const hit = await fast.get(key).catch(() => undefined);
      if (hit !== undefined) return hit;
      const stored = await durable.get(key);
      if (stored !== undefined) await fast.set(key, stored).catch(() => undefined);
      return stored;
    },
    async set(key, value) {
      await Promise.all([fast.set(key, value).catch(() => undefined), durable.set(key, value)]);
    },
  };
}
