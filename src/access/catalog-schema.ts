// The catalog's option shapes, defined once as zod schemas: what a channel, a group and a key may
// carry besides their names and models. The config file, the CLI, the admin API (and its OpenAPI
// document) and the store all validate with these, so an unknown or malformed option is refused
// the same way everywhere, with a message naming it.
import { z } from 'zod';

export const channelTypeSchema = z.enum(['openai-chat', 'openai-responses', 'anthropic']);
export type ChannelType = z.infer<typeof channelTypeSchema>;
export const CHANNEL_TYPES: readonly ChannelType[] = channelTypeSchema.options;

const positiveInt = z.number().int().positive();

/** Builds a strict object whose unknown-key error names the key and the ones it accepts. */
export function strictShape<S extends z.ZodRawShape>(shape: S, what: string) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const names = issue.keys.map((k) => `"${k}"`).join(', ');
      return `unknown ${what}${issue.keys.length > 1 ? 's' : ''} ${names} (known: ${known})`;
    },
  });
}

/** Each field optional, and null allowed to mean "remove it": the shape of a PATCH. */
export function patchShape<S extends Record<string, z.ZodType>>(shape: S): { [K in keyof S]: z.ZodOptional<z.ZodNullable<S[K]>> } {
  const patch: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(shape) as [string, z.ZodType][]) {
    const wrapped = field.nullable().optional();
    patch[name] = field.description ? wrapped.describe(field.description) : wrapped;
  }
  return patch as { [K in keyof S]: z.ZodOptional<z.ZodNullable<S[K]>> };
}

// ---- channels ----

export const channelOptionFields = {
  aliases: z.record(z.string().min(1), z.string().min(1)).describe('client model name → upstream model name'),
  contextWindow: positiveInt.describe('context window of its models in tokens, for compaction budgets'),
  nativeCompaction: z.boolean().describe('an openai-responses channel whose upstream implements compaction itself (OpenAI)'),
  timeoutMs: positiveInt.describe('time allowed for the upstream\'s response headers, in ms'),
  defaultMaxTokens: positiveInt.describe('anthropic channels: max_tokens when the client sets no output limit (default 8192)'),
};

export const channelOptionsSchema = strictShape(channelOptionFields, 'channel option').partial();
export type ChannelOptions = z.infer<typeof channelOptionsSchema>;

// ---- groups ----

export const compactionStrategySchema = z.enum(['model', 'ledger', 'none']);
export const compactionOutputSchema = z.enum(['message', 'sealed']);
export const compactionFallbackSchema = z.enum(['ledger', 'error']);

export const compactionOptionFields = {
  strategy: compactionStrategySchema.describe('model (summary + ledger, default) | ledger (no model call) | none'),
  output: compactionOutputSchema.describe('message (a summary message, default) | sealed (one sealed compaction item)'),
  summarizerModel: z.string().min(1).describe('the model that writes summaries (default: the request\'s own)'),
  fallback: compactionFallbackSchema.describe('ledger: the ledger stands in for a failed model summary (x-compaction-fallback says so); error: answer 502/503/504'),
};

export const compactionOptionsSchema = strictShape(compactionOptionFields, 'compaction option').partial();
export type CompactionOptions = z.infer<typeof compactionOptionsSchema>;

export const groupLimitFields = {
  rpm: positiveInt.describe('requests per minute'),
  tpm: positiveInt.describe('tokens per minute (estimated before the call, corrected after)'),
  concurrency: positiveInt.describe('requests in flight at once'),
};

export const groupLimitsSchema = strictShape(groupLimitFields, 'group limit').partial();

/** A group's options as stored: its compaction policy and, side by side, the limits all its keys share. */
export const groupOptionsSchema = strictShape({ compaction: compactionOptionsSchema, ...groupLimitFields }, 'group option').partial();
export type GroupOptions = z.infer<typeof groupOptionsSchema>;

// ---- keys ----

export const keyLimitFields = {
  ...groupLimitFields,
  quotaTokens: positiveInt.describe('total tokens the key may use'),
  quotaUsd: z.number().positive().describe('total cost the key may run up, in US dollars from the price table'),
};

export const keyLimitsSchema = strictShape(keyLimitFields, 'key limit').partial();

/** A key's options as stored: its own limits and quotas. */
export const keyOptionsSchema = strictShape(keyLimitFields, 'key option').partial();
export type KeyOptions = z.infer<typeof keyOptionsSchema>;
export type LimitOptions = z.infer<typeof keyLimitsSchema>;

/** Every limit a key may carry (a group carries the first three). */
export const LIMIT_FIELDS = Object.keys(keyLimitFields) as (keyof LimitOptions)[];
