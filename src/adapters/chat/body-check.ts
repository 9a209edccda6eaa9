// The shape a Chat Completions client body must have before it is served (400 otherwise).
import type { JsonObject } from '../../json.ts';
import { badRequest } from '../../errors.ts';

export function checkChatBody(body: JsonObject): void {
  if (body.messages === undefined) throw badRequest('Missing required parameter: "messages".', 'messages', 'missing_required_parameter');
  if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array of message objects.', 'messages', 'invalid_type');
  body.messages.forEach((m: unknown, i: number) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw badRequest(`"messages[${i}]" must be an object.`, `messages[${i}]`, 'invalid_type');
  });
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}
