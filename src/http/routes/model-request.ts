// The common first steps of every model request: authenticate, read and check the body, and
// find the channels that may serve the model for this key.
import type { RequestContext } from '../context.ts';
import type { ServerDeps } from '../server.ts';
import { readJsonObjectAndBytes } from '../body.ts';
import type { JsonObject } from '../../json.ts';
import { authenticate } from '../auth.ts';
import { requireModelName, resolveModelAccess } from '../../access/model-access.ts';
import { badRequest } from '../../errors.ts';
import { estimateRequestTokens } from '../../access/token-estimate.ts';
import { checkBodyShape } from '../body-shape.ts';
import type { ModelRequest } from '../../use-cases/model-request.ts';

export type { ModelRequest } from '../../use-cases/model-request.ts';

export type BodyCheck = (body: JsonObject) => void;

export const checkChatBody: BodyCheck = (body) => {
  if (body.messages === undefined) throw badRequest('Missing required parameter: "messages".', 'messages', 'missing_required_parameter');
  if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array of message objects.', 'messages', 'invalid_type');
  body.messages.forEach((m: unknown, i: number) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw badRequest(`"messages[${i}]" must be an object.`, `messages[${i}]`, 'invalid_type');
  });
  checkStreamFlag(body);
};

export const checkResponsesBody: BodyCheck = (body) => {
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
  checkStreamFlag(body);
};

function checkStreamFlag(body: JsonObject): void {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}

/** Authenticates, parses the body, and resolves model access. `check` validates the shape. */
export async function beginModelRequest(ctx: RequestContext, deps: ServerDeps, check?: BodyCheck): Promise<ModelRequest> {
  const catalog = deps.catalog.current;
  const principal = authenticate(catalog, ctx.req.headers);
  ctx.principal = principal;
  const { body, raw } = await readJsonObjectAndBytes(ctx.req, deps.config.bodyLimitBytes);
  const model = requireModelName(body);
  ctx.model = model;
  check?.(body);
  checkBodyShape(body);
  const servable = resolveModelAccess(catalog, principal, model);
  if (deps.limiter) ctx.admission = await deps.limiter.admit(principal, model, () => estimateRequestTokens(body, deps.config.outputReserveTokens));
  return { principal, body, raw, model, servable };
}
