// When a model summary was wanted and the ledger stood in alone, say so: a reason for the header
// and the usage row, a warning log line with the upstream's error (credentials an upstream might
// echo are redacted), a metric; with the group's `fallback: error`, fail instead.
import type { Logger } from 'pino';
import type { RequestScope } from '../request/scope.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import { redactSecrets, type CompactionReport } from '../compaction/index.ts';
import { badGateway, GatewayError } from '../errors.ts';
import type { CompactionPolicy } from './compaction-policy.ts';

/** The fallback reasons, few and fixed (they label a metric). */
export type FallbackReason = 'upstream_error' | 'upstream_timeout' | 'summarizer_unavailable' | 'rate_limited' | 'rejected';

export function fallbackReasonOf(failure: GatewayError | undefined): FallbackReason {
  if (!failure) return 'rejected';
  if (failure.status === 429) return 'rate_limited';
  if (failure.status === 504) return 'upstream_timeout';
  if (failure.status === 503) return 'summarizer_unavailable';
  return 'upstream_error';
}

/** The client's error in `fallback: error` mode: 502, 503 or 504 (429 for the key's own limits), never the summarizer upstream's own 4xx. */
function clientError(failure: GatewayError | undefined, problem: string): GatewayError {
  if (!failure) return badGateway(`The compaction summary was rejected (${problem}) and this key's group does not accept the ledger alone.`, 'summary_rejected');
  if (failure.status >= 500 || failure.status === 429) return failure;
  return badGateway(`The summarizer upstream refused the summary request (${failure.status}): ${failure.message}`, 'summarizer_error');
}

/** Where a fallback is told: the log and the fallback metric. */
export interface FallbackDeps {
  logger: Pick<Logger, 'warn'>;
  metrics?: Pick<RelayMetrics, 'compactionFallback'>;
}

export interface FallbackOutcome {
  reason?: FallbackReason;
  /** Set when the group chose `fallback: error`: the request must fail with it. */
  error?: GatewayError;
}

/** The fallback reason when the engine fell back to the ledger, logged and counted; with `fallback: error`, also the client's error. */
export function settleFallback(ctx: RequestScope, deps: FallbackDeps, policy: CompactionPolicy, report: CompactionReport, failure: GatewayError | undefined): FallbackOutcome {
  const summary = report.summary;
  // A client that went away is no summarizer failure: there is no one to tell, and nothing to count.
  if (policy.strategy !== 'model' || !summary?.fellBackToLedger || ctx.abort.signal.aborted) return {};
  const reason = fallbackReasonOf(failure);
  const problem = summary.error ?? 'unknown';
  const log = { requestId: ctx.id, model: ctx.model, reason, summarizerModel: summary.model ?? undefined, ...(failure ? { status: failure.status, code: failure.code, error: redactSecrets(failure.message) } : { problem }) };
  if (failure) deps.logger.warn(log, 'compaction summary failed upstream; the ledger stands in alone');
  else deps.logger.warn(log, `compaction summary rejected (${problem}); the ledger stands in alone`);
  deps.metrics?.compactionFallback(reason);
  return policy.fallback === 'error' ? { reason, error: clientError(failure, problem) } : { reason };
}
