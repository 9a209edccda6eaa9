// The compaction base-URL prefix: a client that points its base URL at /compact/v1 gets its
// conversation compacted to the model's budget before every request, with no other change:
// Chat Completions, Responses (Codex) and Anthropic Messages (Claude Code, the Anthropic SDK).
import type { RouteHandler } from '../server.ts';
import { beginModelRequest, checkChatBody, checkResponsesBody } from './model-request.ts';
import { compactThenChat } from './responses-compact.ts';
import { resolveStateForTranslation, serveResponses } from './responses.ts';
import { channelsSpeaking } from '../../upstream/router.ts';
import { decodeResponsesInput, encodeResponsesInput } from '../../conversation/responses.ts';
import { compactionHeaders, runCompaction } from '../../compaction-api/compaction-service.ts';
import { endsWithCompactionTrigger, inspectInput } from '../../compaction-api/sealed-items.ts';
import { sealBindingOf } from '../../compaction-api/seal-binding.ts';
import { decodeAnthropicRequest, encodeAnthropicMessages } from '../../conversation/anthropic.ts';
import { checkMessagesBody } from './messages.ts';
import { placeBreakpoints } from '../../compaction-api/anthropic-breakpoints.ts';
import { serveByFormat, servingChannels } from './serve-by-format.ts';
import { affinityKeyOf } from '../../upstream/affinity-key.ts';

export const compactedChatCompletions: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkChatBody);
  return compactThenChat(ctx, deps, request);
};

/** Compacts a Responses `input` in place, then serves the request like /v1/responses. */
export const compactedResponses: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkResponsesBody);
  const { body } = request;
  // No Responses channel keeps the conversation: it is rebuilt from the relay's own state before it is compacted.
  const state = channelsSpeaking(request.servable, ['openai-responses']).length === 0 ? await resolveStateForTranslation(deps, request) : undefined;
  if (Array.isArray(body.input) && !endsWithCompactionTrigger(body.input)) {
    const inspection = inspectInput(body.input, deps.sealer, sealBindingOf(request.principal, request.model));
    const conversation = decodeResponsesInput(inspection.input, typeof body.instructions === 'string' ? body.instructions : undefined);
    const serving = servingChannels('responses', request.servable);
    const result = await runCompaction({ ctx, deps, principal: request.principal, model: request.model, servable: request.servable, serving, affinityKey: affinityKeyOf(ctx.req.headers, body, ctx.principal) }, conversation);
    body.input = encodeResponsesInput(result.conversation);
    for (const [name, value] of Object.entries(compactionHeaders(result))) ctx.res.setHeader(name, value);
  }
  return serveResponses(ctx, deps, request, state);
};

/**
 * Compacts an Anthropic Messages conversation, then serves it like /v1/messages. `system` and
 * `tools` are never touched; turns kept verbatim keep their original blocks (cache_control,
 * thinking signatures), so an Anthropic upstream sees the same prefix it cached; breakpoints lost
 * with a rewritten block are placed again (anthropic-breakpoints.ts).
 */
export const compactedMessages: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkMessagesBody);
  const { body, model, servable } = request;
  const serving = servingChannels('anthropic', servable);
  const result = await runCompaction({ ctx, deps, principal: request.principal, model, servable, serving, affinityKey: affinityKeyOf(ctx.req.headers, body, ctx.principal) }, decodeAnthropicRequest(body));
  const changed = result.report.layersApplied.length > 0;
  // The client's cache breakpoints survive the rewrite, and one marks the stable compacted prefix.
  if (changed) body.messages = placeBreakpoints(body, body.messages, encodeAnthropicMessages({ items: result.conversation.items, tools: [] }).messages);
  return serveByFormat(ctx, deps, 'anthropic', body, { model, servable, responseHeaders: compactionHeaders(result), ...(changed ? {} : { rawBody: request.raw }) });
};
