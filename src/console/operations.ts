// The admin API as one list of operations: method, path template, handler and schemas. The router
// and the OpenAPI document are both built from this list.
import { z } from 'zod';
import type { AdminHandler } from './admin-context.ts';
import * as s from './admin-schemas.ts';
import { createKey, getKey, listKeys, revokeKey, updateKey } from './keys-api.ts';
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from './groups-api.ts';
import { createChannel, deleteChannel, disableChannel, enableChannel, getChannel, listChannels, runChannelTest, updateChannel } from './channels-api.ts';
import { listAudit, listUsage, usageSummary, whoAmI } from './usage-api.ts';

export interface AdminOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI-style template, e.g. /admin/api/keys/{name}/revoke. */
  path: string;
  tag: 'session' | 'keys' | 'groups' | 'channels' | 'usage' | 'audit';
  summary: string;
  handler: AdminHandler;
  body?: z.ZodType;
  query?: z.ZodObject;
  response: z.ZodType;
  status: number;
}

const deletedSchema = z.object({ name: z.string(), deleted: z.literal(true) });

export const ADMIN_OPERATIONS: AdminOperation[] = [
  { method: 'GET', path: '/admin/api/me', tag: 'session', summary: 'Check the admin token; who the caller is', handler: whoAmI, response: z.object({ actor: z.string(), tokenSource: z.enum(['env', 'generated']) }), status: 200 },

  { method: 'GET', path: '/admin/api/keys', tag: 'keys', summary: 'List API keys (secrets are never returned)', handler: listKeys, response: z.object({ data: z.array(s.keyViewSchema) }), status: 200 },
  { method: 'POST', path: '/admin/api/keys', tag: 'keys', summary: 'Create a key; the secret is in this response only', handler: createKey, body: s.createKeySchema, response: s.createdKeySchema, status: 201 },
  { method: 'GET', path: '/admin/api/keys/{name}', tag: 'keys', summary: 'Read a key', handler: getKey, response: s.keyViewSchema, status: 200 },
  { method: 'PATCH', path: '/admin/api/keys/{name}', tag: 'keys', summary: 'Move a key to another group or change its limits and quota (null removes a limit)', handler: updateKey, body: s.updateKeySchema, response: s.keyViewSchema, status: 200 },
  { method: 'POST', path: '/admin/api/keys/{name}/revoke', tag: 'keys', summary: 'Revoke a key; it stops working at once', handler: revokeKey, response: s.keyViewSchema, status: 200 },

  { method: 'GET', path: '/admin/api/groups', tag: 'groups', summary: 'List groups', handler: listGroups, response: z.object({ data: z.array(s.groupViewSchema) }), status: 200 },
  { method: 'POST', path: '/admin/api/groups', tag: 'groups', summary: 'Create a group', handler: createGroup, body: s.createGroupSchema, response: s.groupViewSchema, status: 201 },
  { method: 'GET', path: '/admin/api/groups/{name}', tag: 'groups', summary: 'Read a group', handler: getGroup, response: s.groupViewSchema, status: 200 },
  { method: 'PATCH', path: '/admin/api/groups/{name}', tag: 'groups', summary: 'Change a group\'s models, compaction policy (null clears) or limits', handler: updateGroup, body: s.updateGroupSchema, response: s.groupViewSchema, status: 200 },
  { method: 'DELETE', path: '/admin/api/groups/{name}', tag: 'groups', summary: 'Remove a group without active keys', handler: deleteGroup, response: deletedSchema, status: 200 },

  { method: 'GET', path: '/admin/api/channels', tag: 'channels', summary: 'List channels (upstream keys are never returned)', handler: listChannels, response: z.object({ data: z.array(s.channelViewSchema) }), status: 200 },
  { method: 'POST', path: '/admin/api/channels', tag: 'channels', summary: 'Add a channel', handler: createChannel, body: s.createChannelSchema, response: s.channelViewSchema, status: 201 },
  { method: 'GET', path: '/admin/api/channels/{name}', tag: 'channels', summary: 'Read a channel', handler: getChannel, response: s.channelViewSchema, status: 200 },
  { method: 'PATCH', path: '/admin/api/channels/{name}', tag: 'channels', summary: 'Edit a channel (absent fields are kept; null clears an option)', handler: updateChannel, body: s.updateChannelSchema, response: s.channelViewSchema, status: 200 },
  { method: 'DELETE', path: '/admin/api/channels/{name}', tag: 'channels', summary: 'Remove a channel', handler: deleteChannel, response: deletedSchema, status: 200 },
  { method: 'POST', path: '/admin/api/channels/{name}/enable', tag: 'channels', summary: 'Enable a channel', handler: enableChannel, response: s.channelViewSchema, status: 200 },
  { method: 'POST', path: '/admin/api/channels/{name}/disable', tag: 'channels', summary: 'Disable a channel (kept, but no traffic is routed to it)', handler: disableChannel, response: s.channelViewSchema, status: 200 },
  { method: 'POST', path: '/admin/api/channels/{name}/test', tag: 'channels', summary: 'Connection test: GET {baseUrl}/models with the channel\'s key', handler: runChannelTest, response: s.channelTestSchema, status: 200 },

  { method: 'GET', path: '/admin/api/usage', tag: 'usage', summary: 'Usage rows, newest first, filtered and paginated with a cursor', handler: listUsage, query: s.usageQuerySchema, response: s.pageOf(s.usageRowSchema), status: 200 },
  { method: 'GET', path: '/admin/api/usage/summary', tag: 'usage', summary: 'Aggregates per time bucket (requests, errors, tokens, p50/p95 latency, compaction tokens saved) and per key and model', handler: usageSummary, query: s.summaryQuerySchema, response: s.summarySchema, status: 200 },

  { method: 'GET', path: '/admin/api/audit', tag: 'audit', summary: 'The audit log of changes made through the admin API, newest first', handler: listAudit, query: s.auditQuerySchema, response: s.pageOf(s.auditRowSchema), status: 200 },
];
