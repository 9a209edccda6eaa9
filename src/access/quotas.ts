// Token and cost quotas per key: what a key has used, counted from the usage log at first sight
// and kept current in shared state; cost from a per-model price table with cached-token prices.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { SharedState } from '../state/shared-state.ts';
import { quotaExceeded } from '../errors.ts';
import type { Limits } from './limits.ts';

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  cachedInput?: number;
  output: number;
}

export type PriceTable = Record<string, ModelPrice>;

export function costOf(prices: PriceTable, model: string | null, inputTokens: number, cachedTokens: number, outputTokens: number): number {
  const price = model ? prices[model] : undefined;
  if (!price) return 0;
  const uncached = Math.max(0, inputTokens - cachedTokens);
  return (uncached * price.input + cachedTokens * (price.cachedInput ?? price.input) + outputTokens * price.output) / 1_000_000;
}

export class UsageLedger {
  private readonly db: Kysely<Database>;
  private readonly state: SharedState;
  readonly prices: PriceTable;
  private readonly loaded = new Set<string>();

  constructor(db: Kysely<Database>, state: SharedState, prices: PriceTable) {
    this.db = db;
    this.state = state;
    this.prices = prices;
  }

  /** Loads a key's totals from the usage log once per process (shared state keeps them after). */
  private async ensureLoaded(keyName: string): Promise<void> {
    if (this.loaded.has(keyName)) return;
    const rows = await this.db.selectFrom('usage')
      .select(({ fn }) => ['model', fn.sum<number>('input_tokens').as('input'), fn.sum<number>('output_tokens').as('output'), fn.sum<number>('cached_tokens').as('cached')])
      .where('key_name', '=', keyName)
      .groupBy('model')
      .execute();
    let tokens = 0;
    let cost = 0;
    for (const r of rows) {
      tokens += Number(r.input ?? 0) + Number(r.output ?? 0);
      cost += costOf(this.prices, r.model, Number(r.input ?? 0), Number(r.cached ?? 0), Number(r.output ?? 0));
    }
    await this.state.setCounterIfAbsent(`quota-tokens:${keyName}`, tokens);
    await this.state.setCounterIfAbsent(`quota-usd:${keyName}`, cost);
    this.loaded.add(keyName);
  }

  async checkQuota(keyName: string, limits: Limits): Promise<void> {
    await this.ensureLoaded(keyName);
    if (limits.quotaTokens) {
      const used = (await this.state.getCounter(`quota-tokens:${keyName}`)) ?? 0;
      if (used >= limits.quotaTokens) throw quotaExceeded(`Key "${keyName}" has used its quota of ${limits.quotaTokens} tokens.`);
    }
    if (limits.quotaUsd) {
      const spent = (await this.state.getCounter(`quota-usd:${keyName}`)) ?? 0;
      if (spent >= limits.quotaUsd) throw quotaExceeded(`Key "${keyName}" has used its budget of $${limits.quotaUsd}.`);
    }
  }

  async record(keyName: string, usage: { model: string | null; inputTokens: number; outputTokens: number; cachedTokens: number }): Promise<void> {
    await this.ensureLoaded(keyName);
    await this.state.add(`quota-tokens:${keyName}`, usage.inputTokens + usage.outputTokens);
    const cost = costOf(this.prices, usage.model, usage.inputTokens, usage.cachedTokens, usage.outputTokens);
    if (cost > 0) await this.state.add(`quota-usd:${keyName}`, cost);
  }
}
