// The shape a Responses client body must have before it is served (400 otherwise).
import type { JsonObject } from '../../json.ts';
import { badRequest } from '../../errors.ts';

export function checkResponsesBody(body: JsonObject): void {
  if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw badRequest('"input" must be a string or an array of input items.', 'input', 'invalid_type');
  }
  if (Array.isArray(body.input)) {
    body.input.forEach((item: unknown, i: number) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`"input[${i}]" must be an object.`, `input[${i}]`, 'invalid_type');
    });
  }
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') {
    throw badRequest('"instructions" must be a string.', 'instructions', 'invalid_type');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}
