// The compaction use cases: compact a Chat conversation then serve it (POST /v1/responses/compact
// with `messages`, /compact/v1/chat/completions), return a Responses conversation's compacted
// context (/v1/responses/compact with `input`), and compact a Responses `input` or an Anthropic
// `messages` before serving it (the /compact/v1 prefix).
import { randomBytes } from 'node:crypto';
import type { RequestScope } from '../request/scope.ts';
import type { ModelRequest } from './model-request.ts';
import { serveByFormat, servingChannels } from './serve-by-format.ts';
import { resolveStateForTranslation, serveResponses, type ResponsesDeps } from './serve-responses.ts';
import type { JsonObject } from '../json.ts';
import { needsResponsesState } from '../translate/response-state.ts';
import { adapterFor } from '../adapters/registry.ts';
import { summaryMessageItem, typedMessageItem } from '../compaction-api/compacted-output.ts';
import { endsWithCompactionTrigger, inspectInput } from '../compaction-api/sealed-items.ts';
import { sealBindingOf } from '../compaction-api/seal-binding.ts';
import { compactionRouteOf } from '../compaction-api/compaction-route.ts';
import { compactionHeaders, runCompaction, runHandoff } from '../compaction-api/compaction-service.ts';
import { responsesUsage } from '../adapters/responses/usage.ts';
import { dispatch } from '../upstream/dispatch.ts';
import { sendUpstream } from '../upstream/send.ts';
import { relayUpstreamResponse } from '../upstream/relay-response.ts';
import { forwardableHeaders } from '../upstream/forward-headers.ts';
import { affinityKeyOf } from '../upstream/affinity-key.ts';
import { channelsSpeaking } from '../upstream/router.ts';
import { issuerOf, rememberIssuer } from '../upstream/blob-issuer.ts';
import { badRequest } from '../errors.ts';
import { placeBreakpoints } from '../compaction-api/anthropic-breakpoints.ts';

/** What the compaction use cases read: everything serving a Responses request does (they serve the compacted request the same way). */
export type CompactDeps = ResponsesDeps;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

const inputItemsOf = (body: JsonObject): unknown[] => (typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }] : body.input);

function budgetOverride(body: Record<string, any>): number | undefined {
  const value = body.compaction?.budget_tokens ?? body.compaction_budget_tokens;
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) throw badRequest('"compaction.budget_tokens" must be a positive integer.', 'compaction.budget_tokens', 'invalid_type');
  return value;
}

/** Shape A: compact `messages`, then answer exactly like /v1/chat/completions. */
export async function compactThenChat(ctx: RequestScope, deps: CompactDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  const budget = budgetOverride(body);
  const serving = servingChannels('chat', servable);
  const affinityKey = affinityKeyOf(ctx.headers, body, ctx.principal);
  const result = await runCompaction({ ctx, deps, principal: request.principal, model, servable, serving, affinityKey }, adapterFor('chat').decodeConversation(body), budget);
  const { compaction: _c, compaction_budget_tokens: _b, ...rest } = body;
  const compacted = { ...rest, ...adapterFor('chat').encodeConversation(result.conversation) };
  return serveByFormat(ctx, deps, 'chat', compacted, { model, servable, responseHeaders: compactionHeaders(result) });
}

/** Shape B: return the compacted context (recent user messages + the handoff summary). */
export async function compactResponses(ctx: RequestScope, deps: CompactDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  const binding = sealBindingOf(request.principal, model);
  let inspection = inspectInput(inputItemsOf(body), deps.sealer, binding);
  const route = compactionRouteOf(servable, inspection);
  const affinityKey = affinityKeyOf(ctx.headers, body, ctx.principal);
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
        headers: forwardableHeaders(ctx.headers),
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
  const conversation = adapterFor('responses').decodeConversation({ input: inspection.input, instructions: body.instructions });
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
  ctx.sink.sendJson(200, {
    id: newId('resp'),
    object: 'response.compaction',
    created_at: createdAt,
    model,
    status: 'completed',
    output: [...kept, summaryItem],
    usage: responsesUsage({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens: 0, reasoningTokens: 0 }),
  }, compactionHeaders(handoff));
}

/** Compacts a Responses `input` in place, then serves the request like /v1/responses. */
export async function compactThenServeResponses(ctx: RequestScope, deps: CompactDeps, request: ModelRequest): Promise<void> {
  const { body } = request;
  // No Responses channel keeps the conversation: it is rebuilt from the relay's own state before it is compacted.
  const state = channelsSpeaking(request.servable, ['openai-responses']).length === 0 ? await resolveStateForTranslation(deps, request) : undefined;
  if (Array.isArray(body.input) && !endsWithCompactionTrigger(body.input)) {
    const inspection = inspectInput(body.input, deps.sealer, sealBindingOf(request.principal, request.model));
    const conversation = adapterFor('responses').decodeConversation({ input: inspection.input, instructions: body.instructions });
    const serving = servingChannels('responses', request.servable);
    const result = await runCompaction({ ctx, deps, principal: request.principal, model: request.model, servable: request.servable, serving, affinityKey: affinityKeyOf(ctx.headers, body, ctx.principal) }, conversation);
    body.input = adapterFor('responses').encodeConversation(result.conversation).input;
    for (const [name, value] of Object.entries(compactionHeaders(result))) ctx.sink.setHeader(name, value);
  }
  return serveResponses(ctx, deps, request, state);
}

/**
 * Compacts an Anthropic Messages conversation, then serves it like /v1/messages. `system` and
 * `tools` are never touched; turns kept verbatim keep their original blocks (cache_control,
 * thinking signatures), so an Anthropic upstream sees the same prefix it cached.
 */
export async function compactThenServeMessages(ctx: RequestScope, deps: CompactDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  const serving = servingChannels('anthropic', servable);
  const result = await runCompaction({ ctx, deps, principal: request.principal, model, servable, serving, affinityKey: affinityKeyOf(ctx.headers, body, ctx.principal) }, adapterFor('anthropic').decodeConversation(body));
  const changed = result.report.layersApplied.length > 0;
  // The client's cache breakpoints survive the rewrite, and one marks the stable compacted prefix.
  if (changed) body.messages = placeBreakpoints(body, body.messages, adapterFor('anthropic').encodeConversation({ items: result.conversation.items }).messages);
  return serveByFormat(ctx, deps, 'anthropic', body, { model, servable, responseHeaders: compactionHeaders(result), ...(changed ? {} : { rawBody: request.raw }) });
}
