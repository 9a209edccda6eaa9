// POST /v1/responses/compact in both published shapes. `messages` (Chat body): the older turns
// are compacted, then the request is forwarded and answered like /v1/chat/completions.
// `input` (Responses body): the relay returns the compacted context to continue from.
import { randomBytes } from 'node:crypto';
import type { RouteHandler } from '../server.ts';
import type { RequestContext } from '../context.ts';
import type { ServerDeps } from '../server.ts';
import type { JsonObject } from '../../json.ts';
import { sendJson } from '../respond.ts';
import { beginModelRequest, checkChatBody, checkResponsesBody, type ModelRequest } from './model-request.ts';
import { serveByFormat, servingChannels } from './serve-by-format.ts';
import { resolveStateForTranslation } from './responses.ts';
import { needsResponsesState } from '../../translate/response-state.ts';
import { decodeChatMessages, encodeChatMessages } from '../../conversation/chat.ts';
import { decodeResponsesInput } from '../../conversation/responses.ts';
import { summaryMessageItem, typedMessageItem } from '../../compaction-api/compacted-output.ts';
import { inspectInput } from '../../compaction-api/sealed-items.ts';
import { sealBindingOf } from '../../compaction-api/seal-binding.ts';
import { compactionRouteOf } from '../../compaction-api/compaction-route.ts';
import { compactionHeaders, runCompaction, runHandoff } from '../../compaction-api/compaction-service.ts';
import { responsesUsage } from '../../adapters/responses/usage.ts';
import { dispatch } from '../../upstream/dispatch.ts';
import { sendUpstream } from '../../upstream/send.ts';
import { relayUpstreamResponse } from '../../upstream/relay-response.ts';
import { forwardableHeaders } from '../../upstream/forward-headers.ts';
import { affinityKeyOf } from '../../upstream/affinity-key.ts';
import { issuerOf, rememberIssuer } from '../../upstream/blob-issuer.ts';
import { badRequest } from '../../errors.ts';

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Which shape a compact request is: `messages` → chat, `input` → responses; both or neither is a 400. */
export function compactShapeOf(body: Record<string, unknown>): 'chat' | 'responses' {
  const hasMessages = body.messages !== undefined;
  const hasInput = body.input !== undefined;
  if (hasMessages && hasInput) throw badRequest('Send either "messages" (Chat Completions shape) or "input" (Responses shape), not both.', 'messages', 'ambiguous_shape');
  if (!hasMessages && !hasInput) throw badRequest('Missing "messages" (Chat Completions shape) or "input" (Responses shape).', 'input', 'missing_required_parameter');
  return hasMessages ? 'chat' : 'responses';
}

/** The compact endpoint's own checks on top of the shape's: something to compact, and no stream it cannot serve. */
function checkCompactBody(body: JsonObject): void {
  const shape = compactShapeOf(body);
  if (shape === 'chat') {
    checkChatBody(body);
    if (body.messages.length === 0) throw badRequest('"messages" is empty: send the conversation to compact.', 'messages', 'empty_array');
    return;
  }
  checkResponsesBody(body);
  if (body.input.length === 0) throw badRequest('"input" is empty: send the conversation to compact.', 'input', 'empty_array');
  if (body.stream === true) {
    throw badRequest('The Responses-shape /v1/responses/compact answers with one JSON object and cannot stream: leave "stream" out or set it to false.', 'stream', 'unsupported_value');
  }
}

const inputItemsOf = (body: JsonObject): unknown[] => (typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }] : body.input);

function budgetOverride(body: Record<string, any>): number | undefined {
  const value = body.compaction?.budget_tokens ?? body.compaction_budget_tokens;
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) throw badRequest('"compaction.budget_tokens" must be a positive integer.', 'compaction.budget_tokens', 'invalid_type');
  return value;
}

