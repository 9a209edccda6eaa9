// Compaction plans in Redis, so every relay instance reapplies the same plan: each plan under its
// tenant and the digest of the part it replaces (written only if absent, so concurrent instances
// settle on the first), and a short list per tenant and session anchor pointing at the newest.
import type { Redis } from 'ioredis';
import type { CompactionPlan } from '../compaction/stable-plan.ts';
import { PLANS_PER_SESSION, type PlanStore } from './plan-store.ts';

/** Plans outlive a working day of a session; an idle session's plans then expire. */
const PLAN_TTL_SEC = 3 * 24 * 3600;

export class RedisPlanStore implements PlanStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private planKey(tenant: string, digest: string): string {
    return `${this.prefix}plan:${tenant}:${digest}`;
  }

  private indexKey(tenant: string, anchor: string): string {
    return `${this.prefix}plans:${tenant}:${anchor}`;
  }

  async recent(tenant: string, anchor: string): Promise<CompactionPlan[]> {
    const digests = [...new Set(await this.redis.lrange(this.indexKey(tenant, anchor), 0, PLANS_PER_SESSION - 1))];
    if (digests.length === 0) return [];
    const values = await this.redis.mget(digests.map((d) => this.planKey(tenant, d)));
    return values.flatMap((value) => {
      if (!value) return [];
      try {
        return [JSON.parse(value) as CompactionPlan];
      } catch {
        return [];
      }
    });
  }

  async remember(tenant: string, anchor: string, plan: CompactionPlan): Promise<CompactionPlan> {
    const key = this.planKey(tenant, plan.prefixDigest);
    const written = await this.redis.set(key, JSON.stringify(plan), 'EX', PLAN_TTL_SEC, 'NX');
    const index = this.indexKey(tenant, anchor);
    await this.redis.multi().lrem(index, 0, plan.prefixDigest).lpush(index, plan.prefixDigest).ltrim(index, 0, PLANS_PER_SESSION - 1).expire(index, PLAN_TTL_SEC).exec();
    if (written === 'OK') return plan;
    const standing = await this.redis.get(key);
    return standing ? (JSON.parse(standing) as CompactionPlan) : plan;
  }
}
