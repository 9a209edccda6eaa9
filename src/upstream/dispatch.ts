// Runs one client request against the channels that can serve it — the single place where
// routing policy applies, for every route that talks to an upstream: session affinity first,
// then priority tiers with weighted choice; skip channels whose circuit is open; retry and fail
// over on retryable failures before the first byte; pin upstream-minted content to its issuer.
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../http/context.ts';
import type { ServerDeps } from '../http/server.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { GatewayError, unavailable } from '../errors.ts';
import { pickChannel, upstreamModelFor } from './router.ts';
import { upstreamStatusError } from './relay-response.ts';
import { ClientGoneError } from './send.ts';

export interface DispatchRequest {
  ctx: RequestContext;
  deps: ServerDeps;
  model: string;
  /** Channels able to serve this request (model, wire format, capability already checked). */
  candidates: ChannelRecord[];
  /** A session key (prompt_cache_key, session headers) that should stay on one channel. */
  affinityKey?: string;
  /** Only this channel may serve the request (upstream-minted encrypted content). */
  pinnedChannel?: string;
  /** Sends the request to one channel; resolves with the upstream's response, not yet read. */
  attempt: (channel: ChannelRecord, upstreamModel: string) => Promise<Dispatcher.ResponseData>;
  /** Relays a successful upstream response to the client. */
  relay: (channel: ChannelRecord, response: Dispatcher.ResponseData) => Promise<void>;
}

export interface RoutingSettings {
  /** Extra attempts after the first, across channels (default 2). */
  retries: number;
  retryStatuses: number[];
  affinityTtlSec: number;
}

export const DEFAULT_ROUTING: RoutingSettings = { retries: 2, retryStatuses: [429, 500, 502, 503, 504, 529], affinityTtlSec: 3600 };

/** Candidates in the order they will be tried: affinity first, then priority tiers by weight. */
async function orderCandidates(request: DispatchRequest, available: ChannelRecord[]): Promise<ChannelRecord[]> {
  const order: ChannelRecord[] = [];
  const rest = [...available];
  if (request.affinityKey && request.deps.state) {
    const preferred = await request.deps.state.getAffinity(request.affinityKey);
    const index = rest.findIndex((c) => c.name === preferred);
    if (index >= 0) order.push(...rest.splice(index, 1));
  }
  while (rest.length > 0) {
    const next = pickChannel(rest)!;
    order.push(next);
    rest.splice(rest.indexOf(next), 1);
  }
  return order;
}

export async function dispatch(request: DispatchRequest): Promise<void> {
  const { deps, ctx } = request;
  const routing = deps.routing ?? DEFAULT_ROUTING;
  let candidates = request.candidates;
  if (request.pinnedChannel) {
    candidates = candidates.filter((c) => c.name === request.pinnedChannel);
    if (candidates.length === 0) throw unavailable(`The channel "${request.pinnedChannel}" that issued this conversation's encrypted content is not available; it cannot be sent elsewhere.`, 'pinned_channel_unavailable');
  }
  const health = deps.health;
  const available: ChannelRecord[] = [];
  for (const channel of candidates) if (!health || (await health.isAvailable(channel.name))) available.push(channel);
  if (available.length === 0) throw unavailable(`Every channel serving "${request.model}" is cooling down after failures; try again shortly.`, 'no_healthy_channel');
  const order = await orderCandidates(request, available);
  const attempts = routing.retries + 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const channel = order[i % order.length];
    ctx.channel = channel.name;
    let response: Dispatcher.ResponseData;
    try {
      response = await request.attempt(channel, upstreamModelFor(channel, request.model));
    } catch (err) {
      if (err instanceof ClientGoneError || ctx.abort.signal.aborted) throw err;
      await health?.recordFailure(channel.name);
      deps.metrics?.upstreamError(channel.name, err instanceof GatewayError ? err.code ?? 'transport' : 'transport');
      lastError = err;
      continue;
    }
    if (response.statusCode >= 400) {
      const error = await upstreamStatusError(channel, response);
      const retryable = routing.retryStatuses.includes(response.statusCode);
      if (response.statusCode >= 500 || response.statusCode === 429) {
        await health?.recordFailure(channel.name);
        deps.metrics?.upstreamError(channel.name, String(response.statusCode));
      }
      if (!retryable) throw error;
      lastError = error;
      continue;
    }
    await health?.recordSuccess(channel.name);
    if (request.affinityKey && deps.state) await deps.state.setAffinity(request.affinityKey, channel.name, routing.affinityTtlSec);
    await request.relay(channel, response);
    return;
  }
  throw lastError ?? unavailable(`No channel could serve "${request.model}".`);
}
