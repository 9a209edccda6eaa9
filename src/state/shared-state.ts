// State that must be shared by every relay instance behind one load balancer: rate limiters,
// concurrency slots, quota counters, session affinity, channel health, the summary cache and
// compaction plans. In memory by default (every table bounded, least recently used evicted
// first); in Redis when REDIS_URL is set.
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { BoundedMap } from './bounded-map.ts';
import { MemoryPlanStore, type PlanStore } from './plan-store.ts';
import { HEALTHY, type ChannelHealth, type SharedState } from './state-contract.ts';

export { HEALTHY, type ChannelHealth, type SharedState } from './state-contract.ts';

/** Session affinity and blob-issuer entries kept in memory when no size is configured (`memoryStateMaxEntries`). */
export const DEFAULT_MEMORY_STATE_MAX_ENTRIES = 100_000;
/** Ceiling of the tables keyed by catalog names (limits, quota counters, slots, circuits). */
const CATALOG_TABLE_MAX = 1_000_000;

export class MemorySharedState implements SharedState {
  readonly kind = 'memory' as const;
  private readonly limiters: BoundedMap<string, RateLimiterAbstract>;
  private readonly slots: BoundedMap<string, number>;
  private readonly counters: BoundedMap<string, number>;
  private readonly affinity: BoundedMap<string, { channel: string; expires: number }>;
  private readonly health: BoundedMap<string, ChannelHealth>;
  private readonly probes: BoundedMap<string, number>;
  readonly planStore: PlanStore;

  /**
   * `maxEntries` bounds the table clients fill (session affinity and blob issuers, keyed by fixed-size
   * hashes). The others are keyed by catalog names (keys, groups, channels), so they stay as small as
   * the catalog; they get a ceiling no catalog reaches, since evicting a quota counter or a
   * concurrency slot would lift a limit.
   */
  constructor(options: SharedStateOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MEMORY_STATE_MAX_ENTRIES;
    this.planStore = new MemoryPlanStore(options.planCacheBytes);
    this.affinity = new BoundedMap(maxEntries);
    this.limiters = new BoundedMap(CATALOG_TABLE_MAX);
    this.slots = new BoundedMap(CATALOG_TABLE_MAX);
    this.counters = new BoundedMap(CATALOG_TABLE_MAX);
    this.health = new BoundedMap(CATALOG_TABLE_MAX);
    this.probes = new BoundedMap(CATALOG_TABLE_MAX);
  }

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
    this.affinity.set(key, { channel, expires: Date.now() + ttlSec * 1000 });
  }

  async getHealth(channel: string): Promise<ChannelHealth> {
    return this.health.get(channel) ?? HEALTHY;
  }

  async updateHealth(channel: string, update: (current: ChannelHealth) => ChannelHealth): Promise<ChannelHealth> {
    // One synchronous read-modify-write: nothing can run in between on this event loop.
    const next = update(this.health.get(channel) ?? HEALTHY);
    this.health.set(channel, next);
    return next;
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

export interface SharedStateOptions {
  /** Entries per in-memory table (default 100,000). */
  maxEntries?: number;
  /** Memory for compaction plans when they are kept in this process (default 64 MiB). */
  planCacheBytes?: number;
}

/** Redis-backed state when `redisUrl` is set (its client loaded only then), in-memory otherwise. */
export async function createSharedState(redisUrl: string | undefined, prefix?: string, options: SharedStateOptions = {}): Promise<SharedState> {
  if (!redisUrl) return new MemorySharedState(options);
  const { RedisSharedState } = await import('./redis-state.ts');
  return new RedisSharedState(redisUrl, prefix ?? process.env.COMPACT_RELAY_REDIS_PREFIX ?? 'cr:');
}
