// GET /v1/models and GET /v1/models/{id}: the models the caller's group may use and some enabled
// channel serves, in a shape both SDKs read: OpenAI's (`object`, `created`, `owned_by`) with
// Anthropic's fields beside it (`type`, `display_name`, `created_at`, and `has_more`/`first_id`/
// `last_id` for paging). A model that is unknown, not allowed or only on disabled channels is a 404.
import type { RouteHandler } from '../server.ts';
import type { RequestContext } from '../context.ts';
import type { LiveCatalog } from '../../access/catalog.ts';
import { authenticate } from '../auth.ts';
import { sendJson } from '../respond.ts';
import { badRequest, notFound } from '../../errors.ts';

const CREATED = Math.floor(Date.UTC(2025, 0, 1) / 1000);
const CREATED_AT = new Date(CREATED * 1000).toISOString();

const modelEntry = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'compact-relay', type: 'model', display_name: id, created_at: CREATED_AT });

/** The models the caller may list: allowed for its group and served by at least one enabled channel. */
async function visibleModels(ctx: RequestContext, live: LiveCatalog): Promise<string[]> {
  ctx.principal = await authenticate(live, ctx.req.headers);
  const catalog = live.current;
  return catalog.modelsForGroup(ctx.principal.group).filter((id) => catalog.channelsFor(id).length > 0);
}

export const listModels: RouteHandler = async (ctx, deps) => {
  const ids = await visibleModels(ctx, deps.catalog);
  sendJson(ctx, 200, { object: 'list', data: ids.map(modelEntry), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
};

/** The id after `/models/` in the request path, URL-decoded (ids may contain `/`). */
function requestedId(ctx: RequestContext): string {
  const url = ctx.req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const raw = path.slice(path.indexOf('/models/') + '/models/'.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`The model id in ${path} is not valid URL encoding.`, 'model', 'invalid_path');
  }
}

export const retrieveModel: RouteHandler = async (ctx, deps) => {
  const visible = await visibleModels(ctx, deps.catalog);
  const id = requestedId(ctx);
  if (!id || !visible.includes(id)) throw notFound(`The model "${id}" does not exist or is not available to your key.`, 'model_not_found', 'model');
  ctx.model = id;
  sendJson(ctx, 200, modelEntry(id));
};
