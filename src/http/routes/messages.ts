// POST /v1/messages: Anthropic Messages clients (the official SDK, Claude Code), forwarded untouched
// to an Anthropic channel, or served by an OpenAI-format channel through the neutral model.
import type { RouteHandler } from '../server.ts';
import { beginModelRequest } from './model-request.ts';
import { serveByFormat } from '../../use-cases/serve-by-format.ts';
import { badRequest } from '../../errors.ts';
import type { JsonObject } from '../../json.ts';

export function checkMessagesBody(body: JsonObject): void {
  if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array of messages.', 'messages', body.messages === undefined ? 'missing_required_parameter' : 'invalid_type');
  if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || body.max_tokens <= 0)) throw badRequest('"max_tokens" must be a positive integer.', 'max_tokens', 'invalid_type');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}

export const anthropicMessages: RouteHandler = async (ctx, deps) => {
  const { body, raw, model, servable } = await beginModelRequest(ctx, deps, checkMessagesBody);
  return serveByFormat(ctx, deps, 'anthropic', body, { model, servable, rawBody: raw });
};
