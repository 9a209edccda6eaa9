// The admin API and web console routes for the relay's route table: exact paths for collections,
// `/*` prefix routes for /admin/api/<resource>/{name}..., the OpenAPI document and /console files.
import type { RouteHandler, RouteTable } from '../http/server.ts';
import { sendJson } from '../http/respond.ts';
import { notFound } from '../errors.ts';
import { adminRoute, type ConsoleServices } from './admin-context.ts';
import { ADMIN_OPERATIONS, type AdminOperation } from './operations.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { consoleAssetHandler } from './static-assets.ts';

export type { ConsoleServices } from './admin-context.ts';

function templateRegex(path: string): RegExp {
  return new RegExp('^' + path.replace(/\{\w+\}/g, '[^/]+') + '$');
}

/** One handler for every templated operation of a method under a base path: picks the one whose template matches. */
function templatedHandler(services: ConsoleServices, base: string, ops: AdminOperation[]): RouteHandler {
  const matchers = ops.map((op) => ({ regex: templateRegex(op.path), handler: adminRoute(services, base, op.handler) }));
  const authenticate = adminRoute(services, base, async () => {});
  return async (ctx, deps) => {
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const match = matchers.find((m) => m.regex.test(path));
    if (!match) {
      await authenticate(ctx, deps);
      throw notFound(`Unknown admin path: ${ctx.req.method} ${path}`, 'unknown_url');
    }
    await match.handler(ctx, deps);
  };
}

export function adminRoutes(services: ConsoleServices): RouteTable {
  const routes: RouteTable = {};
  const templated = new Map<string, { base: string; ops: AdminOperation[] }>();
  for (const op of ADMIN_OPERATIONS) {
    const brace = op.path.indexOf('/{');
    if (brace === -1) {
      routes[`${op.method} ${op.path}`] = adminRoute(services, op.path, op.handler);
      continue;
    }
    const base = op.path.slice(0, brace);
    const key = `${op.method} ${base}/*`;
    const entry = templated.get(key) ?? { base, ops: [] };
    entry.ops.push(op);
    templated.set(key, entry);
  }
  for (const [key, { base, ops }] of templated) routes[key] = templatedHandler(services, base, ops);

  const openapi = JSON.stringify(buildOpenApiDocument());
  routes['GET /admin/api/openapi.json'] = async (ctx) => sendJson(ctx, 200, openapi, { 'cache-control': 'no-cache' });

  const assets = consoleAssetHandler();
  for (const method of ['GET', 'HEAD']) {
    routes[`${method} /console`] = assets;
    routes[`${method} /console/*`] = assets;
  }
  return routes;
}
