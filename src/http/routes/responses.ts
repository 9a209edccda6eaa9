// POST /v1/responses: opens relay-sealed compaction items, answers Codex's compaction trigger
// (or hands it to an upstream that compacts natively), pins upstream-minted encrypted content
// to the channel that minted it, then forwards to a Responses channel or translates for a Chat or
// Anthropic one.
import type { RouteHandler, ServerDeps } from '../server.ts';
import type { RequestContext } from '../context.ts';
import { beginModelRequest, checkResponsesBody, type ModelRequest } from './model-request.ts';
import { forwardSameWire } from './forwarding.ts';
import { serveByFormat, servingChannels } from './serve-by-format.ts';
import { affinityKeyOf } from '../../upstream/affinity-key.ts';
import { compactionRouteOf, foreignCompactionError, nativeChannels } from '../../compaction-api/compaction-route.ts';
import { channelsSpeaking } from '../../upstream/router.ts';
import { endsWithCompactionTrigger, inspectInput, stripForeignReasoning } from '../../compaction-api/sealed-items.ts';
import { answerCompactionTrigger } from '../../compaction-api/codex-trigger.ts';
import { issuerOf } from '../../upstream/blob-issuer.ts';

export const responses: RouteHandler = async (ctx, deps) => serveResponses(ctx, deps, await beginModelRequest(ctx, deps, checkResponsesBody));

export async function serveResponses(ctx: RequestContext, deps: ServerDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  const native = nativeChannels(servable);
  const responsesChannels = channelsSpeaking(servable, ['openai-responses']);
  let mustUseNative = false;
  let pinnedChannel: string | undefined;
  if (Array.isArray(body.input)) {
    const inspection = inspectInput(body.input, deps.sealer);
    body.input = inspection.input;
    if (inspection.upstreamBlobs.length > 0) {
      const issuer = await issuerOf(deps.state, inspection.upstreamBlobs);
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
      const compaction = { ctx, deps, principal: request.principal, model, servable, serving: servingChannels('responses', servable), affinityKey: affinityKeyOf(ctx.req.headers, body) };
      return answerCompactionTrigger(compaction, body);
    }
  }
  if (responsesChannels.length > 0) {
    if (pinnedChannel) return forwardSameWire(ctx, deps, 'responses', body, { model, candidates: responsesChannels, pinnedChannel });
    if (Array.isArray(body.input) && native.length === 0) body.input = stripForeignReasoning(body.input);
    return forwardSameWire(ctx, deps, 'responses', body, { model, candidates: mustUseNative ? native : responsesChannels });
  }
  return serveByFormat(ctx, deps, 'responses', body, { model, servable, exclude: ['responses'] });
}
