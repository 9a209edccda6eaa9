// The summary cache as one tenant sees it: every key is prefixed with the API key and the
// summarizer model, so no key gets (or learns of, through a free cache hit) another's summary,
// and a summary written by one model is never served as another's.
import { createHash } from 'node:crypto';
import type { Principal } from '../access/catalog.ts';
import type { SummaryCache as SummaryCacheStore } from '../compaction/summarizer.ts';

export function tenantSummaryCache(cache: SummaryCacheStore, principal: Principal, summarizerModel: string): SummaryCacheStore {
  const scope = createHash('sha256').update(`key:${principal.key.id}:${principal.key.keyHash}\0${summarizerModel}`).digest('base64url').slice(0, 22);
  return {
    get: (key) => cache.get(`t:${scope}:${key}`),
    set: (key, value) => cache.set(`t:${scope}:${key}`, value),
  };
}
