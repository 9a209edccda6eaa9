// The two ways a model request reaches an upstream: to a channel of the client's own wire format
// (body untouched but for the model alias), or translated to the channel's format and back.
import type { Agent } from 'undici';
import type { RequestScope } from '../request/scope.ts';
import type { RelayConfig } from '../config/config.ts';
import type { SharedState } from '../state/state-contract.ts';
import type { JsonObject } from '../json.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { dispatch, type DispatchDeps } from '../upstream/dispatch.ts';
import { sendUpstream } from '../upstream/send.ts';
import { relayUpstreamResponse } from '../upstream/relay-response.ts';
import { forwardableHeaders } from '../upstream/forward-headers.ts';
import { affinityKeyOf } from '../upstream/affinity-key.ts';
import { relayTranslated, type TranslationOptions } from '../translate/relay-translated.ts';
import { rememberIssuer } from '../upstream/blob-issuer.ts';
import { adapterFor, type WireFormat } from '../adapters/registry.ts';
import type { AnswerEncoder } from '../adapters/adapter.ts';

/** What forwarding reads beyond dispatch: the upstream connection pool, time and size limits, and shared state for blob issuers. */
export interface ForwardDeps extends DispatchDeps {
  agent: Agent;
  config: Pick<RelayConfig, 'upstreamTimeoutMs' | 'upstreamBodyLimitBytes'>;
  state?: Pick<SharedState, 'getAffinity' | 'setAffinity'>;
}

export interface ForwardOptions {
  model: string;
  candidates: ChannelRecord[];
  /** Extra headers on the client response (e.g. what compaction did). */
  responseHeaders?: Record<string, string>;
  /** Only this channel may serve the request (upstream-minted encrypted content). */
  pinnedChannel?: string;
  /** The client's bytes for `body`, when the route left it unmodified: sent as they are (no re-serialization). */
  rawBody?: Buffer;
  /** Responses clients served by translation: keeps the finished answer for later turns. */
  onResponse?: TranslationOptions['onResponse'];
}

export async function forwardSameWire(ctx: RequestScope, deps: ForwardDeps, format: WireFormat, body: JsonObject, options: ForwardOptions): Promise<void> {
  // Usage is tapped from every stream: one that reports it only when asked is asked, and the report hidden if the client did not ask.
  const hideUsageChunk = adapterFor(format).askStreamUsage(body);
  const raw = hideUsageChunk ? undefined : options.rawBody;
  await dispatch({
    ctx,
    deps,
    model: options.model,
    candidates: options.candidates,
    affinityKey: affinityKeyOf(ctx.headers, body, ctx.principal),
    ...(options.pinnedChannel ? { pinnedChannel: options.pinnedChannel } : {}),
    attempt: (channel, upstreamModel) => sendUpstream(deps.agent, {
      channel,
      path: adapterFor(format).upstreamPath,
      body: upstreamModel !== options.model ? JSON.stringify({ ...body, model: upstreamModel }) : raw ?? JSON.stringify(body),
      headers: forwardableHeaders(ctx.headers),
      signal: ctx.abort.signal,
      timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
    }),
    relay: (channel, response) => relayUpstreamResponse(ctx, response, {
      format,
      channel,
      hideUsageChunk,
      headers: options.responseHeaders,
      bodyLimitBytes: deps.config.upstreamBodyLimitBytes,
      onEncryptedContent: (blob: string) => rememberIssuer(deps.state, blob, channel.name, ctx.principal),
    }),
  });
}

export interface TranslatedForward extends ForwardOptions {
  /** The body in the upstream's format, already translated. */
  upstreamBody: JsonObject;
  upstreamFormat: WireFormat;
  /** Encodes the answer in the client's format. */
  answer: AnswerEncoder;
  /** The client's body, for the session identity. */
  clientBody: JsonObject;
}

export async function forwardTranslated(ctx: RequestScope, deps: ForwardDeps, options: TranslatedForward): Promise<void> {
  const body = options.upstreamBody;
  await dispatch({
    ctx,
    deps,
    model: options.model,
    candidates: options.candidates,
    affinityKey: affinityKeyOf(ctx.headers, options.clientBody, ctx.principal),
    ...(options.pinnedChannel ? { pinnedChannel: options.pinnedChannel } : {}),
    attempt: (channel, upstreamModel) => sendUpstream(deps.agent, {
      channel,
      path: adapterFor(options.upstreamFormat).upstreamPath,
      body: JSON.stringify({ ...body, model: upstreamModel }),
      headers: forwardableHeaders(ctx.headers),
      signal: ctx.abort.signal,
      timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
    }),
    relay: (channel, response) => relayTranslated(ctx, response, {
      upstream: options.upstreamFormat,
      answer: options.answer,
      channel,
      headers: options.responseHeaders,
      onResponse: options.onResponse,
      bodyLimitBytes: deps.config.upstreamBodyLimitBytes,
    }),
  });
}
