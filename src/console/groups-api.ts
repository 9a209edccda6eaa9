// Admin API for groups: which models their keys may use, their compaction policy and limits.
// A group with active keys cannot be removed (revoke the keys first).
import type { GroupOptions, GroupRecord } from '../store/catalog-store.ts';
import { notFound } from '../errors.ts';
import { audit, conflict, nameParam, readBody, refreshCatalog, reply, type AdminCall } from './admin-context.ts';
import { createGroupSchema, updateGroupSchema } from './admin-schemas.ts';
import { limitsIn, withLimits } from './keys-api.ts';

function groupView(group: GroupRecord, activeKeys: number) {
  return {
    name: group.name,
    models: group.models,
    compaction: group.options.compaction ?? null,
    limits: limitsIn(group.options),
    source: group.source,
    activeKeys,
  };
}

async function activeKeyCounts(call: AdminCall): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const key of await call.services.catalogStore.listKeys()) {
    if (!key.revokedAt) counts.set(key.groupName, (counts.get(key.groupName) ?? 0) + 1);
  }
  return counts;
}

async function findGroup(call: AdminCall, name: string): Promise<GroupRecord> {
  const group = (await call.services.catalogStore.listGroups()).find((g) => g.name === name);
  if (!group) throw notFound(`No group named "${name}".`, 'group_not_found', 'name');
  return group;
}

async function viewOf(call: AdminCall, name: string) {
  const counts = await activeKeyCounts(call);
  return groupView(await findGroup(call, name), counts.get(name) ?? 0);
}

export async function listGroups(call: AdminCall): Promise<void> {
  const [groups, counts] = await Promise.all([call.services.catalogStore.listGroups(), activeKeyCounts(call)]);
  reply(call, 200, { data: groups.map((g) => groupView(g, counts.get(g.name) ?? 0)) });
}

export async function createGroup(call: AdminCall): Promise<void> {
  const body = await readBody(call, createGroupSchema);
  if ((await call.services.catalogStore.listGroups()).some((g) => g.name === body.name)) throw conflict(`A group named "${body.name}" already exists.`);
  const options = withLimits<GroupOptions>(body.compaction ? { compaction: body.compaction } : {}, body.limits);
  await call.services.catalogStore.upsertGroup(body.name, body.models, options, 'admin-api');
  await audit(call, 'group.create', 'group', body.name, { models: body.models, options });
  await refreshCatalog(call);
  reply(call, 201, await viewOf(call, body.name));
}

export async function getGroup(call: AdminCall): Promise<void> {
  reply(call, 200, await viewOf(call, nameParam(call, 'group')));
}

export async function updateGroup(call: AdminCall): Promise<void> {
  const name = nameParam(call, 'group');
  const body = await readBody(call, updateGroupSchema);
  const group = await findGroup(call, name);
  let options = withLimits(group.options, body.limits);
  if (body.compaction === null) {
    const { compaction: _dropped, ...rest } = options;
    options = rest;
  } else if (body.compaction !== undefined) {
    options = { ...options, compaction: body.compaction };
  }
  const models = body.models ?? group.models;
  await call.services.catalogStore.upsertGroup(name, models, options, group.source);
  await audit(call, 'group.update', 'group', name, { ...(body.models ? { models } : {}), options });
  await refreshCatalog(call);
  reply(call, 200, await viewOf(call, name));
}

export async function deleteGroup(call: AdminCall): Promise<void> {
  const name = nameParam(call, 'group');
  await findGroup(call, name);
  const active = (await activeKeyCounts(call)).get(name) ?? 0;
  if (active > 0) throw conflict(`Group "${name}" still has ${active} active key(s); revoke them or move them to another group first.`);
  await call.services.catalogStore.removeGroup(name);
  await audit(call, 'group.delete', 'group', name);
  await refreshCatalog(call);
  reply(call, 200, { name, deleted: true });
}
