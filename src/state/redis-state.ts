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

/** The reserve script registered on the client (sent once, then run by its SHA). */
interface ReserveCommand {
  crReserve(key: string, amount: string, limit: string): Promise<unknown>;
}

export class RedisSharedState implements SharedState {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  readonly prefix: string;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  readonly summaryCache: SummaryCacheStore;
  readonly planStore: PlanStore;

  constructor(url: string, prefix = 'cr:') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false });
    this.prefix = prefix;
    this.redis.defineCommand('crReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
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
    const [ok, total] = (await (this.redis as unknown as ReserveCommand).crReserve(`${this.prefix}count:${key}`, String(amount), String(limit))) as [number, string];
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

  async setHealth(channel: string, health: ChannelHealth): Promise<void> {
    await this.redis.set(`${this.prefix}health:${channel}`, JSON.stringify(health), 'EX', 3600);
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
