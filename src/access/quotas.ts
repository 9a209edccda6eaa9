// Token and cost quotas per key: what a key has used, counted from the usage log at first sight
// and kept current in shared state; cost from a per-model price table with cached-token prices.
// A request reserves what it may cost before it is forwarded (atomically, so concurrent requests
// cannot all slip under the quota together) and the reservation is settled with the real charge.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { SharedState } from '../state/shared-state.ts';
import { quotaExceeded } from '../errors.ts';
import type { Limits } from './limit-values.ts';
import { tokensOf, type ChargePart } from './charge.ts';
import type { TokenEstimate } from './token-estimate.ts';

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

/** What one request holds against its key's quotas until it ends. */
export interface QuotaReservation {
  tokens: number;
  usd: number;
}

const tokensKey = (keyName: string) => `quota-tokens:${keyName}`;
const usdKey = (keyName: string) => `quota-usd:${keyName}`;

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

  private costOfParts(parts: ChargePart[]): number {
    return parts.reduce((sum, p) => sum + costOf(this.prices, p.model, p.inputTokens, p.cachedTokens, p.outputTokens), 0);
  }

  /** What a key's usage rows charged, by the same rule as live requests (upstream usage plus summaries), pruned rows included. */
  private async chargedFromLog(keyName: string): Promise<ChargePart[]> {
    const served = await this.db.selectFrom('usage')
      .select(({ fn }) => ['model', fn.sum<number>('input_tokens').as('input'), fn.sum<number>('output_tokens').as('output'), fn.sum<number>('cached_tokens').as('cached')])
      .where('key_name', '=', keyName)
      .where('channel', 'is not', null)
      .where('summarizer_call', '=', 0)
      .groupBy('model')
      .execute();
    const summaries = await this.db.selectFrom('usage')
      .select([sql<string | null>`coalesce(summarizer_model, model)`.as('model'), sql<number>`sum(coalesce(summarizer_input_tokens, 0))`.as('input'), sql<number>`sum(coalesce(summarizer_output_tokens, 0))`.as('output')])
      .where('key_name', '=', keyName)
      .where(sql<boolean>`coalesce(summarizer_input_tokens, 0) + coalesce(summarizer_output_tokens, 0) > 0`)
      .groupBy(sql`coalesce(summarizer_model, model)`)
      .execute();
    const pruned = await this.db.selectFrom('usage_rollup').select(['model', 'input_tokens', 'cached_tokens', 'output_tokens']).where('key_name', '=', keyName).execute();
    return [
      ...pruned.map((r) => ({ model: r.model || null, inputTokens: Number(r.input_tokens), cachedTokens: Number(r.cached_tokens), outputTokens: Number(r.output_tokens) })),
      ...served.map((r) => ({ model: r.model, inputTokens: Number(r.input ?? 0), cachedTokens: Number(r.cached ?? 0), outputTokens: Number(r.output ?? 0) })),
      ...summaries.map((r) => ({ model: r.model, inputTokens: Number(r.input ?? 0), cachedTokens: 0, outputTokens: Number(r.output ?? 0) })),
    ];
  }

  /** Loads a key's totals from the usage log once per process (shared state keeps them after). */
  private async ensureLoaded(keyName: string): Promise<void> {
    if (this.loaded.has(keyName)) return;
    const parts = await this.chargedFromLog(keyName);
    await this.state.setCounterIfAbsent(tokensKey(keyName), tokensOf(parts));
    await this.state.setCounterIfAbsent(usdKey(keyName), this.costOfParts(parts));
    this.loaded.add(keyName);
  }

  /**
   * Reserves the most a request may cost against the key's quotas, or refuses it (429
   * `insufficient_quota`) when that does not fit in what is left, before anything is forwarded.
   */
  async reserve(keyName: string, limits: Limits, model: string, estimate: TokenEstimate): Promise<QuotaReservation> {
    await this.ensureLoaded(keyName);
    const tokens = estimate.input + estimate.output;
    const usd = costOf(this.prices, model, estimate.input, 0, estimate.output);
    // Both counters are kept whichever quota is set, so that setting the other one later starts from the truth.
    if (!limits.quotaTokens) await this.state.add(tokensKey(keyName), tokens);
    else if ((await this.state.reserve(tokensKey(keyName), tokens, limits.quotaTokens)) === undefined) {
      const used = (await this.state.getCounter(tokensKey(keyName))) ?? 0;
      throw quotaExceeded(used >= limits.quotaTokens
        ? `Key "${keyName}" has used its quota of ${limits.quotaTokens} tokens.`
        : `Key "${keyName}" has ${Math.floor(limits.quotaTokens - used)} of its quota of ${limits.quotaTokens} tokens left; this request may use up to ${tokens} (${estimate.input} input, ${estimate.output} output). Lower max_tokens, or shorten the input.`);
    }
    if (!limits.quotaUsd) await this.state.add(usdKey(keyName), usd);
    else if ((await this.state.reserve(usdKey(keyName), usd, limits.quotaUsd)) === undefined) {
      await this.state.add(tokensKey(keyName), -tokens);
      const spent = (await this.state.getCounter(usdKey(keyName))) ?? 0;
      throw quotaExceeded(spent >= limits.quotaUsd
        ? `Key "${keyName}" has used its budget of $${limits.quotaUsd}.`
        : `Key "${keyName}" has $${(limits.quotaUsd - spent).toFixed(4)} of its budget of $${limits.quotaUsd} left; this request may cost up to $${usd.toFixed(4)}.`);
    }
    return { tokens, usd };
  }

  /** Replaces a reservation with what the request really charged. */
  async settle(keyName: string, reservation: QuotaReservation, parts: ChargePart[]): Promise<void> {
    const tokenDiff = tokensOf(parts) - reservation.tokens;
    if (tokenDiff !== 0) await this.state.add(tokensKey(keyName), tokenDiff);
    const usdDiff = this.costOfParts(parts) - reservation.usd;
    if (usdDiff !== 0) await this.state.add(usdKey(keyName), usdDiff);
  }

  /** Gives a reservation back whole (the request was refused by a later limit). */
  async cancel(keyName: string, reservation: QuotaReservation): Promise<void> {
    if (reservation.tokens) await this.state.add(tokensKey(keyName), -reservation.tokens);
    if (reservation.usd) await this.state.add(usdKey(keyName), -reservation.usd);
  }
}
