// POST /v1/messages: Anthropic Messages clients (the official SDK, Claude Code) served by any
// OpenAI-format channel; the request and the answer go through the neutral model.
import type { RouteHandler } from '../server.ts';
import { beginModelRequest } from './model-request.ts';
import { forwardTranslated } from './forwarding.ts';
import { channelsSpeaking } from '../../upstream/router.ts';
import { anthropicRequestToOpenAI } from '../../translate/anthropic-request.ts';
import { badRequest, unavailable } from '../../errors.ts';
import type { JsonObject } from '../body.ts';

function checkMessagesBody(body: JsonObject): void {
  if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array of messages.', 'messages', body.messages === undefined ? 'missing_required_parameter' : 'invalid_type');
  if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || body.max_tokens <= 0)) throw badRequest('"max_tokens" must be a positive integer.', 'max_tokens', 'invalid_type');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}

export const anthropicMessages: RouteHandler = async (ctx, deps) => {
  const { body, model, servable } = await beginModelRequest(ctx, deps, checkMessagesBody);
  const chat = channelsSpeaking(servable, ['openai-chat']);
  const responses = channelsSpeaking(servable, ['openai-responses']);
  const format = chat.length > 0 ? 'chat' : 'responses';
  const candidates = chat.length > 0 ? chat : responses;
  if (candidates.length === 0) throw unavailable(`No channel can serve the model "${model}".`);
  return forwardTranslated(ctx, deps, {
    model,
    candidates,
    clientFormat: 'anthropic',
    upstreamFormat: format,
    clientBody: body,
    upstreamBody: anthropicRequestToOpenAI(body, format),
  });
};
