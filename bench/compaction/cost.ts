// Simulated billed cost of a whole session: replays it request by request, each request sending
// what the method would forward, with the prefix shared with the previous request billed at the
// cached price. Compaction that rewrites the prefix every turn pays for it here.
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { countItemTokens } from '../../src/compaction/index.ts';
import type { Method } from './baselines.ts';
import { HARD_TRIGGER_FRACTION, TARGET_FRACTION } from '../../src/compaction-api/compaction-service.ts';

export interface CostOptions {
  window: number;
  /** Price of a cached input token relative to an uncached one. */
  cachedFactor?: number;
  /** Evaluate at most this many requests (evenly spaced) to bound the run time. */
  maxRequests?: number;
  /** Price of an output token relative to an uncached input token (summary calls). */
  outputFactor?: number;
}

export interface CostResult {
  billed: number;
  uncachedTokens: number;
  cachedTokens: number;
  requests: number;
  summaryCalls: number;
}

const keys = new WeakMap<Item, string>();
const keyOf = (item: Item) => {
  let key = keys.get(item);
  if (!key) {
    key = JSON.stringify(item);
    keys.set(item, key);
  }
  return key;
};

/** Positions where an agent would call the model: after user messages and after tool results. */
export function requestPoints(items: Item[]): number[] {
  const points: number[] = [];
  for (let p = 1; p <= items.length; p++) {
    const last = items[p - 1];
    const next = items[p];
    if ((last.kind === 'message' && last.role === 'user') || (last.kind === 'tool_result' && next?.kind !== 'tool_result')) points.push(p);
  }
  return points;
}

export async function simulateCost(session: Conversation, method: Method, options: CostOptions): Promise<CostResult> {
  const cachedFactor = options.cachedFactor ?? 0.1;
  const budget = Math.floor(options.window * HARD_TRIGGER_FRACTION);
  const target = Math.floor(options.window * TARGET_FRACTION);
  const all = requestPoints(session.items);
  const step = Math.max(1, Math.ceil(all.length / (options.maxRequests ?? 80)));
  const points = all.filter((_, i) => i % step === 0 || i === all.length - 1);
  let previous: string[] = [];
  const result: CostResult = { billed: 0, uncachedTokens: 0, cachedTokens: 0, requests: 0, summaryCalls: 0 };
  for (const point of points) {
    const forwarded = await method.compact({ ...session, items: session.items.slice(0, point) }, budget, target);
    const current = forwarded.items.map(keyOf);
    let shared = 0;
    while (shared < current.length && shared < previous.length && current[shared] === previous[shared]) shared++;
    let cached = 0;
    let uncached = 0;
    forwarded.items.forEach((item, i) => {
      if (i < shared) cached += countItemTokens(item);
      else uncached += countItemTokens(item);
    });
    result.cachedTokens += cached * step;
    result.uncachedTokens += uncached * step;
    result.billed += (uncached + cached * cachedFactor) * step;
    const event = previous.length > 0 && shared < previous.length;
    if (event && method.summarizerReads) {
      const historyTokens = session.items.slice(0, point).reduce((n, item) => n + countItemTokens(item), 0);
      result.billed += historyTokens * method.summarizerReads + (method.summaryOutputTokens ?? 0) * (options.outputFactor ?? 4);
      result.summaryCalls++;
    }
    result.requests += step;
    previous = current;
  }
  return result;
}
