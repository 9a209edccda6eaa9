// Runs one client request against the channels that can serve it — the single place where
// routing policy applies, for every route that talks to an upstream: session affinity first,
// then priority tiers with weighted choice; skip channels whose circuit (the key's own or the
// shared one) is open or whose half-open probe another request holds; retry and fail over on
// retryable failures and on a 401/403 for the channel's own key before the first byte; pin
// upstream-minted content to its issuer.
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { RequestScope } from '../request/scope.ts';
import type { SharedState } from '../state/state-contract.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import type { ChannelHealthTracker } from './health.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { GatewayError, unavailable } from '../errors.ts';
import { pickChannel, upstreamModelFor } from './router.ts';
import { upstreamStatusError } from './relay-response.ts';
import { ClientGoneError } from './send.ts';

/** What dispatch reads: session affinity, circuits, the retry policy, failure metrics and a log for channel key faults. */
export interface DispatchDeps {
  logger: Pick<Logger, 'warn'>;
  state?: Pick<SharedState, 'getAffinity' | 'setAffinity'>;
  health?: ChannelHealthTracker;
  routing?: RoutingSettings;
  metrics?: Pick<RelayMetrics, 'upstreamError'>;
}

export interface DispatchRequest {
  ctx: RequestScope;
  deps: DispatchDeps;
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

/** 401/403 from an upstream answer the relay's own channel key, never the client's: a channel fault. */
const isChannelAuthFault = (status: number) => status === 401 || status === 403;

export async function dispatch(request: DispatchRequest): Promise<void> {
  const { deps, ctx } = request;
  const routing = deps.routing ?? DEFAULT_ROUTING;
  const keyName = ctx.principal?.key.name;
  let candidates = request.candidates;
  if (request.pinnedChannel) {
    candidates = candidates.filter((c) => c.name === request.pinnedChannel);
    if (candidates.length === 0) throw unavailable(`The channel "${request.pinnedChannel}" that issued this conversation's encrypted content is not available; it cannot be sent elsewhere.`, 'pinned_channel_unavailable');
  }
  const health = deps.health;
  const available: ChannelRecord[] = [];
  for (const channel of candidates) if (!health || (await health.isAvailable(channel.name, keyName))) available.push(channel);
  const coolingDown = () => unavailable(`Every channel serving "${request.model}" is cooling down after failures; try again shortly.`, 'no_healthy_channel');
  if (available.length === 0) throw coolingDown();
  const order = await orderCandidates(request, available);
  const attempts = routing.retries + 1;
  let lastError: unknown;
  for (let attempt = 0, i = 0; attempt < attempts && order.length > 0; i++) {
    const index = i % order.length;
    const channel = order[index];
    // A half-open channel lets one probe through: when another request holds it, skip the channel.
    const pass = health ? await health.enter(channel.name, keyName) : undefined;
    if (health && !pass) {
      order.splice(index, 1);
      i--;
      continue;
    }
    attempt++;
    ctx.channel = channel.name;
    let response: Dispatcher.ResponseData;
    try {
      response = await request.attempt(channel, upstreamModelFor(channel, request.model));
    } catch (err) {
      if (err instanceof ClientGoneError || ctx.abort.signal.aborted) {
        if (pass) await health?.abandon(pass);
        throw err;
      }
      const code = err instanceof GatewayError ? err.code ?? 'transport' : 'transport';
      if (pass) await health?.recordFailure(pass, code);
      deps.metrics?.upstreamError(channel.name, code);
      lastError = err;
      continue;
    }
    if (response.statusCode >= 400) {
      const status = response.statusCode;
      const error = await upstreamStatusError(channel, response);
      const channelFault = isChannelAuthFault(status);
      if (status >= 500 || status === 429 || channelFault) {
        if (pass) await health?.recordFailure(pass, channelFault ? `auth_${status}` : String(status));
        deps.metrics?.upstreamError(channel.name, String(status));
      } else if (pass) await health?.abandon(pass);
      if (channelFault) deps.logger.warn({ channel: channel.name, status, requestId: ctx.id }, `upstream channel "${channel.name}" refused the relay's own API key (${status}): fix the channel's key; requests fail over meanwhile`);
      if (!channelFault && !routing.retryStatuses.includes(status)) throw error;
      lastError = error;
      continue;
    }
    if (pass) await health?.recordSuccess(pass);
    if (request.affinityKey && deps.state) await deps.state.setAffinity(request.affinityKey, channel.name, routing.affinityTtlSec);
    await request.relay(channel, response);
    return;
  }
  throw lastError ?? coolingDown();
}
