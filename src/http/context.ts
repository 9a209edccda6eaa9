// Per-request state carried from the route to the usage log: who called, what was asked, where
// it went and what it cost. One usage row is written from it when the response closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../access/catalog.ts';
import type { UsageRow } from '../store/usage-log.ts';
import type { Admission } from '../access/limits.ts';

export interface RequestContext {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly startedIso: string;
  endpoint: string;
  principal?: Principal;
  model?: string;
  channel?: string;
  streamed: boolean;
  /** performance.now() when the first response byte was written. */
  firstByteAt?: number;
  errorCode?: string;
  usage: Pick<UsageRow, 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'reasoning_tokens'>;
  compaction?: Pick<UsageRow, 'compaction_strategy' | 'compaction_tokens_before' | 'compaction_tokens_after' | 'summarizer_model' | 'summarizer_input_tokens' | 'summarizer_output_tokens' | 'compaction_fallback'>;
  /** Aborted when the client goes away before the response is complete. */
  readonly abort: AbortController;
  /** Set once the answer's terminal event was written: a client closing after it is not a 499. */
  completed?: boolean;
  /** Limits and quotas taken for this request, given back when it ends. */
  admission?: Admission;
}

export function markFirstByte(ctx: RequestContext): void {
  if (ctx.firstByteAt === undefined) ctx.firstByteAt = performance.now();
}

/** The longest client- or upstream-chosen string a usage row keeps (model, path, error code); longer ones are cut. */
export const USAGE_STRING_MAX = 256;

const capped = (value: string | null | undefined): string | null =>
  value == null ? null : value.length > USAGE_STRING_MAX ? value.slice(0, USAGE_STRING_MAX - 1) + '…' : value;

export function usageRowOf(ctx: RequestContext, status: number): UsageRow {
  const now = performance.now();
  return {
    ts: ctx.startedIso,
    request_id: ctx.id,
    key_name: ctx.principal?.key.name ?? null,
    group_name: ctx.principal?.group.name ?? null,
    model: capped(ctx.model),
    channel: ctx.channel ?? null,
    endpoint: capped(ctx.endpoint) ?? '',
    status,
    streamed: ctx.streamed ? 1 : 0,
    ...ctx.usage,
    latency_ms: Math.round(now - ctx.startedAt),
    ttfb_ms: ctx.firstByteAt === undefined ? null : Math.round(ctx.firstByteAt - ctx.startedAt),
    error_code: capped(ctx.errorCode),
    ...ctx.compaction,
    summarizer_model: capped(ctx.compaction?.summarizer_model),
  };
}
