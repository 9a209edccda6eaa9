// Admission control before a request reaches an upstream: requests and tokens per minute and
// concurrent requests, per key and per group, plus token and cost quotas per key. Token limits
// and quotas reserve the most a request may use before it is forwarded (refusing one that can
// never fit) and are corrected with the real charge, summaries included, when it ends.
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from './catalog.ts';
import type { SharedState } from '../state/shared-state.ts';
import { quotaExceeded, rateLimited, tooLargeForLimit } from '../errors.ts';
import type { QuotaReservation, UsageLedger } from './quotas.ts';
import { tokensOf, type ChargePart } from './charge.ts';
import type { TokenEstimate } from './token-estimate.ts';
import type { Limits } from './limit-values.ts';

export type { Limits } from './limit-values.ts';

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
  /**
   * Reserves more for work the request causes beyond its own call (a summary written by a model,
   * priced at `model`); refuses it (throws the 429) when that no longer fits a token limit or quota.
   */
  reserveMore(estimate: TokenEstimate, model: string): Promise<void>;
  /** Gives back concurrency slots and replaces token reservations with what the request really charged. */
  release(charge: ChargePart[]): Promise<void>;
}

const NOTHING: Admission = { headers: {}, reserveMore: async () => {}, release: async () => {} };

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

interface Scope {
  label: string;
  id: string;
  limits: Limits;
}

export class AccessLimiter {
  private readonly state: SharedState;
  private readonly ledger: UsageLedger;

  constructor(state: SharedState, ledger: UsageLedger) {
    this.state = state;
    this.ledger = ledger;
  }

  /**
   * Admits a request or refuses it before it is forwarded. `estimate` (called only when a token
   * limit or quota applies) is the most the request may use; it is reserved up front in every
   * token window and quota, and a request that could never fit one is refused outright.
   */
  async admit(principal: Principal, model: string, estimate: () => TokenEstimate): Promise<Admission> {
    const scopes: Scope[] = [];
    const keyLimits = limitsOf(principal.key.options);
    const groupLimits = limitsOf(principal.group.options);
    if (keyLimits.rpm || keyLimits.tpm || keyLimits.concurrency) scopes.push({ label: `key "${principal.key.name}"`, id: `key:${principal.key.name}`, limits: keyLimits });
    if (groupLimits.rpm || groupLimits.tpm || groupLimits.concurrency) scopes.push({ label: `group "${principal.group.name}"`, id: `group:${principal.group.name}`, limits: groupLimits });
    const quota = !!(keyLimits.quotaTokens || keyLimits.quotaUsd);
    if (scopes.length === 0 && !quota) return NOTHING;
    const tokenLimited = quota || scopes.some((s) => s.limits.tpm);
    const expected = tokenLimited ? estimate() : { input: 0, output: 0 };
    const tokens = Math.max(1, expected.input + expected.output);
    for (const scope of scopes) {
      const { tpm } = scope.limits;
      if (tpm && tokens > tpm) throw tooLargeForLimit(`Request too large for ${scope.label}: it may use up to ${tokens} tokens (${expected.input} input, ${expected.output} output) and the limit is ${tpm} tokens per minute. Shorten the input or lower max_tokens.`);
    }

    const undo: (() => Promise<unknown>)[] = [];
    const slots: string[] = [];
    const charged: { id: string; label: string; tpm: number }[] = [];
    let requests: Window | undefined;
    let tokenWindow: Window | undefined;
    let reservation: QuotaReservation | undefined;
    const keyName = principal.key.name;
    try {
      if (quota) {
        const held = await this.ledger.reserve(keyName, keyLimits, model, expected);
        reservation = held;
        undo.push(() => this.ledger.settle(keyName, held, []));
      }
      for (const scope of scopes) {
        const { rpm, tpm, concurrency } = scope.limits;
        if (rpm) requests = tighter(requests, await this.consume('rpm', rpm, scope.id, 1, `Rate limit reached for ${scope.label}: ${rpm} requests per minute.`));
        if (tpm) {
          tokenWindow = tighter(tokenWindow, await this.consume('tpm', tpm, scope.id, tokens, `Rate limit reached for ${scope.label}: ${tpm} tokens per minute (this request may use up to ${tokens}).`, true));
          charged.push({ id: scope.id, label: scope.label, tpm });
          undo.push(() => this.state.limiter('tpm', tpm, 60).reward(scope.id, tokens));
        }
        if (concurrency) {
          if (!(await this.state.acquire(scope.id, concurrency))) throw rateLimited(`Too many concurrent requests for ${scope.label}: at most ${concurrency} at a time.`, 1, 'concurrency_limit_exceeded');
          slots.push(scope.id);
          undo.push(() => this.state.release(scope.id));
        }
      }
    } catch (err) {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      throw err;
    }
    const headers: Record<string, string> = {};
    for (const [suffix, window] of [['requests', requests], ['tokens', tokenWindow]] as const) {
      if (!window) continue;
      headers[`x-ratelimit-limit-${suffix}`] = String(window.limit);
      headers[`x-ratelimit-remaining-${suffix}`] = String(window.remaining);
      headers[`x-ratelimit-reset-${suffix}`] = resetDelay(window.resetMs);
    }
    let held = tokens;
    return {
      headers,
      reserveMore: async (more, moreModel) => {
        if (!tokenLimited) return;
        const extra = Math.max(1, more.input + more.output);
        const taken: (() => Promise<unknown>)[] = [];
        let added: QuotaReservation | undefined;
        try {
          if (reservation) {
            const got = await this.ledger.reserve(keyName, keyLimits, moreModel, more);
            added = got;
            taken.push(() => this.ledger.settle(keyName, got, []));
          }
          for (const c of charged) {
            await this.consume('tpm', c.tpm, c.id, extra, `Rate limit reached for ${c.label}: ${c.tpm} tokens per minute.`, true);
            taken.push(() => this.state.limiter('tpm', c.tpm, 60).reward(c.id, extra));
          }
        } catch (err) {
          for (const step of taken.reverse()) await step().catch(() => undefined);
          throw err;
        }
        held += extra;
        if (reservation && added) {
          reservation.tokens += added.tokens;
          reservation.usd += added.usd;
        }
      },
      release: async (charge) => {
        for (const slot of slots) await this.state.release(slot);
        const used = tokensOf(charge);
        for (const c of charged) {
          const limiter = this.state.limiter('tpm', c.tpm, 60);
          const diff = used - held;
          if (diff > 0) await limiter.penalty(c.id, diff).catch(() => undefined);
          else if (diff < 0) await limiter.reward(c.id, -diff).catch(() => undefined);
        }
        if (reservation) await this.ledger.settle(keyName, reservation, charge);
      },
    };
  }

  /** Takes `amount` points; a refused reservation (`giveBack`) is returned so that it holds nothing. */
  private async consume(kind: string, points: number, id: string, amount: number, message: string, giveBack = false): Promise<Window> {
    const limiter = this.state.limiter(kind, points, 60);
    try {
      const res = await limiter.consume(id, amount);
      return { limit: points, remaining: Math.max(0, res.remainingPoints), resetMs: res.msBeforeNext };
    } catch (err) {
      if (isLimiterRejection(err)) {
        if (giveBack) await limiter.reward(id, amount).catch(() => undefined);
        throw rateLimited(message, err.msBeforeNext / 1000);
      }
      throw err;
    }
  }
}

export { quotaExceeded };
