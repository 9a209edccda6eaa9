// GET /v1/models: the models the caller's group may use, in OpenAI's list shape.
import type { RouteHandler } from '../server.ts';
import { authenticate } from '../auth.ts';
import { sendJson } from '../respond.ts';

const CREATED = Math.floor(Date.UTC(2025, 0, 1) / 1000);

export const listModels: RouteHandler = async (ctx, deps) => {
  const catalog = deps.catalog.current;
  ctx.principal = authenticate(catalog, ctx.req.headers);
  const data = catalog.modelsForGroup(ctx.principal.group).map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'compact-relay' }));
  sendJson(ctx, 200, { object: 'list', data });
};
