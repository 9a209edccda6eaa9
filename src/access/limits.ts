// Admission control before a request reaches an upstream: requests and tokens per minute and
// concurrent requests, per key and per group, plus token and cost quotas per key. Token limits
// are charged an estimate up front and corrected with the real usage when the request ends.
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from './catalog.ts';
import type { SharedState } from '../state/shared-state.ts';
import { quotaExceeded, rateLimited } from '../errors.ts';
import type { UsageLedger } from './quotas.ts';

export interface Limits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  quotaTokens?: number;
  quotaUsd?: number;
}

export function limitsOf(options: Record<string, unknown>): Limits {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  return { rpm: n(options.rpm), tpm: n(options.tpm), concurrency: n(options.concurrency), quotaTokens: n(options.quotaTokens), quotaUsd: n(options.quotaUsd) };
}

export interface Admission {
  /**
   * OpenAI's rate-limit headers for the tightest request and token limits that apply
   * (`x-ratelimit-limit-requests`, `-remaining-requests`, `-reset-requests`, and the same for tokens).
   */
  headers: Record<string, string>;
  /** Gives back concurrency slots and corrects token limits and quotas with the real usage. */
  release(actual: { model: string | null; inputTokens: number; outputTokens: number; cachedTokens: number }): Promise<void>;
}

const NOTHING: Admission = { headers: {}, release: async () => {} };

/** A reset delay the way OpenAI writes it: `1s`, `6m0s`, `250ms`. */
export function resetDelay(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

interface Window {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** Keeps, per kind, the window with the fewest remaining points (the one a client will hit first). */
function tighter(current: Window | undefined, next: Window): Window {
  return !current || next.remaining < current.remaining ? next : current;
}

function isLimiterRejection(err: unknown): err is RateLimiterRes {
  return !!err && typeof err === 'object' && 'msBeforeNext' in err;
}

export class AccessLimiter {
  private readonly state: SharedState;
  private readonly ledger: UsageLedger;

  constructor(state: SharedState, ledger: UsageLedger) {
    this.state = state;
    this.ledger = ledger;
  }

  async admit(principal: Principal, estimatedTokens: number): Promise<Admission> {
    const scopes: { label: string; id: string; limits: Limits }[] = [];
    const keyLimits = limitsOf(principal.key.options);
    const groupLimits = limitsOf(principal.group.options);
    if (keyLimits.rpm || keyLimits.tpm || keyLimits.concurrency) scopes.push({ label: `key "${principal.key.name}"`, id: `key:${principal.key.name}`, limits: keyLimits });
    if (groupLimits.rpm || groupLimits.tpm || groupLimits.concurrency) scopes.push({ label: `group "${principal.group.name}"`, id: `group:${principal.group.name}`, limits: groupLimits });
    const quota = keyLimits.quotaTokens || keyLimits.quotaUsd;
    if (scopes.length === 0 && !quota) return NOTHING;
    if (quota) await this.ledger.checkQuota(principal.key.name, keyLimits);

    const slots: string[] = [];
    const charged: { id: string; tpm: number; tokens: number }[] = [];
    let requests: Window | undefined;
    let tokenWindow: Window | undefined;
    try {
      for (const scope of scopes) {
        const { rpm, tpm, concurrency } = scope.limits;
        if (rpm) requests = tighter(requests, await this.consume('rpm', rpm, scope.id, 1, `Rate limit reached for ${scope.label}: ${rpm} requests per minute.`));
        if (tpm) {
          const tokens = Math.min(Math.max(1, estimatedTokens), tpm);
          tokenWindow = tighter(tokenWindow, await this.consume('tpm', tpm, scope.id, tokens, `Rate limit reached for ${scope.label}: ${tpm} tokens per minute.`));
          charged.push({ id: scope.id, tpm, tokens });
        }
        if (concurrency) {
          if (!(await this.state.acquire(scope.id, concurrency))) throw rateLimited(`Too many concurrent requests for ${scope.label}: at most ${concurrency} at a time.`, 1, 'concurrency_limit_exceeded');
          slots.push(scope.id);
        }
      }
    } catch (err) {
      for (const slot of slots) await this.state.release(slot);
      throw err;
    }
    const keyName = principal.key.name;
    const headers: Record<string, string> = {};
    for (const [suffix, window] of [['requests', requests], ['tokens', tokenWindow]] as const) {
      if (!window) continue;
      headers[`x-ratelimit-limit-${suffix}`] = String(window.limit);
      headers[`x-ratelimit-remaining-${suffix}`] = String(window.remaining);
      headers[`x-ratelimit-reset-${suffix}`] = resetDelay(window.resetMs);
    }
    return {
      headers,
      release: async (actual) => {
        for (const slot of slots) await this.state.release(slot);
        const used = actual.inputTokens + actual.outputTokens;
        for (const c of charged) {
          const limiter = this.state.limiter('tpm', c.tpm, 60);
          const diff = used - c.tokens;
          if (diff > 0) await limiter.penalty(c.id, diff).catch(() => undefined);
          else if (diff < 0) await limiter.reward(c.id, -diff).catch(() => undefined);
        }
        if (quota) await this.ledger.record(keyName, actual);
      },
    };
  }

  private async consume(kind: string, points: number, id: string, amount: number, message: string): Promise<Window> {
    try {
      const res = await this.state.limiter(kind, points, 60).consume(id, amount);
      return { limit: points, remaining: Math.max(0, res.remainingPoints), resetMs: res.msBeforeNext };
    } catch (err) {
      if (isLimiterRejection(err)) throw rateLimited(message, err.msBeforeNext / 1000);
      throw err;
    }
  }
}

export { quotaExceeded };
