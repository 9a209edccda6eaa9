// A client request as every layer below HTTP sees it: who called, what was asked, where it went,
// what it cost, its abort signal, its admission, the client's headers and the sink its answer is
// written to. The HTTP layer builds one per request (http/context.ts adds the socket to it).
import type { Principal } from '../access/catalog.ts';
import type { Admission } from '../access/limits.ts';
import type { UsageRow } from '../store/usage-log.ts';
import type { ResponseSink } from './response-sink.ts';

/** The client's request headers, names in lower case. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface RequestScope {
  readonly id: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  readonly startedIso: string;
  endpoint: string;
  readonly headers: RequestHeaders;
  /** Where the answer goes. */
  readonly sink: ResponseSink;
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

export function markFirstByte(scope: RequestScope): void {
  if (scope.firstByteAt === undefined) scope.firstByteAt = performance.now();
}
