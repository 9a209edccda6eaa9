// The admin API's request and response shapes as zod schemas: handlers validate with them and the
// OpenAPI document is generated from them, so the two cannot drift apart. Channel, group and key
// options come from the catalog's own schemas (access/catalog-schema.ts).
import { z } from 'zod';
import {
  channelOptionFields, channelOptionsSchema, channelTypeSchema, compactionOptionsSchema, groupLimitFields,
  keyLimitFields, keyLimitsSchema, patchShape,
} from '../access/catalog-schema.ts';
import { checkBaseUrl } from '../config/base-url.ts';
import { USAGE_COLUMNS } from '../store/usage-columns.ts';

export { LIMIT_FIELDS } from '../access/catalog-schema.ts';

const resourceName = z.string().regex(/^[A-Za-z0-9][\w.@:-]{0,99}$/, 'use letters, digits and . _ - @ : (up to 100 characters, starting with a letter or digit)');
const positiveInt = z.number().int().positive();
const modelList = z.array(z.string().trim().min(1)).min(1);

/** Group limits in a request: a positive number sets one, null removes it. */
export const groupLimitsPatchSchema = z.strictObject(patchShape(groupLimitFields));

/** Key limits and quotas in a request: a positive number sets one, null removes it. */
export const keyLimitsPatchSchema = z.strictObject(patchShape(keyLimitFields));

export const createKeySchema = z.strictObject({
  name: resourceName,
  group: z.string().min(1),
  limits: keyLimitsPatchSchema.optional(),
});

export const updateKeySchema = z.strictObject({
  group: z.string().min(1).optional(),
  limits: keyLimitsPatchSchema.optional(),
});

export const createGroupSchema = z.strictObject({
  name: resourceName,
  models: modelList.describe('model names the group may use; ["*"] for all'),
  compaction: compactionOptionsSchema.optional(),
  limits: groupLimitsPatchSchema.optional(),
});

export const updateGroupSchema = z.strictObject({
  models: modelList.optional(),
  compaction: compactionOptionsSchema.nullable().optional(),
  limits: groupLimitsPatchSchema.optional(),
});

const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://api.openai.com/v1' }).superRefine((value, ctx) => {
  try {
    checkBaseUrl(value, 'baseUrl');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const createChannelSchema = z.strictObject({
  name: resourceName,
  type: channelTypeSchema,
  baseUrl,
  apiKey: z.string().max(8192).optional().describe('write-only: never returned'),
  models: modelList,
  priority: z.number().int().optional(),
  weight: positiveInt.optional(),
  enabled: z.boolean().optional(),
  ...channelOptionsSchema.shape,
});

export const updateChannelSchema = z.strictObject({
  type: channelTypeSchema.optional(),
  baseUrl: baseUrl.optional(),
  apiKey: z.string().max(8192).optional().describe('write-only; "" clears it, absent keeps it'),
  models: modelList.optional(),
  priority: z.number().int().optional(),
  weight: positiveInt.optional(),
  enabled: z.boolean().optional(),
  ...patchShape(channelOptionFields),
});

/** The channel options a create or update body carries, by name. */
export const CHANNEL_OPTION_FIELDS = Object.keys(channelOptionFields) as (keyof typeof channelOptionFields)[];

const isoTime = z.string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 time such as 2026-01-31T12:00:00Z')
  .transform((v) => new Date(v).toISOString());
const cursor = z.string().regex(/^\d+$/, 'expected the next_cursor of a previous page').transform(Number);
const pageLimit = z.coerce.number().int().min(1).max(500);

const usageFilterFields = {
  key: z.string().optional().describe('key name'),
  model: z.string().optional(),
  channel: z.string().optional(),
  endpoint: z.string().optional(),
  status: z.union([z.enum(['ok', 'error']), z.coerce.number().int().min(100).max(599)]).optional().describe('an HTTP status, or ok (<400) / error (>=400)'),
  since: isoTime.optional().describe('inclusive ISO time'),
  until: isoTime.optional().describe('exclusive ISO time'),
  compacted: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only compacted requests'),
};

export const usageQuerySchema = z.strictObject({
  ...usageFilterFields,
  limit: pageLimit.default(50),
  cursor: cursor.optional(),
});

export const summaryQuerySchema = z.strictObject({
  ...usageFilterFields,
  bucket: z.enum(['minute', 'hour', 'day']).optional().describe('default: minute up to 6 h, hour up to 8 days, else day'),
});

export const auditQuerySchema = z.strictObject({
  target_type: z.enum(['key', 'group', 'channel', 'admin']).optional(),
  target: z.string().optional(),
  limit: pageLimit.default(50),
  cursor: cursor.optional(),
});

// ---- responses (documentation only) ----

export const errorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), code: z.string().nullable(), param: z.string().nullable() }),
});

