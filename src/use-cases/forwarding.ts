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
import { relayUpstreamResponse, type RelayFormat } from '../upstream/relay-response.ts';
import { forwardableHeaders } from '../upstream/forward-headers.ts';
import { affinityKeyOf } from '../upstream/affinity-key.ts';
import { relayTranslated, type TranslationOptions } from '../translate/relay-translated.ts';
import { rememberIssuer } from '../upstream/blob-issuer.ts';

/** What forwarding reads beyond dispatch: the upstream connection pool, time and size limits, and shared state for blob issuers. */
export interface ForwardDeps extends DispatchDeps {
  agent: Agent;
  config: Pick<RelayConfig, 'upstreamTimeoutMs' | 'upstreamBodyLimitBytes'>;
  state?: Pick<SharedState, 'getAffinity' | 'setAffinity'>;
}

export const UPSTREAM_PATH: Record<RelayFormat, string> = { chat: '/chat/completions', responses: '/responses', anthropic: '/messages' };

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

/** Chat clients that stream get usage tapped: ask the upstream for it, hide it if they did not. */
function ensureChatUsage(body: JsonObject): boolean {
  if (body.stream !== true || body.stream_options?.include_usage === true) return false;
  body.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return true;
}

export async function forwardSameWire(ctx: RequestScope, deps: ForwardDeps, format: RelayFormat, body: JsonObject, options: ForwardOptions): Promise<void> {
  const hideUsageChunk = format === 'chat' && ensureChatUsage(body);
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
      path: UPSTREAM_PATH[format],
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
      ...(format === 'responses' ? { onEncryptedContent: (blob: string) => rememberIssuer(deps.state, blob, channel.name, ctx.principal) } : {}),
    }),
  });
}

export interface TranslatedForward extends ForwardOptions {
  /** The body in the upstream's format, already translated. */
  upstreamBody: JsonObject;
  /** Client format. */
  clientFormat: RelayFormat;
  /** Upstream format (default: the other OpenAI format). */
  upstreamFormat?: RelayFormat;
  includeUsage?: boolean;
  customTools?: Set<string>;
  echo?: Record<string, unknown>;
  /** The client's body, for the session identity. */
  clientBody: JsonObject;
  /** Anthropic clients that stream: the relay's count of their input tokens, for `message_start`. */
  inputTokens?: number;
}

export async function forwardTranslated(ctx: RequestScope, deps: ForwardDeps, options: TranslatedForward): Promise<void> {
  const upstreamFormat: RelayFormat = options.upstreamFormat ?? (options.clientFormat === 'chat' ? 'responses' : 'chat');
  const body = options.upstreamBody;
  if (upstreamFormat === 'chat' && body.stream === true) body.stream_options = { include_usage: true };
  await dispatch({
    ctx,
    deps,
    model: options.model,
    candidates: options.candidates,
    affinityKey: affinityKeyOf(ctx.headers, options.clientBody, ctx.principal),
    ...(options.pinnedChannel ? { pinnedChannel: options.pinnedChannel } : {}),
    attempt: (channel, upstreamModel) => sendUpstream(deps.agent, {
      channel,
      path: UPSTREAM_PATH[upstreamFormat],
      body: JSON.stringify({ ...body, model: upstreamModel }),
      headers: forwardableHeaders(ctx.headers),
      signal: ctx.abort.signal,
      timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
    }),
    relay: (channel, response) => relayTranslated(ctx, response, {
      upstream: upstreamFormat,
      client: options.clientFormat,
      channel,
      clientModel: options.model,
      includeUsage: options.includeUsage,
      customTools: options.customTools,
      echo: options.echo,
      headers: options.responseHeaders,
      inputTokens: options.inputTokens,
      onResponse: options.onResponse,
      bodyLimitBytes: deps.config.upstreamBodyLimitBytes,
    }),
  });
}
