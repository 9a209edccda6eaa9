// POST /v1/responses/compact in both published shapes. `messages` (Chat body): the older turns
// are compacted, then the request is forwarded and answered like /v1/chat/completions.
// `input` (Responses body): the relay returns the compacted context to continue from.
import type { RouteHandler } from '../server.ts';
import type { JsonObject } from '../../json.ts';
import { beginModelRequest } from './model-request.ts';
import { adapterFor } from '../../adapters/registry.ts';
import { compactResponses, compactThenChat } from '../../use-cases/compact.ts';
import { badRequest } from '../../errors.ts';

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
    adapterFor('chat').checkBody(body);
    if (body.messages.length === 0) throw badRequest('"messages" is empty: send the conversation to compact.', 'messages', 'empty_array');
    return;
  }
  adapterFor('responses').checkBody(body);
  if (body.input.length === 0) throw badRequest('"input" is empty: send the conversation to compact.', 'input', 'empty_array');
  if (body.stream === true) {
    throw badRequest('The Responses-shape /v1/responses/compact answers with one JSON object and cannot stream: leave "stream" out or set it to false.', 'stream', 'unsupported_value');
  }
}

export const responsesCompact: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkCompactBody);
  if (compactShapeOf(request.body) === 'chat') return compactThenChat(ctx, deps, request);
  return compactResponses(ctx, deps, request);
};
