// POST /v1/responses/compact in both published shapes. `messages` (Chat body): the older turns
// are compacted, then the request is forwarded and answered like /v1/chat/completions.
// `input` (Responses body): the relay returns the compacted context to continue from.
import { randomBytes } from 'node:crypto';
import type { RouteHandler } from '../server.ts';
import type { RequestContext } from '../context.ts';
import type { ServerDeps } from '../server.ts';
import { sendJson } from '../respond.ts';
import { beginModelRequest, checkChatBody, checkResponsesBody, type ModelRequest } from './model-request.ts';
import { nativeChannels } from './responses.ts';
import { serveByFormat } from './serve-by-format.ts';
import { decodeChatMessages, encodeChatMessages } from '../../conversation/chat.ts';
import { decodeResponsesInput, encodeResponsesInput } from '../../conversation/responses.ts';
import { inspectInput } from '../../compaction-api/sealed-items.ts';
import { sealBindingOf } from '../../compaction-api/seal-binding.ts';
import { compactionHeaders, runCompaction, runHandoff } from '../../compaction-api/compaction-service.ts';
import { responsesUsage } from '../../translate/responses-stream.ts';
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

function budgetOverride(body: Record<string, any>): number | undefined {
  const value = body.compaction?.budget_tokens ?? body.compaction_budget_tokens;
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) throw badRequest('"compaction.budget_tokens" must be a positive integer.', 'compaction.budget_tokens', 'invalid_type');
  return value;
}

/** Shape A: compact `messages`, then answer exactly like /v1/chat/completions. */
export async function compactThenChat(ctx: RequestContext, deps: ServerDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  checkChatBody(body);
  const budget = budgetOverride(body);
  const result = await runCompaction({ ctx, deps, principal: request.principal, model, servable }, decodeChatMessages(body.messages), budget);
  const { compaction: _c, compaction_budget_tokens: _b, ...rest } = body;
  const compacted = { ...rest, messages: encodeChatMessages(result.conversation) };
  const responseHeaders = compactionHeaders(result.report);
  return serveByFormat(ctx, deps, 'chat', compacted, { model, servable, responseHeaders });
}

/** Shape B: return the compacted context (recent user messages + the handoff summary). */
async function compactResponses(ctx: RequestContext, deps: ServerDeps, request: ModelRequest): Promise<void> {
  const { body, model, servable } = request;
  checkResponsesBody(body);
  const input = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }] : body.input;
  const binding = sealBindingOf(request.principal, model);
  const inspection = inspectInput(input, deps.sealer, binding);
  const native = nativeChannels(servable);
  if (native.length > 0 && inspection.expanded === 0) {
    // Another key's upstream blob is refused here too (400); a known one goes back to its issuer.
    const issuer = await issuerOf(deps.state, inspection.upstreamBlobs, request.principal);
    return dispatch({
      ctx,
      deps,
      model,
      candidates: native,
      ...(issuer && native.some((c) => c.name === issuer) ? { pinnedChannel: issuer } : {}),
      affinityKey: affinityKeyOf(ctx.req.headers, body, ctx.principal),
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
  if (inspection.upstreamCompaction.length > 0) {
    throw badRequest('The input carries a compaction item sealed by an upstream that no channel for this model can read.', 'input', 'invalid_encrypted_content');
  }
  const conversation = decodeResponsesInput(inspection.input, typeof body.instructions === 'string' ? body.instructions : undefined);
  const handoff = await runHandoff({ ctx, deps, principal: request.principal, model, servable }, conversation);
  const createdAt = Math.floor(Date.now() / 1000);
  const kept = encodeResponsesInput({ items: handoff.recentUserMessages });
  const summaryItem = handoff.policy.outputForm === 'sealed'
    ? { type: 'compaction', id: newId('cmp'), encrypted_content: deps.sealer.seal({ summary: handoff.summaryText, model, createdAt }, binding) }
    : { type: 'message', id: newId('msg'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: handoff.summaryText, annotations: [] }] };
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
  }, compactionHeaders(handoff.report));
}

export const responsesCompact: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, compactShapeOf);
  if (compactShapeOf(request.body) === 'chat') return compactThenChat(ctx, deps, request);
  return compactResponses(ctx, deps, request);
};
