// The usage row a request scope becomes when its answer closes (or a summarizer call its own):
// who, what, where, what it cost, how long it took; client-chosen strings capped.
import type { UsageRow } from '../store/usage-log.ts';
import type { RequestScope } from './scope.ts';

/** The longest client- or upstream-chosen string a usage row keeps (model, path, error code); longer ones are cut. */
export const USAGE_STRING_MAX = 256;

const capped = (value: string | null | undefined): string | null =>
  value == null ? null : value.length > USAGE_STRING_MAX ? value.slice(0, USAGE_STRING_MAX - 1) + '…' : value;

export function usageRowOf(scope: RequestScope, status: number): UsageRow {
  const now = performance.now();
  return {
    ts: scope.startedIso,
    request_id: scope.id,
    key_name: scope.principal?.key.name ?? null,
    group_name: scope.principal?.group.name ?? null,
    model: capped(scope.model),
    channel: scope.channel ?? null,
    endpoint: capped(scope.endpoint) ?? '',
    status,
    streamed: scope.streamed ? 1 : 0,
    ...scope.usage,
    latency_ms: Math.round(now - scope.startedAt),
    ttfb_ms: scope.firstByteAt === undefined ? null : Math.round(scope.firstByteAt - scope.startedAt),
    error_code: capped(scope.errorCode),
    ...scope.compaction,
    summarizer_model: capped(scope.compaction?.summarizer_model),
  };
}
