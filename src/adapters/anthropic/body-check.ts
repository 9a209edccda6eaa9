// The shape an Anthropic Messages client body must have before it is served (400 otherwise).
import type { JsonObject } from '../../json.ts';
import { badRequest } from '../../errors.ts';

export function checkMessagesBody(body: JsonObject): void {
  if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array of messages.', 'messages', body.messages === undefined ? 'missing_required_parameter' : 'invalid_type');
  if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || body.max_tokens <= 0)) throw badRequest('"max_tokens" must be a positive integer.', 'max_tokens', 'invalid_type');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}
