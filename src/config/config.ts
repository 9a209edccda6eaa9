// Typed relay configuration: defaults, then an optional YAML file, then environment variables,
// then command-line flags. Secrets in the file are written as ${ENV_VAR} references.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { channelOptionsSchema, channelTypeSchema, groupOptionsSchema, strictShape } from '../access/catalog-schema.ts';
import { checkBaseUrl } from './base-url.ts';

/** A base URL that checkBaseUrl accepts (http/https, not ending in an endpoint path). */
const baseUrlSchema = z.string().superRefine((value, ctx) => {
  try {
    checkBaseUrl(value, 'baseUrl');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** A channel: where it is and what it serves, then its options (access/catalog-schema.ts) side by side. */
const channelSchema = strictShape({
  name: z.string().min(1),
  type: channelTypeSchema,
  baseUrl: baseUrlSchema,
  /** Left out: the key stored for the channel (set with the CLI or console) is kept. */
  apiKey: z.string().optional(),
  models: z.array(z.string().min(1)).min(1),
  priority: z.number().int().default(0),
  weight: z.number().int().positive().default(1),
  enabled: z.boolean().default(true),
  ...channelOptionsSchema.shape,
}, 'channel setting');

/** A group: its name and models, then its options (compaction, shared limits) side by side. */
const groupSchema = strictShape({
  name: z.string().min(1),
  models: z.array(z.string().min(1)).min(1),
  ...groupOptionsSchema.shape,
}, 'group setting');

const fileSchema = z.object({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().optional(),
  dataDir: z.string().optional(),
  databaseUrl: z.string().optional(),
  redisUrl: z.string().optional(),
  bodyLimitBytes: z.number().int().positive().optional(),
  upstreamTimeoutMs: z.number().int().positive().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  catalogPollMs: z.number().int().positive().optional(),
  shutdownGraceMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  retryStatuses: z.array(z.number().int().min(400).max(599)).optional(),
  circuitFailureThreshold: z.number().int().positive().optional(),
  circuitCooldownMs: z.number().int().positive().optional(),
  affinityTtlSec: z.number().int().positive().optional(),
  accessLog: z.boolean().optional(),
  sealedItemTtlSec: z.number().int().positive().optional(),
  memoryStateMaxEntries: z.number().int().positive().optional(),
  upstreamBodyLimitBytes: z.number().int().positive().optional(),
  circuitMinKeys: z.number().int().positive().optional(),
  outputReserveTokens: z.number().int().positive().optional(),
  headersTimeoutMs: z.number().int().positive().optional(),
  requestTimeoutMs: z.number().int().min(0).optional(),
  keepAliveTimeoutMs: z.number().int().positive().optional(),
  maxConnections: z.number().int().positive().optional(),
  usageRetentionDays: z.number().min(0).optional(),
  metricsToken: z.string().optional(),
  compactionWorkers: z.number().int().min(0).optional(),
  compactionQueueLimit: z.number().int().min(0).optional(),
  compactionPlanCacheMb: z.number().positive().optional(),
  prices: z.record(z.string(), z.object({ input: z.number().min(0), cachedInput: z.number().min(0).optional(), output: z.number().min(0) })).optional(),
  channels: z.array(channelSchema).default([]),
  groups: z.array(groupSchema).default([]),
});

export type ChannelConfig = z.infer<typeof channelSchema>;
export type GroupConfig = z.infer<typeof groupSchema>;

export interface RelayConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  bodyLimitBytes: number;
  upstreamTimeoutMs: number;
  logLevel: string;
  catalogPollMs: number;
  shutdownGraceMs: number;
  /** Extra upstream attempts after the first, before any byte reached the client. */
  retries: number;
  retryStatuses: number[];
  circuitFailureThreshold: number;
  circuitCooldownMs: number;
  affinityTtlSec: number;
  accessLog: boolean;
  /** Lifetime of a relay-sealed compaction item, in seconds. */
  sealedItemTtlSec: number;
  /** Session-affinity and blob-issuer entries the in-memory shared state keeps (without Redis), least recently used evicted first. */
  memoryStateMaxEntries: number;
  /** Largest upstream answer the relay reads whole (JSON bodies, error bodies, one SSE event). */
  upstreamBodyLimitBytes: number;
  /** Distinct keys whose failures it takes to open a channel's shared circuit (one key's failures open only its own). */
  circuitMinKeys: number;
  /** Output tokens reserved against token limits and quotas for a request that sets no max_tokens. */
  outputReserveTokens: number;
  /** Time a client has to send a request's headers (ms). */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included (ms; 0 = none). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests (ms). */
  keepAliveTimeoutMs: number;
  /** Most client connections open at once; more are refused. */
  maxConnections: number;
  /** Usage rows older than this many days are pruned (their totals kept for quotas); 0 keeps them all. */
  usageRetentionDays: number;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Worker threads for compaction (undefined: one per available core but one; 0: in process, on the event loop). */
  compactionWorkers?: number;
  /** Compactions that may wait for a worker before requests are turned away with 503 (undefined: four per worker, at least 8). */
  compactionQueueLimit?: number;
  /** Memory for compaction plans when state is kept in process, in MiB. */
  compactionPlanCacheMb: number;
  /** US dollars per million tokens, per model, for cost quotas. */
  prices: Record<string, { input: number; cachedInput?: number; output: number }>;
  channels: ChannelConfig[];
  groups: GroupConfig[];
}

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  dataDir: './data',
  bodyLimitBytes: 32 * 1024 * 1024,
  upstreamTimeoutMs: 300_000,
  logLevel: 'info',
  catalogPollMs: 1000,
  shutdownGraceMs: 15_000,
  retries: 2,
  retryStatuses: [429, 500, 502, 503, 504, 529],
  circuitFailureThreshold: 5,
  circuitCooldownMs: 30_000,
  affinityTtlSec: 3600,
  sealedItemTtlSec: 30 * 24 * 3600,
  memoryStateMaxEntries: 100_000,
  upstreamBodyLimitBytes: 32 * 1024 * 1024,
  circuitMinKeys: 2,
  outputReserveTokens: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 4096,
  usageRetentionDays: 0,
  compactionPlanCacheMb: 64,
} as const;

/** A numeric setting from a flag, the environment or the file, in that order; a malformed value is an error. */
function numberSetting(name: string, values: (string | number | undefined)[], fallback: number, min = 0): number {
  const given = values.find((v) => v !== undefined && v !== '');
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isFinite(value) || value < min) throw new Error(`Invalid ${name}: ${given}`);
  return value;
}

