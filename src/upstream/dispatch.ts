// Runs one client request against the channels that can serve it: choose a channel, send, and
// relay the answer. The single place where routing policy (retries, failover, health, affinity)
// is applied, for every route that talks to an upstream.
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../http/context.ts';
import type { ServerDeps } from '../http/server.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { unavailable } from '../errors.ts';
import { pickChannel, upstreamModelFor } from './router.ts';
import { upstreamStatusError } from './relay-response.ts';

export interface DispatchRequest {
  ctx: RequestContext;
  deps: ServerDeps;
  model: string;
  /** Channels able to serve this request (model, wire format, capability already checked). */
  candidates: ChannelRecord[];
  /** A session key (prompt_cache_key, session headers) that should stay on one channel. */
  affinityKey?: string;
  /** Sends the request to one channel; resolves with the upstream's response, not yet read. */
  attempt: (channel: ChannelRecord, upstreamModel: string) => Promise<Dispatcher.ResponseData>;
  /** Relays a successful upstream response to the client. */
  relay: (channel: ChannelRecord, response: Dispatcher.ResponseData) => Promise<void>;
}

export async function dispatch(request: DispatchRequest): Promise<void> {
  const channel = pickChannel(request.candidates);
  if (!channel) throw unavailable(`No enabled channel serves the model "${request.model}" right now.`);
  request.ctx.channel = channel.name;
  const response = await request.attempt(channel, upstreamModelFor(channel, request.model));
  if (response.statusCode >= 400) throw await upstreamStatusError(channel, response);
  await request.relay(channel, response);
}
