// Serves a Responses request: opens relay-sealed compaction items, answers Codex's compaction
// trigger (or hands it to an upstream that compacts natively), pins upstream-minted encrypted
// content to the channel that minted it, then forwards to a Responses channel or translates for
// a Chat or Anthropic one.
import type { RequestScope } from '../request/scope.ts';
import type { ModelRequest } from './model-request.ts';
import type { ResponseStore } from '../state/response-store.ts';
import { forwardSameWire, type ForwardDeps } from './forwarding.ts';
import { serveByFormat, servingChannels } from './serve-by-format.ts';
import { affinityKeyOf } from '../upstream/affinity-key.ts';
import { compactionRouteOf, foreignCompactionError, nativeChannels } from '../compaction-api/compaction-route.ts';
import { channelsSpeaking } from '../upstream/router.ts';
import { endsWithCompactionTrigger, inspectInput, stripForeignReasoning } from '../compaction-api/sealed-items.ts';
import { sealBindingOf } from '../compaction-api/seal-binding.ts';
import { answerCompactionTrigger, type CodexTriggerDeps } from '../compaction-api/codex-trigger.ts';
import { issuerOf } from '../upstream/blob-issuer.ts';
import { keepServedResponse, needsResponsesState, resolveResponsesState, type ResolvedResponsesState } from '../translate/response-state.ts';
import type { Principal } from '../access/catalog.ts';
import { notImplemented } from '../errors.ts';

/** What serving a Responses request reads: forwarding, the Codex hand-off (sealer, compaction), and the relay's own stored answers. */
export interface ResponsesDeps extends ForwardDeps, CodexTriggerDeps {
  state?: ForwardDeps['state'] & CodexTriggerDeps['state'];
  metrics?: ForwardDeps['metrics'] & CodexTriggerDeps['metrics'];
  /** The Responses answers the relay served by translation, for `previous_response_id` and item references. */
  responseStore?: ResponseStore;
}

/** `resolved`: the conversation state, when the caller already resolved it (the compaction prefix does, before compacting). */
export async function serveResponses(ctx: RequestScope, deps: ResponsesDeps, request: ModelRequest, resolved?: ResolvedResponsesState): Promise<void> {
  const { body, model, servable } = request;
  const native = nativeChannels(servable);
  const responsesChannels = channelsSpeaking(servable, ['openai-responses']);
  let mustUseNative = false;
  let pinnedChannel: string | undefined;
  if (Array.isArray(body.input)) {
    const inspection = inspectInput(body.input, deps.sealer, sealBindingOf(request.principal, model));
    body.input = inspection.input;
    if (inspection.upstreamBlobs.length > 0) {
      const issuer = await issuerOf(deps.state, inspection.upstreamBlobs, request.principal);
      if (issuer && responsesChannels.some((c) => c.name === issuer)) pinnedChannel = issuer;
    }
    if (inspection.upstreamCompaction.length > 0 && !pinnedChannel) {
      if (native.length === 0) throw foreignCompactionError();
      mustUseNative = true;
    }
    if (endsWithCompactionTrigger(body.input)) {
      const route = compactionRouteOf(servable, pinnedChannel ? { ...inspection, upstreamCompaction: [] } : inspection);
      if (route.by === 'upstream') {
        const onIssuer = pinnedChannel && route.channels.some((c) => c.name === pinnedChannel) ? { pinnedChannel } : {};
        return forwardSameWire(ctx, deps, 'responses', body, { model, candidates: route.channels, ...onIssuer });
      }
      const compaction = { ctx, deps, principal: request.principal, model, servable, serving: servingChannels('responses', servable), affinityKey: affinityKeyOf(ctx.headers, body, ctx.principal) };
      return answerCompactionTrigger(compaction, body);
    }
  }
  if (responsesChannels.length > 0) {
    if (pinnedChannel) return forwardSameWire(ctx, deps, 'responses', body, { model, candidates: responsesChannels, pinnedChannel });
    if (Array.isArray(body.input) && native.length === 0) body.input = stripForeignReasoning(body.input);
    return forwardSameWire(ctx, deps, 'responses', body, { model, candidates: mustUseNative ? native : responsesChannels });
  }
  const state = resolved ?? await resolveStateForTranslation(deps, request);
  const onResponse = deps.responseStore ? keepServedResponse(deps.responseStore, stateScopeOf(request.principal), body, state) : undefined;
  return serveByFormat(ctx, deps, 'responses', body, { model, servable, exclude: ['responses'], ...(onResponse ? { onResponse } : {}) });
}

/** The API key's own namespace of stored responses: a key never resolves another key's items. */
export const stateScopeOf = (principal: Principal) => `key${principal.key.id}`;

/**
 * Resolves `previous_response_id` and `item_reference` items from the relay's own stored answers,
 * for a request no Responses channel will serve (Chat-only and Anthropic upstreams keep no state).
 */
export async function resolveStateForTranslation(deps: Pick<ResponsesDeps, 'responseStore'>, request: ModelRequest): Promise<ResolvedResponsesState> {
  const { body } = request;
  if (!deps.responseStore) {
    if (needsResponsesState(body)) throw notImplemented(`The model "${request.model}" is served only by channels that keep no server-side state, and this relay keeps none: send the whole conversation in "input" instead of "previous_response_id" or item references.`, 'previous_response_not_supported');
    return { addedInput: Array.isArray(body.input) ? body.input : [] };
  }
  return resolveResponsesState(deps.responseStore, stateScopeOf(request.principal), body);
}
