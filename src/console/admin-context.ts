// What every admin API handler shares: the services it works on, admin-token authentication,
// path parameters, zod-validated bodies and queries (400 naming the field), audit, JSON replies.
import type { z } from 'zod';
import type { LiveCatalog } from '../access/catalog.ts';
import type { RequestContext } from '../http/context.ts';
import type { RouteHandler, ServerDeps } from '../http/server.ts';
import { readJsonObject } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { badRequest, GatewayError, notFound } from '../errors.ts';
import type { CatalogStore } from '../store/catalog-store.ts';
import type { AdminStore } from '../store/admin-store.ts';
import type { AdminAuth, AdminIdentity } from './admin-auth.ts';
import { verifyAdmin } from './admin-guard.ts';

export interface ConsoleServices {
  catalogStore: CatalogStore;
  catalog: LiveCatalog;
  adminStore: AdminStore;
  auth: AdminAuth;
}

export interface AdminCall {
  ctx: RequestContext;
  deps: ServerDeps;
  services: ConsoleServices;
  identity: AdminIdentity;
  /** Decoded path segments after the route's base path (`/admin/api/keys/a%20b/revoke` → ["a b", "revoke"]). */
  params: string[];
  query: URLSearchParams;
}

export type AdminHandler = (call: AdminCall) => Promise<void>;

const ADMIN_BODY_LIMIT = 1024 * 1024;

/** Wraps an admin handler: authenticates the admin token (throttled and audited), then splits path parameters after `base`. */
export function adminRoute(services: ConsoleServices, base: string, handler: AdminHandler): RouteHandler {
  return async (ctx, deps) => {
    const identity = await verifyAdmin(services.auth, services.adminStore, ctx, deps);
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rest = path.length > base.length ? path.slice(base.length + 1) : '';
    let params: string[];
    try {
      params = rest ? rest.split('/').map((s) => decodeURIComponent(s)) : [];
    } catch {
      throw badRequest(`The path ${path} is not valid URL encoding.`, null, 'invalid_path');
    }
    await handler({ ctx, deps, services, identity, params, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) });
  };
}

function describeIssue(issue: z.core.$ZodIssue, where: string): { message: string; param: string } {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const field = [path, issue.keys[0]].filter(Boolean).join('.');
    return { message: `Unknown ${where} field "${field}".`, param: field };
  }
  const field = path || '(body)';
  return { message: `Invalid ${where} field "${field}": ${issue.message}.`, param: field };
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, param } = describeIssue(result.error.issues[0], where);
  throw badRequest(message, param, 'invalid_' + where);
}

export async function readBody<T extends z.ZodType>(call: AdminCall, schema: T): Promise<z.infer<T>> {
  return parseWith(schema, await readJsonObject(call.ctx.req, ADMIN_BODY_LIMIT), 'body');
}

export function readQuery<T extends z.ZodType>(call: AdminCall, schema: T): z.infer<T> {
  const entries: Record<string, string> = {};
  for (const [k, v] of call.query) if (v !== '') entries[k] = v;
  return parseWith(schema, entries, 'query');
}

/** The single path parameter a `/:name` route needs; 404 when it is missing or has extra segments. */
export function nameParam(call: AdminCall, what: string, action?: string): string {
  const [name, verb, ...extra] = call.params;
  if (!name || extra.length > 0 || verb !== action) throw notFound(`Unknown admin path: ${call.ctx.req.method} ${call.ctx.endpoint}`, 'unknown_url');
  if (!name.trim()) throw badRequest(`Missing ${what} name in the path.`, 'name');
  return name;
}

export function reply(call: AdminCall, status: number, body: unknown): void {
  sendJson(call.ctx, status, body, { 'cache-control': 'no-store' });
}

export const conflict = (message: string, param = 'name') =>
  new GatewayError(409, 'invalid_request_error', 'conflict', message, { param });

/** Records a change in the audit log, attributed to the caller. Secrets must never be in `details`. */
export async function audit(call: AdminCall, action: string, targetType: string, target: string, details: Record<string, unknown> = {}): Promise<void> {
  await call.services.adminStore.recordAudit({
    actor: call.identity.actor,
    action,
    targetType,
    target,
    details,
    remoteAddr: call.ctx.req.socket.remoteAddress ?? null,
  });
}

/** Makes a catalog change visible to this instance at once (others pick it up within their poll interval). */
export async function refreshCatalog(call: AdminCall): Promise<void> {
  await call.services.catalog.refresh();
}
