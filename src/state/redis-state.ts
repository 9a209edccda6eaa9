// The shared state in Redis, for several relay instances behind one load balancer: limiters,
// slots, counters, affinity, channel health and the summary cache under one key prefix. Loaded
// only when REDIS_URL is set.
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import type { SummaryCache as SummaryCacheStore } from '../compaction/summarizer.ts';
import { HEALTHY, type ChannelHealth, type SharedState } from './state-contract.ts';
import type { PlanStore } from './plan-store.ts';
import { RedisPlanStore } from './redis-plan-store.ts';

/** Adds ARGV[1] to KEYS[1] only when the total stays within ARGV[2]: {1, total} or {0, current}. */
const RESERVE_SCRIPT = `
local current = tonumber(redis.call('get', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if current >= limit or current + amount > limit then return {0, tostring(current)} end
return {1, redis.call('incrbyfloat', KEYS[1], ARGV[1])}
`;

/** Sets KEYS[1] to ARGV[2] (expiring in ARGV[3] seconds) only while it still holds ARGV[1] ('' for absent): 1 when set, 0 when it changed. */
const SET_IF_UNCHANGED_SCRIPT = `
local current = redis.call('get', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
`;

/** The scripts registered on the client (sent once, then run by their SHA). */
interface ScriptCommands {
  crReserve(key: string, amount: string, limit: string): Promise<unknown>;
  crSetIfUnchanged(key: string, expected: string, next: string, ttlSec: string): Promise<number>;
}

/** Attempts at a compare-and-set before the last one writes regardless (only under sustained contention on one circuit). */
const HEALTH_UPDATE_ATTEMPTS = 16;
const HEALTH_TTL_SEC = 3600;

export class RedisSharedState implements SharedState {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  readonly prefix: string;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** The last health update queued per circuit on this instance. */
  private readonly healthUpdates = new Map<string, Promise<ChannelHealth>>();
  readonly summaryCache: SummaryCacheStore;
  readonly planStore: PlanStore;

  constructor(url: string, prefix = 'cr:') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false });
    this.prefix = prefix;
    this.redis.defineCommand('crReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    this.redis.defineCommand('crSetIfUnchanged', { numberOfKeys: 1, lua: SET_IF_UNCHANGED_SCRIPT });
    const redis = this.redis;
    this.planStore = new RedisPlanStore(this.redis, prefix);
    const summaryKey = (k: string) => `${prefix}summary:${k}`;
    this.summaryCache = {
      get: async (k) => (await redis.get(summaryKey(k))) ?? undefined,
      set: async (k, v) => {
        await redis.set(summaryKey(k), v, 'EX', 7 * 24 * 3600);
      },
    };
  }

  limiter(name: string, points: number, durationSec: number): RateLimiterAbstract {
    const id = `${this.prefix}rl:${name}:${points}:${durationSec}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({ storeClient: this.redis, keyPrefix: id, points, duration: durationSec });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  async acquire(key: string, limit: number): Promise<boolean> {
    const k = `${this.prefix}slots:${key}`;
    const used = await this.redis.incr(k);
    await this.redis.expire(k, 600);
    if (used > limit) {
      await this.redis.decr(k);
      return false;
    }
    return true;
  }

  async release(key: string): Promise<void> {
    await this.redis.decr(`${this.prefix}slots:${key}`);
  }

  async add(key: string, amount: number): Promise<number> {
    return Number(await this.redis.incrbyfloat(`${this.prefix}count:${key}`, amount));
  }

  async getCounter(key: string): Promise<number | undefined> {
    const value = await this.redis.get(`${this.prefix}count:${key}`);
    return value === null ? undefined : Number(value);
  }

  async reserve(key: string, amount: number, limit: number): Promise<number | undefined> {
    const [ok, total] = (await (this.redis as unknown as ScriptCommands).crReserve(`${this.prefix}count:${key}`, String(amount), String(limit))) as [number, string];
    return ok === 1 ? Number(total) : undefined;
  }

  async setCounterIfAbsent(key: string, value: number): Promise<void> {
    await this.redis.set(`${this.prefix}count:${key}`, String(value), 'NX');
  }

  async getAffinity(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}aff:${key}`)) ?? undefined;
  }

  async setAffinity(key: string, channel: string, ttlSec: number): Promise<void> {
    await this.redis.set(`${this.prefix}aff:${key}`, channel, 'EX', ttlSec);
  }

  async getHealth(channel: string): Promise<ChannelHealth> {
    const raw = await this.redis.get(`${this.prefix}health:${channel}`);
    return raw ? (JSON.parse(raw) as ChannelHealth) : HEALTHY;
  }

  /**
   * Updates of one circuit from this instance run one after the other; against other instances the
   * update is optimistic: computed here, stored only if no other update landed meanwhile, else retried.
   */
  async updateHealth(channel: string, update: (current: ChannelHealth) => ChannelHealth): Promise<ChannelHealth> {
    const previous = this.healthUpdates.get(channel) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.compareAndSetHealth(channel, update));
    this.healthUpdates.set(channel, run);
    try {
      return await run;
    } finally {
      if (this.healthUpdates.get(channel) === run) this.healthUpdates.delete(channel);
    }
  }

  private async compareAndSetHealth(channel: string, update: (current: ChannelHealth) => ChannelHealth): Promise<ChannelHealth> {
    const key = `${this.prefix}health:${channel}`;
    const scripts = this.redis as unknown as ScriptCommands;
    for (let attempt = 1; ; attempt++) {
      const raw = await this.redis.get(key);
      const next = update(raw ? (JSON.parse(raw) as ChannelHealth) : HEALTHY);
      const text = JSON.stringify(next);
      if (attempt >= HEALTH_UPDATE_ATTEMPTS) {
        await this.redis.set(key, text, 'EX', HEALTH_TTL_SEC);
        return next;
      }
      if ((await scripts.crSetIfUnchanged(key, raw ?? '', text, String(HEALTH_TTL_SEC))) === 1) return next;
      // Another instance wrote in between: try again after a short random pause.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    }
  }

  async claimProbe(circuit: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}probe:${circuit}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async releaseProbe(circuit: string): Promise<void> {
    await this.redis.del(`${this.prefix}probe:${circuit}`);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
