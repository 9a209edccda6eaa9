// The admin API's request and response shapes as zod schemas: handlers validate with them and the
// OpenAPI document is generated from them, so the two cannot drift apart.
import { z } from 'zod';
import { CHANNEL_TYPES } from '../store/catalog-store.ts';
import { checkBaseUrl } from '../config/base-url.ts';

const resourceName = z.string().regex(/^[A-Za-z0-9][\w.@:-]{0,99}$/, 'use letters, digits and . _ - @ : (up to 100 characters, starting with a letter or digit)');
const positiveInt = z.number().int().positive();
/** A limit: a positive number sets it, null removes it. */
const limit = positiveInt.nullable().optional();
const modelList = z.array(z.string().trim().min(1)).min(1);

export const groupLimitsSchema = z.strictObject({
  rpm: limit.describe('requests per minute'),
  tpm: limit.describe('tokens per minute'),
  concurrency: limit.describe('requests at the same time'),
});

export const keyLimitsSchema = z.strictObject({
  ...groupLimitsSchema.shape,
  quotaTokens: limit.describe('total token budget'),
  quotaUsd: z.number().positive().nullable().optional().describe('total cost budget in US dollars'),
});

export const LIMIT_FIELDS = Object.keys(keyLimitsSchema.shape) as (keyof z.infer<typeof keyLimitsSchema>)[];

export const createKeySchema = z.strictObject({
  name: resourceName,
  group: z.string().min(1),
  limits: keyLimitsSchema.optional(),
});

export const updateKeySchema = z.strictObject({
  group: z.string().min(1).optional(),
  limits: keyLimitsSchema.optional(),
});

export const compactionSchema = z.strictObject({
  strategy: z.enum(['model', 'ledger', 'none']).optional(),
  output: z.enum(['message', 'sealed']).optional(),
  summarizerModel: z.string().min(1).optional(),
  fallback: z.enum(['ledger', 'error']).optional().describe('ledger: the ledger stands in for a failed model summary (x-compaction-fallback says so); error: answer 502/503/504'),
});

export const createGroupSchema = z.strictObject({
  name: resourceName,
  models: modelList.describe('model names the group may use; ["*"] for all'),
  compaction: compactionSchema.optional(),
  limits: groupLimitsSchema.optional(),
});

export const updateGroupSchema = z.strictObject({
  models: modelList.optional(),
  compaction: compactionSchema.nullable().optional(),
  limits: groupLimitsSchema.optional(),
});

const channelType = z.enum(CHANNEL_TYPES as [string, ...string[]]);
const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://api.openai.com/v1' }).superRefine((value, ctx) => {
  try {
    checkBaseUrl(value, 'baseUrl');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});
const aliases = z.record(z.string().min(1), z.string().min(1)).describe('client model name → upstream model name');

export const createChannelSchema = z.strictObject({
  name: resourceName,
  type: channelType,
  baseUrl,
  apiKey: z.string().max(8192).optional().describe('write-only: never returned'),
  models: modelList,
  priority: z.number().int().optional(),
  weight: positiveInt.optional(),
  enabled: z.boolean().optional(),
  aliases: aliases.optional(),
  contextWindow: positiveInt.optional(),
  nativeCompaction: z.boolean().optional(),
  timeoutMs: positiveInt.optional(),
  defaultMaxTokens: positiveInt.optional().describe('anthropic channels: max_tokens when the client sets no output limit (default 8192)'),
});

export const updateChannelSchema = z.strictObject({
  type: channelType.optional(),
  baseUrl: baseUrl.optional(),
  apiKey: z.string().max(8192).optional().describe('write-only; "" clears it, absent keeps it'),
  models: modelList.optional(),
  priority: z.number().int().optional(),
  weight: positiveInt.optional(),
  enabled: z.boolean().optional(),
  aliases: aliases.nullable().optional(),
  contextWindow: positiveInt.nullable().optional(),
  nativeCompaction: z.boolean().nullable().optional(),
  timeoutMs: positiveInt.nullable().optional(),
  defaultMaxTokens: positiveInt.nullable().optional(),
});

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

const limitsView = z.object({ rpm: z.number().optional(), tpm: z.number().optional(), concurrency: z.number().optional(), quotaTokens: z.number().optional(), quotaUsd: z.number().optional() });

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
  compaction: compactionSchema.nullable(),
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
  aliases: z.record(z.string(), z.string()).nullable(),
  contextWindow: z.number().nullable(),
  nativeCompaction: z.boolean(),
  timeoutMs: z.number().nullable(),
  defaultMaxTokens: z.number().nullable(),
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

export const usageRowSchema = z.object({
  id: z.number(), ts: z.string(), request_id: z.string(), key_name: z.string().nullable(), group_name: z.string().nullable(),
  model: z.string().nullable(), channel: z.string().nullable(), endpoint: z.string(), status: z.number(), streamed: z.number(),
  input_tokens: z.number(), output_tokens: z.number(), cached_tokens: z.number(), reasoning_tokens: z.number(),
  latency_ms: z.number(), ttfb_ms: z.number().nullable(), error_code: z.string().nullable(),
  compaction_strategy: z.string().nullable(), compaction_tokens_before: z.number().nullable(), compaction_tokens_after: z.number().nullable(),
  summarizer_model: z.string().nullable(), summarizer_input_tokens: z.number().nullable(), summarizer_output_tokens: z.number().nullable(),
  compaction_fallback: z.string().nullable().describe('why a model summary fell back to the ledger: upstream_error, upstream_timeout, summarizer_unavailable, rate_limited, rejected'),
  summarizer_call: z.number().describe('1 on the row of the compaction summarizer\'s own upstream call (same request_id as the compacted request)'),
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
