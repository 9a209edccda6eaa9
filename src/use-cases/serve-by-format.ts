// Serves a Chat Completions, Responses or Anthropic Messages body from whichever channels the model
// has: channels of the client's own format first (forwarded untouched), then the other formats in
// the registry's order, translated: decoded by the client's adapter, encoded by the upstream's.
import type { RequestScope } from '../request/scope.ts';
import type { JsonObject } from '../json.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { channelsSpeaking } from '../upstream/router.ts';
import { forwardSameWire, forwardTranslated, type ForwardDeps, type ForwardOptions } from './forwarding.ts';
import { unavailable } from '../errors.ts';
import { adapterFor, UPSTREAM_PREFERENCE, type WireFormat } from '../adapters/registry.ts';
import { droppedParamsHeader } from '../translate/param-coverage.ts';

export interface UpstreamChoice {
  format: WireFormat;
  candidates: ChannelRecord[];
}

/** The upstream format that will serve a client format, and its channels; `exclude` skips formats. */
export function chooseUpstream(client: WireFormat, servable: ChannelRecord[], exclude: WireFormat[] = []): UpstreamChoice | undefined {
  for (const format of UPSTREAM_PREFERENCE[client]) {
    if (exclude.includes(format)) continue;
    const candidates = channelsSpeaking(servable, [adapterFor(format).channelType]);
    if (candidates.length > 0) return { format, candidates };
  }
  return undefined;
}

/** The channels that will serve a request in the client's format (what a compaction budget must fit). */
export function servingChannels(client: WireFormat, servable: ChannelRecord[]): ChannelRecord[] {
  return chooseUpstream(client, servable)?.candidates ?? servable;
}

export interface ServeOptions extends Omit<ForwardOptions, 'candidates'> {
  servable: ChannelRecord[];
  /** Upstream formats that may not serve this request. */
  exclude?: WireFormat[];
}

/** Forwards or translates `body` (in the client's format) to the best available channels. */
export async function serveByFormat(ctx: RequestScope, deps: ForwardDeps, client: WireFormat, body: JsonObject, options: ServeOptions): Promise<void> {
  const { servable, exclude, ...forward } = options;
  const choice = chooseUpstream(client, servable, exclude);
  if (!choice) throw unavailable(`No channel can serve the model "${options.model}" over ${adapterFor(client).apiName}.`);
  const { format, candidates } = choice;
  if (format === client) return forwardSameWire(ctx, deps, format, body, { ...forward, candidates });
  const [clientAdapter, upstreamAdapter] = [adapterFor(client), adapterFor(format)];
  clientAdapter.refuseTranslation(body, upstreamAdapter);
  const responseHeaders = { ...droppedParamsHeader(client, format, body), ...forward.responseHeaders };
  const request = clientAdapter.decodeRequest(body);
  const upstreamBody = upstreamAdapter.encodeRequest(request, candidates);
  const answer = clientAdapter.answerEncoder({ body, request, model: options.model });
  return forwardTranslated(ctx, deps, { ...forward, responseHeaders, candidates, upstreamFormat: format, upstreamBody, answer, clientBody: body });
}
