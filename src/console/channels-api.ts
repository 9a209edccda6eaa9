// Admin API for upstream channels: list, add, edit, enable/disable, remove and a connection test.
// The upstream key is write-only: responses say whether one is set, never what it is.
import type { ChannelOptions, ChannelRecord } from '../store/catalog-store.ts';
import { patchedChannel } from '../store/catalog-store.ts';
import type { ChannelStatus } from '../upstream/health.ts';
import { notFound } from '../errors.ts';
import { audit, conflict, nameParam, readBody, refreshCatalog, reply, type AdminCall } from './admin-context.ts';
import { CHANNEL_OPTION_FIELDS, createChannelSchema, updateChannelSchema } from './admin-schemas.ts';
import { testChannel } from './channel-test.ts';

export function channelView(channel: ChannelRecord, circuit: ChannelStatus | null = null) {
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type,
    baseUrl: channel.baseUrl,
    apiKeySet: channel.apiKey.length > 0 || channel.apiKeyUnreadable === true,
    apiKeyUnreadable: channel.apiKeyUnreadable === true,
    models: channel.models,
    priority: channel.priority,
    weight: channel.weight,
    enabled: channel.enabled,
    aliases: channel.options.aliases ?? null,
    contextWindow: channel.options.contextWindow ?? null,
    nativeCompaction: channel.options.nativeCompaction === true,
    timeoutMs: channel.options.timeoutMs ?? null,
    defaultMaxTokens: channel.options.defaultMaxTokens ?? null,
    source: channel.source,
    circuit,
  };
}

/** A channel's view with its shared circuit breaker's state (closed, open, half-open; last failure). */
async function viewWithCircuit(call: AdminCall, channel: ChannelRecord) {
  return channelView(channel, (await call.deps.health?.status(channel.name)) ?? null);
}

/** What an audit row says about a channel change: every field but the key, and whether the key changed. */
function auditedFields(body: Record<string, unknown>): Record<string, unknown> {
  const { apiKey, ...rest } = body;
  return apiKey === undefined ? rest : { ...rest, apiKeyChanged: true };
}

async function findChannel(call: AdminCall, name: string): Promise<ChannelRecord> {
  const channel = (await call.services.catalogStore.listChannels()).find((c) => c.name === name);
  if (!channel) throw notFound(`No channel named "${name}".`, 'channel_not_found', 'name');
  return channel;
}

async function viewOf(call: AdminCall, name: string) {
  return viewWithCircuit(call, await findChannel(call, name));
}

export async function listChannels(call: AdminCall): Promise<void> {
  const channels = await call.services.catalogStore.listChannels();
  reply(call, 200, { data: await Promise.all(channels.map((c) => viewWithCircuit(call, c))) });
}

export async function createChannel(call: AdminCall): Promise<void> {
  const body = await readBody(call, createChannelSchema);
  if ((await call.services.catalogStore.listChannels()).some((c) => c.name === body.name)) throw conflict(`A channel named "${body.name}" already exists.`);
  const options: ChannelOptions = {};
  for (const field of CHANNEL_OPTION_FIELDS) {
    const value = body[field];
    if (value !== undefined && value !== false) (options as Record<string, unknown>)[field] = value;
  }
  await call.services.catalogStore.upsertChannel({
    name: body.name,
    type: body.type,
    baseUrl: body.baseUrl,
    apiKey: body.apiKey ?? '',
    models: body.models,
    priority: body.priority ?? 0,
    weight: body.weight ?? 1,
    enabled: body.enabled ?? true,
    options,
    source: 'admin-api',
  });
  await audit(call, 'channel.create', 'channel', body.name, auditedFields(body));
  await refreshCatalog(call);
  reply(call, 201, await viewOf(call, body.name));
}

export async function getChannel(call: AdminCall): Promise<void> {
  reply(call, 200, await viewOf(call, nameParam(call, 'channel')));
}

export async function updateChannel(call: AdminCall): Promise<void> {
  const name = nameParam(call, 'channel');
  const body = await readBody(call, updateChannelSchema);
  const channel = await findChannel(call, name);
  const options: ChannelOptions = { ...channel.options };
  for (const field of CHANNEL_OPTION_FIELDS) {
    const value = body[field];
    if (value === null || value === false) delete options[field];
    else if (value !== undefined) (options as Record<string, unknown>)[field] = value;
  }
  const { type, baseUrl, apiKey, models, priority, weight, enabled } = body;
  await call.services.catalogStore.upsertChannel(patchedChannel(channel, { type, baseUrl, apiKey, models, priority, weight, enabled }, options), { keepStoredKey: apiKey === undefined });
  await audit(call, 'channel.update', 'channel', name, auditedFields(body));
  await refreshCatalog(call);
  reply(call, 200, await viewOf(call, name));
}

function setEnabled(enabled: boolean) {
  return async (call: AdminCall): Promise<void> => {
    const name = nameParam(call, 'channel', enabled ? 'enable' : 'disable');
    await findChannel(call, name);
    await call.services.catalogStore.setChannelEnabled(name, enabled);
    await audit(call, enabled ? 'channel.enable' : 'channel.disable', 'channel', name);
    await refreshCatalog(call);
    reply(call, 200, await viewOf(call, name));
  };
}

export const enableChannel = setEnabled(true);
export const disableChannel = setEnabled(false);

export async function deleteChannel(call: AdminCall): Promise<void> {
  const name = nameParam(call, 'channel');
  await findChannel(call, name);
  await call.services.catalogStore.removeChannel(name);
  await audit(call, 'channel.delete', 'channel', name);
  await refreshCatalog(call);
  reply(call, 200, { name, deleted: true });
}

/** POST /admin/api/channels/:name/test: it sends the channel's key upstream, so it is audited with its outcome. */
export async function runChannelTest(call: AdminCall): Promise<void> {
  const channel = await findChannel(call, nameParam(call, 'channel', 'test'));
  const result = await testChannel(channel, call.deps.agent);
  await audit(call, 'channel.test', 'channel', channel.name, { ok: result.ok, status: result.status, latencyMs: result.latencyMs });
  reply(call, 200, result);
}
