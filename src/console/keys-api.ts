// Admin API for API keys: list, create (the secret is in that one response only), read, change
// group or limits, revoke. Limits and quotas are stored in the key's options for the limiter.
import type { KeyRecord } from '../store/catalog-store.ts';
import { LIMIT_FIELDS, type LimitOptions } from '../access/catalog-schema.ts';
import { notFound } from '../errors.ts';
import { audit, conflict, nameParam, readBody, refreshCatalog, reply, type AdminCall } from './admin-context.ts';
import { createKeySchema, updateKeySchema, type keyLimitsPatchSchema } from './admin-schemas.ts';
import type { z } from 'zod';

type LimitsPatch = z.infer<typeof keyLimitsPatchSchema>;

/** The limits a key's or group's options hold. */
export function limitsIn(options: LimitOptions): LimitOptions {
  const limits: LimitOptions = {};
  for (const field of LIMIT_FIELDS) if (options[field] !== undefined) limits[field] = options[field];
  return limits;
}

/** Options with a limits patch applied: numbers set, null removes, absent keeps. */
export function withLimits<T extends LimitOptions>(options: T, patch: LimitsPatch | undefined): T {
  const next = { ...options };
  for (const field of LIMIT_FIELDS) {
    const value = patch?.[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next;
}

export function keyView(key: KeyRecord) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.keyPrefix,
    group: key.groupName,
    limits: limitsIn(key.options),
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    active: key.revokedAt === null,
  };
}

async function findKey(call: AdminCall, name: string): Promise<KeyRecord> {
  const key = (await call.services.catalogStore.listKeys()).find((k) => k.name === name);
  if (!key) throw notFound(`No key named "${name}".`, 'key_not_found', 'name');
  return key;
}

async function requireGroup(call: AdminCall, group: string): Promise<void> {
  const groups = await call.services.catalogStore.listGroups();
  if (!groups.some((g) => g.name === group)) throw notFound(`No group named "${group}"; create it first.`, 'group_not_found', 'group');
}

export async function listKeys(call: AdminCall): Promise<void> {
  const keys = await call.services.catalogStore.listKeys();
  reply(call, 200, { data: keys.map(keyView) });
}

export async function createKey(call: AdminCall): Promise<void> {
  const body = await readBody(call, createKeySchema);
  await requireGroup(call, body.group);
  if ((await call.services.catalogStore.listKeys()).some((k) => k.name === body.name)) throw conflict(`A key named "${body.name}" already exists.`);
  const options = withLimits({}, body.limits);
  const { secret, record } = await call.services.catalogStore.createKey(body.name, body.group, options);
  await audit(call, 'key.create', 'key', body.name, { group: body.group, limits: limitsIn(options) });
  await refreshCatalog(call);
  reply(call, 201, { key: keyView(record), secret });
}

/** GET /admin/api/keys/:name */
export async function getKey(call: AdminCall): Promise<void> {
  reply(call, 200, keyView(await findKey(call, nameParam(call, 'key'))));
}

/** PATCH /admin/api/keys/:name: group and/or limits. */
export async function updateKey(call: AdminCall): Promise<void> {
  const name = nameParam(call, 'key');
  const body = await readBody(call, updateKeySchema);
  const key = await findKey(call, name);
  const changes: Record<string, unknown> = {};
  if (body.group !== undefined && body.group !== key.groupName) {
    await requireGroup(call, body.group);
    await call.services.adminStore.setKeyGroup(name, body.group);
    changes.group = { from: key.groupName, to: body.group };
  }
  if (body.limits !== undefined) {
    const options = withLimits(key.options, body.limits);
    await call.services.catalogStore.updateKeyOptions(name, options);
    changes.limits = { from: limitsIn(key.options), to: limitsIn(options) };
  }
  if (Object.keys(changes).length > 0) {
    await audit(call, 'key.update', 'key', name, changes);
    await refreshCatalog(call);
  }
  reply(call, 200, keyView(await findKey(call, name)));
}

/** POST /admin/api/keys/:name/revoke: the key stops working at once on this instance. */
export async function revokeKey(call: AdminCall): Promise<void> {
  const name = nameParam(call, 'key', 'revoke');
  const key = await findKey(call, name);
  if (key.revokedAt) throw conflict(`Key "${name}" was already revoked at ${key.revokedAt}.`);
  await call.services.catalogStore.revokeKey(name);
  await audit(call, 'key.revoke', 'key', name, { group: key.groupName });
  await refreshCatalog(call);
  reply(call, 200, keyView(await findKey(call, name)));
}