const limitsView = keyLimitsSchema;

export const keyViewSchema = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the secret'),
  group: z.string(),
  limits: limitsView,
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  active: z.boolean(),
});

export const createdKeySchema = z.object({ key: keyViewSchema, secret: z.string().describe('shown only in this response') });

export const groupViewSchema = z.object({
  name: z.string(),
  models: z.array(z.string()),
  compaction: compactionOptionsSchema.nullable(),
  limits: limitsView,
  source: z.string(),
  activeKeys: z.number(),
});

export const channelViewSchema = z.object({
  id: z.number(),
  name: z.string(),
  type: z.string(),
  baseUrl: z.string(),
  apiKeySet: z.boolean().describe('whether an upstream key is stored; the key itself is never returned'),
  apiKeyUnreadable: z.boolean().describe('the stored key was sealed under another server secret (COMPACT_RELAY_SECRET changed): set it again'),
  models: z.array(z.string()),
  priority: z.number(),
  weight: z.number(),
  enabled: z.boolean(),
  aliases: channelOptionFields.aliases.nullable(),
  contextWindow: channelOptionFields.contextWindow.nullable(),
  nativeCompaction: channelOptionFields.nativeCompaction,
  timeoutMs: channelOptionFields.timeoutMs.nullable(),
  defaultMaxTokens: channelOptionFields.defaultMaxTokens.nullable(),
  source: z.string(),
  circuit: z.object({
    state: z.enum(['closed', 'open', 'half-open']),
    consecutiveFailures: z.number(),
    openUntil: z.string().nullable(),
    lastError: z.string().nullable().describe('last failure: an HTTP status, auth_401/auth_403 (the upstream refused the channel\'s own key) or a transport error code'),
    lastErrorAt: z.string().nullable(),
  }).nullable().describe("the channel's shared circuit breaker"),
});

export const channelTestSchema = z.object({
  ok: z.boolean(),
  status: z.number().nullable(),
  latencyMs: z.number(),
  modelCount: z.number().nullable(),
  models: z.array(z.string()),
  missingModels: z.array(z.string()).describe("models the channel claims that the upstream's list lacks"),
  error: z.string().nullable(),
});

/** A usage row as the API returns it, from the one definition of the usage columns. */
export const usageRowSchema = z.object({
  id: z.number(),
  ...Object.fromEntries(Object.entries(USAGE_COLUMNS).map(([name, spec]) => {
    const value = spec.type === 'text' ? z.string() : z.number();
    const column = spec.nullable ? value.nullable() : value;
    return [name, 'description' in spec ? column.describe(spec.description) : column];
  })),
});

const totals = {
  requests: z.number(), errors: z.number(), input_tokens: z.number(), output_tokens: z.number(), cached_tokens: z.number(),
  compactions: z.number(), tokens_saved: z.number().describe('compaction tokens before − after'), summarizer_tokens: z.number(),
};
const latency = {
  p50_latency_ms: z.number().nullable().describe('exact below 100 ms, to 2 significant digits above'),
  p95_latency_ms: z.number().nullable().describe('exact below 100 ms, to 2 significant digits above'),
};

export const summarySchema = z.object({
  since: z.string(),
  until: z.string(),
  bucket: z.enum(['minute', 'hour', 'day']),
  series: z.array(z.object({ start: z.string(), ...totals, ...latency })),
  totals: z.object({ ...totals, ...latency }),
  by_key: z.array(z.object({ key_name: z.string().nullable(), ...totals })),
  by_model: z.array(z.object({ model: z.string().nullable(), ...totals })),
});

export const auditRowSchema = z.object({
  id: z.number(), ts: z.string(), actor: z.string(), action: z.string(), targetType: z.string(), target: z.string(),
  details: z.record(z.string(), z.unknown()), remoteAddr: z.string().nullable(),
});

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
