// State that must be shared by every relay instance behind one load balancer: rate limiters,
// concurrency slots, quota counters, session affinity, channel health and the summary cache.
// In memory by default; in Redis when REDIS_URL is set.
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SummaryCache as SummaryCacheStore } from '../compaction/summarizer.ts';

export interface ChannelHealth {
  consecutiveFailures: number;
  /** Unix ms until which the channel is skipped (circuit open); 0 when closed; past: half-open. */
  openUntil: number;
  /** Distinct keys among the consecutive failures (at most as many as it takes to open). */
  failingKeys?: string[];
  /** The last failure (status or error code) and when it happened (Unix ms), for operators. */
  lastError?: string;
  lastErrorAt?: number;
}

export interface SharedState {
  readonly kind: 'memory' | 'redis';
  /** A limiter allowing `points` per `durationSec` per key; the same arguments give the same limiter. */
  limiter(name: string, points: number, durationSec: number): RateLimiterAbstract;
  /** Takes a concurrency slot under `limit`; false when all are taken. */
  acquire(key: string, limit: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Adds to a counter and returns the new total. */
  add(key: string, amount: number): Promise<number>;
  getCounter(key: string): Promise<number | undefined>;
  /**
   * Adds `amount` to a counter only if the total stays within `limit` (and the counter is below
   * it), atomically across instances; resolves with the new total, or undefined when it did not fit.
   */
  reserve(key: string, amount: number, limit: number): Promise<number | undefined>;
  setCounterIfAbsent(key: string, value: number): Promise<void>;
  getAffinity(key: string): Promise<string | undefined>;
  setAffinity(key: string, channel: string, ttlSec: number): Promise<void>;
  getHealth(channel: string): Promise<ChannelHealth>;
  setHealth(channel: string, health: ChannelHealth): Promise<void>;
  /** Takes the one half-open probe of a circuit for `ttlMs`; false when another request (on any instance) holds it. */
  claimProbe(circuit: string, ttlMs: number): Promise<boolean>;
  releaseProbe(circuit: string): Promise<void>;
  summaryCache?: SummaryCacheStore;
  close(): Promise<void>;
}

export const HEALTHY: ChannelHealth = { consecutiveFailures: 0, openUntil: 0 };

export class MemorySharedState implements SharedState {
  readonly kind = 'memory' as const;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly slots = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private readonly affinity = new Map<string, { channel: string; expires: number }>();
  private readonly health = new Map<string, ChannelHealth>();
  private readonly probes = new Map<string, number>();

  limiter(name: string, points: number, durationSec: number): RateLimiterAbstract {
    const id = `${name}:${points}:${durationSec}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterMemory({ keyPrefix: id, points, duration: durationSec });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  async acquire(key: string, limit: number): Promise<boolean> {
    const used = this.slots.get(key) ?? 0;
    if (used >= limit) return false;
    this.slots.set(key, used + 1);
    return true;
  }

  async release(key: string): Promise<void> {
    const used = (this.slots.get(key) ?? 1) - 1;
    if (used <= 0) this.slots.delete(key);
    else this.slots.set(key, used);
  }

  async add(key: string, amount: number): Promise<number> {
    const total = (this.counters.get(key) ?? 0) + amount;
    this.counters.set(key, total);
    return total;
  }

  async getCounter(key: string): Promise<number | undefined> {
    return this.counters.get(key);
  }

  async reserve(key: string, amount: number, limit: number): Promise<number | undefined> {
    const current = this.counters.get(key) ?? 0;
    if (current >= limit || current + amount > limit) return undefined;
    this.counters.set(key, current + amount);
    return current + amount;
  }

  async setCounterIfAbsent(key: string, value: number): Promise<void> {
    if (!this.counters.has(key)) this.counters.set(key, value);
  }

  async getAffinity(key: string): Promise<string | undefined> {
    const entry = this.affinity.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.affinity.delete(key);
      return undefined;
    }
    return entry.channel;
  }

  async setAffinity(key: string, channel: string, ttlSec: number): Promise<void> {
    if (this.affinity.size > 100_000) this.affinity.delete(this.affinity.keys().next().value as string);
    this.affinity.set(key, { channel, expires: Date.now() + ttlSec * 1000 });
  }

  async getHealth(channel: string): Promise<ChannelHealth> {
    return this.health.get(channel) ?? HEALTHY;
  }

  async setHealth(channel: string, health: ChannelHealth): Promise<void> {
    this.health.set(channel, health);
  }

  async claimProbe(circuit: string, ttlMs: number): Promise<boolean> {
    const heldUntil = this.probes.get(circuit);
    if (heldUntil !== undefined && heldUntil > Date.now()) return false;
    this.probes.set(circuit, Date.now() + ttlMs);
    return true;
  }

  async releaseProbe(circuit: string): Promise<void> {
    this.probes.delete(circuit);
  }

  async close(): Promise<void> {}
}

/** Redis-backed state when `redisUrl` is set (its client loaded only then), in-memory otherwise. */
export async function createSharedState(redisUrl: string | undefined, prefix?: string): Promise<SharedState> {
  if (!redisUrl) return new MemorySharedState();
  const { RedisSharedState } = await import('./redis-state.ts');
  return new RedisSharedState(redisUrl, prefix ?? process.env.COMPACT_RELAY_REDIS_PREFIX ?? 'cr:');
}
