// POST /v1/chat/completions: forwarded to a Chat channel untouched, or translated for a
// Responses or Anthropic channel when no Chat channel serves the model.
import type { RouteHandler } from '../server.ts';
import { beginModelRequest, checkChatBody } from './model-request.ts';
import { serveByFormat } from '../../use-cases/serve-by-format.ts';

export const chatCompletions: RouteHandler = async (ctx, deps) => {
  const { body, raw, model, servable } = await beginModelRequest(ctx, deps, checkChatBody);
  return serveByFormat(ctx, deps, 'chat', body, { model, servable, rawBody: raw });
};
