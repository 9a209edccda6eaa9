// Where compaction plans are kept between requests, per tenant: found by the session's anchor,
// keyed by tenant and the digest of the part each plan replaces. In memory: a least-recently-used
// map bounded in bytes. The Redis version (redis-plan-store.ts) shares plans between instances.
import type { CompactionPlan } from '../compaction/stable-plan.ts';

export interface PlanStore {
  /** Plans recorded for this tenant's session anchor, newest first. */
  recent(tenant: string, anchor: string): Promise<CompactionPlan[]>;
  /**
   * Records `plan` unless a plan for the same replaced part (same tenant and digest) is already
   * recorded; returns the plan that stands, so concurrent instances settle on one.
   */
  remember(tenant: string, anchor: string, plan: CompactionPlan): Promise<CompactionPlan>;
}

/** Plans kept per session: the newest few, enough for a client retrying an older turn. */
export const PLANS_PER_SESSION = 4;

interface SessionEntry {
  plans: CompactionPlan[];
  bytes: number;
}

const sizeOf = (plans: CompactionPlan[]) => plans.reduce((sum, plan) => sum + JSON.stringify(plan).length * 2, 0);

export class MemoryPlanStore implements PlanStore {
  private readonly sessions = new Map<string, SessionEntry>();
  private bytes = 0;
  private readonly maxBytes: number;

  /** `maxBytes`: the most the plans may take together (their JSON size, as UTF-16); the least recently used go first. */
  constructor(maxBytes = 64 * 1024 * 1024) {
    this.maxBytes = maxBytes;
  }

  /** Approximate bytes held. */
  get size(): number {
    return this.bytes;
  }

  async recent(tenant: string, anchor: string): Promise<CompactionPlan[]> {
    const key = `${tenant}\u0000${anchor}`;
    const entry = this.sessions.get(key);
    if (!entry) return [];
    this.sessions.delete(key);
    this.sessions.set(key, entry);
    return entry.plans;
  }

  async remember(tenant: string, anchor: string, plan: CompactionPlan): Promise<CompactionPlan> {
    const key = `${tenant}\u0000${anchor}`;
    const entry = this.sessions.get(key) ?? { plans: [], bytes: 0 };
    const standing = entry.plans.find((p) => p.prefixDigest === plan.prefixDigest);
    if (standing) return standing;
    const plans = [plan, ...entry.plans].slice(0, PLANS_PER_SESSION);
    const bytes = sizeOf(plans);
    this.bytes += bytes - entry.bytes;
    this.sessions.delete(key);
    this.sessions.set(key, { plans, bytes });
    while (this.bytes > this.maxBytes && this.sessions.size > 0) {
      const [oldest, evicted] = this.sessions.entries().next().value as [string, SessionEntry];
      this.sessions.delete(oldest);
      this.bytes -= evicted.bytes;
    }
    return plan;
  }
}