/** Replaces ${NAME} in every string of a parsed YAML tree; a missing variable is an error. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const found = env[name];
      if (found === undefined) throw new Error(`Config ${path || 'value'} references \${${name}}, which is not set in the environment.`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}

export function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): z.infer<typeof fileSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = substituteEnv(parseYaml(text) ?? {}, env);
  const result = fileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`Config file ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** A positive integer from the environment, undefined when unset; anything else is an error. */
function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${value}".`);
  return n;
}

/** A whole number ≥ 0 from the environment, or undefined when unset. */
function optionalCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got "${value}".`);
  return n;
}

/** A number > 0 from the environment, or undefined when unset. */
function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number > 0, got "${value}".`);
  return n;
}

export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  config?: string;
  headersTimeoutMs?: string | number;
  requestTimeoutMs?: string | number;
  keepAliveTimeoutMs?: string | number;
  maxConnections?: string | number;
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const configPath = flags.config ?? env.COMPACT_RELAY_CONFIG;
  const file = configPath ? readConfigFile(resolve(configPath), env) : fileSchema.parse({});
  const port = Number(flags.port ?? env.PORT ?? file.port ?? DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${flags.port ?? env.PORT ?? file.port}`);
  return {
    port,
    host: flags.host ?? env.HOST ?? file.host ?? DEFAULTS.host,
    dataDir: resolve(flags.dataDir ?? env.COMPACT_RELAY_DATA ?? file.dataDir ?? DEFAULTS.dataDir),
    databaseUrl: env.DATABASE_URL ?? file.databaseUrl,
    redisUrl: env.REDIS_URL ?? file.redisUrl,
    bodyLimitBytes: Number(env.COMPACT_RELAY_BODY_LIMIT ?? file.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes),
    upstreamTimeoutMs: Number(env.COMPACT_RELAY_UPSTREAM_TIMEOUT_MS ?? file.upstreamTimeoutMs ?? DEFAULTS.upstreamTimeoutMs),
    logLevel: env.LOG_LEVEL ?? file.logLevel ?? DEFAULTS.logLevel,
    catalogPollMs: file.catalogPollMs ?? DEFAULTS.catalogPollMs,
    shutdownGraceMs: file.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
    retries: file.retries ?? DEFAULTS.retries,
    retryStatuses: file.retryStatuses ?? [...DEFAULTS.retryStatuses],
    circuitFailureThreshold: file.circuitFailureThreshold ?? DEFAULTS.circuitFailureThreshold,
    circuitCooldownMs: file.circuitCooldownMs ?? DEFAULTS.circuitCooldownMs,
    affinityTtlSec: file.affinityTtlSec ?? DEFAULTS.affinityTtlSec,
    accessLog: file.accessLog ?? env.COMPACT_RELAY_ACCESS_LOG === 'true',
    sealedItemTtlSec: positiveInt(env.COMPACT_RELAY_SEALED_TTL_SEC, 'COMPACT_RELAY_SEALED_TTL_SEC') ?? file.sealedItemTtlSec ?? DEFAULTS.sealedItemTtlSec,
    memoryStateMaxEntries: positiveInt(env.COMPACT_RELAY_MEMORY_STATE_MAX_ENTRIES, 'COMPACT_RELAY_MEMORY_STATE_MAX_ENTRIES') ?? file.memoryStateMaxEntries ?? DEFAULTS.memoryStateMaxEntries,
    upstreamBodyLimitBytes: positiveInt(env.COMPACT_RELAY_UPSTREAM_BODY_LIMIT, 'COMPACT_RELAY_UPSTREAM_BODY_LIMIT') ?? file.upstreamBodyLimitBytes ?? DEFAULTS.upstreamBodyLimitBytes,
    circuitMinKeys: numberSetting('circuitMinKeys', [env.COMPACT_RELAY_CIRCUIT_MIN_KEYS, file.circuitMinKeys], DEFAULTS.circuitMinKeys, 1),
    outputReserveTokens: numberSetting('outputReserveTokens', [env.COMPACT_RELAY_OUTPUT_RESERVE_TOKENS, file.outputReserveTokens], DEFAULTS.outputReserveTokens, 1),
    headersTimeoutMs: numberSetting('headers timeout', [flags.headersTimeoutMs, env.COMPACT_RELAY_HEADERS_TIMEOUT_MS, file.headersTimeoutMs], DEFAULTS.headersTimeoutMs, 1),
    requestTimeoutMs: numberSetting('request timeout', [flags.requestTimeoutMs, env.COMPACT_RELAY_REQUEST_TIMEOUT_MS, file.requestTimeoutMs], DEFAULTS.requestTimeoutMs),
    keepAliveTimeoutMs: numberSetting('keep-alive timeout', [flags.keepAliveTimeoutMs, env.COMPACT_RELAY_KEEP_ALIVE_TIMEOUT_MS, file.keepAliveTimeoutMs], DEFAULTS.keepAliveTimeoutMs, 1),
    maxConnections: numberSetting('max connections', [flags.maxConnections, env.COMPACT_RELAY_MAX_CONNECTIONS, file.maxConnections], DEFAULTS.maxConnections, 1),
    usageRetentionDays: numberSetting('usage retention', [env.COMPACT_RELAY_USAGE_RETENTION_DAYS, file.usageRetentionDays], DEFAULTS.usageRetentionDays),
    metricsToken: env.COMPACT_RELAY_METRICS_TOKEN || file.metricsToken || undefined,
    compactionWorkers: optionalCount(env.COMPACT_RELAY_COMPACTION_WORKERS, 'COMPACT_RELAY_COMPACTION_WORKERS') ?? file.compactionWorkers,
    compactionQueueLimit: optionalCount(env.COMPACT_RELAY_COMPACTION_QUEUE, 'COMPACT_RELAY_COMPACTION_QUEUE') ?? file.compactionQueueLimit,
    compactionPlanCacheMb: positiveNumber(env.COMPACT_RELAY_PLAN_CACHE_MB, 'COMPACT_RELAY_PLAN_CACHE_MB') ?? file.compactionPlanCacheMb ?? DEFAULTS.compactionPlanCacheMb,
    prices: file.prices ?? {},
    channels: file.channels,
    groups: file.groups,
  };
}