/** Shape A: compact `messages`, then answer exactly like /v1/chat/completions. */
export async function compactThenChat(ctx: RequestContext, deps: ServerDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  const budget = budgetOverride(body);
  const serving = servingChannels('chat', servable);
  const affinityKey = affinityKeyOf(ctx.req.headers, body, ctx.principal);
  const result = await runCompaction({ ctx, deps, principal: request.principal, model, servable, serving, affinityKey }, decodeChatMessages(body.messages), budget);
  const { compaction: _c, compaction_budget_tokens: _b, ...rest } = body;
  const compacted = { ...rest, messages: encodeChatMessages(result.conversation) };
  return serveByFormat(ctx, deps, 'chat', compacted, { model, servable, responseHeaders: compactionHeaders(result) });
}

/** Shape B: return the compacted context (recent user messages + the handoff summary). */
async function compactResponses(ctx: RequestContext, deps: ServerDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  const binding = sealBindingOf(request.principal, model);
  let inspection = inspectInput(inputItemsOf(body), deps.sealer, binding);
  const route = compactionRouteOf(servable, inspection);
  const affinityKey = affinityKeyOf(ctx.req.headers, body, ctx.principal);
  if (route.by === 'upstream') {
    // Another key's upstream blob is refused here too (400); a known one goes back to its issuer.
    const issuer = await issuerOf(deps.state, inspection.upstreamBlobs, request.principal);
    return dispatch({
      ctx,
      deps,
      model,
      candidates: route.channels,
      ...(issuer && route.channels.some((c) => c.name === issuer) ? { pinnedChannel: issuer } : {}),
      affinityKey,
      attempt: (channel, upstreamModel) => sendUpstream(deps.agent, {
        channel,
        path: '/responses/compact',
        body: JSON.stringify({ ...body, model: upstreamModel }),
        headers: forwardableHeaders(ctx.req.headers),
        signal: ctx.abort.signal,
        timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
      }),
      relay: (channel, response) => relayUpstreamResponse(ctx, response, { format: 'responses', channel, bodyLimitBytes: deps.config.upstreamBodyLimitBytes, onEncryptedContent: (blob) => rememberIssuer(deps.state, blob, channel.name, ctx.principal) }),
    });
  }
  if (needsResponsesState(body)) {
    // Earlier turns named by `previous_response_id` or item references come from the relay's own answers (else a 400, never ignored).
    await resolveStateForTranslation(deps, request);
    inspection = inspectInput(inputItemsOf(body), deps.sealer, binding);
  }
  const conversation = decodeResponsesInput(inspection.input, typeof body.instructions === 'string' ? body.instructions : undefined);
  const serving = servingChannels('responses', servable);
  const handoff = await runHandoff({ ctx, deps, principal: request.principal, model, servable, serving, affinityKey }, conversation);
  const createdAt = Math.floor(Date.now() / 1000);
  const kept = handoff.recentUserMessages.map(typedMessageItem);
  const summaryItem = handoff.policy.outputForm === 'sealed'
    ? { type: 'compaction', id: newId('cmp'), encrypted_content: deps.sealer.seal({ summary: handoff.summaryText, model, createdAt }, binding) }
    : summaryMessageItem(newId('msg'), handoff.summaryText);
  const summary = handoff.report.summary;
  const inputTokens = summary?.inputTokens ?? 0;
  const outputTokens = summary?.outputTokens ?? 0;
  ctx.usage = { input_tokens: inputTokens, output_tokens: outputTokens, cached_tokens: 0, reasoning_tokens: 0 };
  sendJson(ctx, 200, {
    id: newId('resp'),
    object: 'response.compaction',
    created_at: createdAt,
    model,
    status: 'completed',
    output: [...kept, summaryItem],
    usage: responsesUsage({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens: 0, reasoningTokens: 0 }),
  }, compactionHeaders(handoff));
}

export const responsesCompact: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkCompactBody);
  if (compactShapeOf(request.body) === 'chat') return compactThenChat(ctx, deps, request);
  return compactResponses(ctx, deps, request);
};
