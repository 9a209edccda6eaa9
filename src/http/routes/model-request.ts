// The common first steps of every model request: authenticate, read and check the body, and
// find the channels that may serve the model for this key.
import type { RequestContext } from '../context.ts';
import type { ServerDeps } from '../server.ts';
import { readJsonObjectAndBytes } from '../body.ts';
import type { JsonObject } from '../../json.ts';
import { authenticate } from '../auth.ts';
import { requireModelName, resolveModelAccess } from '../../access/model-access.ts';
import { estimateRequestTokens } from '../../access/token-estimate.ts';
import { checkBodyShape } from '../body-shape.ts';
import type { ModelRequest } from '../../use-cases/model-request.ts';

export type { ModelRequest } from '../../use-cases/model-request.ts';

export type BodyCheck = (body: JsonObject) => void;

/** Authenticates, parses the body, and resolves model access. `check` validates the shape. */
export async function beginModelRequest(ctx: RequestContext, deps: ServerDeps, check?: BodyCheck): Promise<ModelRequest> {
  const principal = await authenticate(deps.catalog, ctx.req.headers);
  const catalog = deps.catalog.current;
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
