// Typed relay configuration: defaults, then an optional YAML file, then environment variables,
// then command-line flags. Secrets in the file are written as ${ENV_VAR} references.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CHANNEL_TYPES } from '../store/catalog-store.ts';

const channelSchema = z.object({
  name: z.string().min(1),
  type: z.enum(CHANNEL_TYPES as [string, ...string[]]),
  baseUrl: z.string().url(),
  apiKey: z.string().default(''),
  models: z.array(z.string().min(1)).min(1),
  priority: z.number().int().default(0),
  weight: z.number().int().positive().default(1),
  enabled: z.boolean().default(true),
  aliases: z.record(z.string(), z.string()).optional(),
  contextWindow: z.number().int().positive().optional(),
  nativeCompaction: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  defaultMaxTokens: z.number().int().positive().optional(),
});

const groupSchema = z.looseObject({
  name: z.string().min(1),
  models: z.array(z.string().min(1)).min(1),
});

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
} as const;

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

export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  config?: string;
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
    prices: file.prices ?? {},
    channels: file.channels,
    groups: file.groups,
  };
}
