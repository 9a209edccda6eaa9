// The shared state in Redis, for several relay instances behind one load balancer: limiters,
// slots, counters, affinity, channel health and the summary cache under one key prefix. Loaded
// only when REDIS_URL is set.
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import type { SummaryCacheStore } from '../http/server.ts';
import { HEALTHY, type ChannelHealth, type SharedState } from './shared-state.ts';
import type { PlanStore } from './plan-store.ts';
import { RedisPlanStore } from './redis-plan-store.ts';

export class RedisSharedState implements SharedState {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  private readonly prefix: string;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  readonly summaryCache: SummaryCacheStore;
  readonly planStore: PlanStore;

  constructor(url: string, prefix = 'cr:') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false });
    this.prefix = prefix;
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

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
