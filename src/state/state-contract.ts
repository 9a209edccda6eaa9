// What every shared-state backend (memory, Redis) offers: rate limiters, concurrency slots,
// counters, session affinity, channel health, half-open probes, the summary cache and
// compaction plans. Kept apart from the backends so each can import it without the other.
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SummaryCache as SummaryCacheStore } from '../compaction/summarizer.ts';
import type { PlanStore } from './plan-store.ts';

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
  /**
   * Replaces a channel's health by `update(current)` atomically: concurrent updates (from this
   * instance or another) are applied one after the other, none lost. Returns what was stored.
   */
  updateHealth(channel: string, update: (current: ChannelHealth) => ChannelHealth): Promise<ChannelHealth>;
  /** Takes the one half-open probe of a circuit for `ttlMs`; false when another request (on any instance) holds it. */
  claimProbe(circuit: string, ttlMs: number): Promise<boolean>;
  releaseProbe(circuit: string): Promise<void>;
  summaryCache?: SummaryCacheStore;
  /** Compaction plans, per tenant, so every instance reapplies the same one (a stable prefix). */
  planStore?: PlanStore;
  close(): Promise<void>;
}

export const HEALTHY: ChannelHealth = { consecutiveFailures: 0, openUntil: 0 };
