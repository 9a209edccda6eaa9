// The summarizer the compaction engine calls when a model summary is wanted: one non-streaming
// request through dispatch, like every upstream call (affinity, failover, retries, circuits,
// metrics), within one deadline across all tries, written as its own usage row marked as a
// summarizer call. The last failure is kept so the caller can say why the ledger stood in.
import type { Agent } from 'undici';
import type { RequestScope } from '../request/scope.ts';
import { NO_CLIENT_SINK } from '../request/response-sink.ts';
import { usageRowOf } from '../request/usage-row.ts';
import type { RelayConfig } from '../config/config.ts';
import type { UsageLog } from '../store/usage-log.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { dispatch, type DispatchDeps } from '../upstream/dispatch.ts';
import { ClientGoneError, sendUpstream } from '../upstream/send.ts';
import { recordUsage } from '../upstream/relay-response.ts';
import { badGateway, gatewayTimeout, toGatewayError, unavailable, type GatewayError } from '../errors.ts';
import { readBoundedText, tooLargeError, UpstreamBodyTooLarge } from '../upstream/bounded-body.ts';
import type { SummarizeCall } from '../compaction/index.ts';

import { summaryRequest } from './summary-request.ts';

type SummarizeResult = Awaited<ReturnType<SummarizeCall>>;

/** What a summary call needs beyond dispatch: the upstream connection pool, time and size limits, and where its usage row goes. */
export interface SummarizerDeps extends DispatchDeps {
  agent: Agent;
  config: Pick<RelayConfig, 'upstreamTimeoutMs' | 'upstreamBodyLimitBytes'>;
  usageLog: Pick<UsageLog, 'record'>;
  metrics?: Pick<RelayMetrics, 'upstreamError' | 'observe'>;
}

export interface SummarizerTarget {
  /** The client request the compaction serves: its key, its abort signal, its request id. */
  ctx: RequestScope;
  deps: SummarizerDeps;
  /** The model that writes the summary, as the client names it. */
  model: string;
  channels: ChannelRecord[];
  /** The session's affinity key (prompt_cache_key, session headers). */
  affinityKey?: string;
}

export interface ChannelSummarizer {
  call: SummarizeCall;
  /** The error of the last failed call, typed for the client (502, 503 or 504); undefined after a success. */
  readonly failure: GatewayError | undefined;
}

/** One deadline for a summary across every try: the longest channel timeout, else the relay's. */
export function summarizerDeadlineMs(channels: ChannelRecord[], defaultMs: number): number {
  return Math.max(...channels.map((c) => c.options.timeoutMs ?? defaultMs), 1);
}

/** A context of its own for the summarizer call, so its channel, usage and status land on their own row. */
function summarizerContext(parent: RequestScope, model: string, abort: AbortController): RequestScope {
  return {
    id: parent.id,
    headers: parent.headers,
    sink: NO_CLIENT_SINK,
    startedAt: performance.now(),
    startedIso: new Date().toISOString(),
    endpoint: parent.endpoint,
    principal: parent.principal,
    model,
    streamed: false,
    usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 },
    abort,
  };
}

export function channelSummarizer(target: SummarizerTarget): ChannelSummarizer {
  const { ctx: parent, deps, model, channels } = target;
  const state: { failure: GatewayError | undefined } = { failure: undefined };
  const call: SummarizeCall = async (req) => {
    if (channels.length === 0) {
      state.failure = unavailable(`No enabled channel can write summaries with the model "${model}".`, 'summarizer_unavailable');
      throw state.failure;
    }
    const deadlineMs = summarizerDeadlineMs(channels, deps.config.upstreamTimeoutMs);
    const deadline = Date.now() + deadlineMs;
    const abort = new AbortController();
    const child = summarizerContext(parent, model, abort);
    const onParentAbort = () => abort.abort();
    parent.abort.signal.addEventListener('abort', onParentAbort);
    // A backstop: each try's own time-outs end at the deadline, this ends a try that ignores them.
    const backstop = setTimeout(() => abort.abort(), deadlineMs + 250);
    let result: SummarizeResult | undefined;
    let upstreamModelUsed = model;
    try {
      await dispatch({
        ctx: child,
        deps,
        model,
        candidates: channels,
        ...(target.affinityKey ? { affinityKey: target.affinityKey } : {}),
        attempt: (channel, upstreamModel) => {
          const remaining = deadline - Date.now();
          if (remaining <= 0) {
            abort.abort();
            throw new ClientGoneError();
          }
          upstreamModelUsed = upstreamModel;
          const summary = summaryRequest(channel, upstreamModel, req);
          return sendUpstream(deps.agent, { channel, path: summary.path, body: JSON.stringify(summary.body), signal: abort.signal, timeoutMs: remaining });
        },
        relay: async (channel, response) => {
          let answer: unknown;
          try {
            answer = JSON.parse(await readBoundedText(response.body, deps.config.upstreamBodyLimitBytes));
          } catch (err) {
            if (err instanceof UpstreamBodyTooLarge) throw tooLargeError(channel.name, err);
            if (abort.signal.aborted) throw new ClientGoneError();
            throw badGateway(`Summarizer channel "${channel.name}" answered with a body that is not JSON.`, 'upstream_bad_response', err);
          }
          const { text, usage } = summaryRequest(channel, upstreamModelUsed, req).read(answer);
          recordUsage(child, usage);
          result = { text, model: upstreamModelUsed, inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
        },
      });
    } catch (err) {
      if (parent.abort.signal.aborted) throw new ClientGoneError();
      const error = abort.signal.aborted
        ? gatewayTimeout(`The summarizer (model "${model}") did not answer within ${deadlineMs} ms, across all tries.`, 'summarizer_timeout')
        : toGatewayError(err);
      state.failure = error;
      child.errorCode = error.code ?? error.type;
      writeRow(deps, child, error.status, upstreamModelUsed);
      throw error;
    } finally {
      clearTimeout(backstop);
      parent.abort.signal.removeEventListener('abort', onParentAbort);
    }
    state.failure = undefined;
    writeRow(deps, child, 200, upstreamModelUsed);
    return result!;
  };
  return {
    call,
    get failure() {
      return state.failure;
    },
  };
}

function writeRow(deps: SummarizerDeps, child: RequestScope, status: number, upstreamModel: string): void {
  const row = { ...usageRowOf(child, status), summarizer_call: 1, summarizer_model: upstreamModel };
  deps.usageLog.record(row);
  deps.metrics?.observe(row, 'summarizer');
}
