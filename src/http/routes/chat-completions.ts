// POST /v1/chat/completions: forwarded to a Chat channel untouched, or translated for a
// Responses channel when no Chat channel serves the model.
import type { RouteHandler } from '../server.ts';
import { beginModelRequest, checkChatBody } from './model-request.ts';
import { forwardSameWire, forwardTranslated } from './forwarding.ts';
import { channelsSpeaking } from '../../upstream/router.ts';
import { chatRequestToResponses } from '../../translate/request.ts';
import { unavailable } from '../../errors.ts';

export const chatCompletions: RouteHandler = async (ctx, deps) => {
  const { body, raw, model, servable } = await beginModelRequest(ctx, deps, checkChatBody);
  const chatChannels = channelsSpeaking(servable, ['openai-chat']);
  if (chatChannels.length > 0) return forwardSameWire(ctx, deps, 'chat', body, { model, candidates: chatChannels, rawBody: raw });
  const responsesChannels = channelsSpeaking(servable, ['openai-responses']);
  if (responsesChannels.length === 0) throw unavailable(`No channel can serve the model "${model}" over Chat Completions.`);
  return forwardTranslated(ctx, deps, {
    model,
    candidates: responsesChannels,
    clientFormat: 'chat',
    clientBody: body,
    upstreamBody: chatRequestToResponses(body),
    includeUsage: body.stream_options?.include_usage === true,
  });
};
