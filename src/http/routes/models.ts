// GET /v1/models: the models the caller's group may use, in a list both SDKs read: OpenAI's shape
// (`object: "list"`, entries with `object`, `created`, `owned_by`) with Anthropic's fields beside
// it (`type`, `display_name`, `created_at`, and `has_more`/`first_id`/`last_id` for paging).
import type { RouteHandler } from '../server.ts';
import { authenticate } from '../auth.ts';
import { sendJson } from '../respond.ts';

const CREATED = Math.floor(Date.UTC(2025, 0, 1) / 1000);
const CREATED_AT = new Date(CREATED * 1000).toISOString();

export const listModels: RouteHandler = async (ctx, deps) => {
  const catalog = deps.catalog.current;
  ctx.principal = authenticate(catalog, ctx.req.headers);
  const ids = catalog.modelsForGroup(ctx.principal.group);
  const data = ids.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'compact-relay', type: 'model', display_name: id, created_at: CREATED_AT }));
  sendJson(ctx, 200, { object: 'list', data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
};
