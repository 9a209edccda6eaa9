// The real sessions at equal budgets (10/20/30/50% of each session, never below what the system
// prompt and the newest turn need): the relay's engine and the baselines keep-last, middle-out and
// masking-plus-drop side by side; refusals, validity, budget, retention per fact category, and the
// precision of the ledger the engine writes.
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { checkInvariants, compactConversation, countConversationTokens, safeCutPoints, type Layer } from '../../src/compaction/index.ts';
import { keepLast, maskingPlusDrop, middleOut, type Method } from './baselines.ts';
import { deriveFacts, FACT_CATEGORIES, normalizeSpace, type FactCategory, type SessionFacts } from './facts.ts';
import { judgeLedger, type LedgerVerdict } from './ledger-check.ts';
import { haystackOf } from './text-of.ts';
import type { RealSession } from './real-sessions.ts';

export const BUDGET_FRACTIONS = [0.1, 0.2, 0.3, 0.5];
/** Room left for a summary or marker above the system prompt plus the newest turn. */
export const FLOOR_MARGIN_TOKENS = 256;
export const OURS = 'compact-relay';
export const OURS_NO_LEDGER = 'compact-relay without ledger (L3 off)';

export interface StaticRow {
  session: string;
  fraction: number;
  budget: number;
  method: string;
  refused: boolean;
  invalid: string[];
  overBudget: boolean;
  tokensAfter: number;
  retention: Partial<Record<FactCategory, number>>;
  ms: number;
  ledger?: LedgerVerdict;
}

const isPinned = (i: Item) => i.kind === 'message' && (i.role === 'system' || i.role === 'developer');

/** Tokens the system prompt and the newest turn (the items after the last safe cut point) take. */
export function floorTokens(c: Conversation): number {
  const cuts = safeCutPoints(c.items).filter((p) => p < c.items.length);
  const newest = cuts.length ? cuts[cuts.length - 1] : 0;
  return countConversationTokens({ ...c, items: [...c.items.filter(isPinned), ...c.items.slice(newest).filter((i) => !isPinned(i))] });
}

export function budgetFor(c: Conversation, tokens: number, fraction: number): number {
  return Math.max(Math.floor(tokens * fraction), floorTokens(c) + FLOOR_MARGIN_TOKENS);
}

/** Share of each category's facts whose text is still in the compacted conversation. */
export function retentionOf(after: Conversation | null, facts: SessionFacts): Partial<Record<FactCategory, number>> {
  const hay = after ? haystackOf(after) : '';
  const out: Partial<Record<FactCategory, number>> = {};
  for (const category of FACT_CATEGORIES) {
    const mine = facts.facts.filter((f) => f.category === category);
    if (mine.length === 0) continue;
    out[category] = mine.filter((f) => f.needles.some((n) => hay.includes(normalizeSpace(n)))).length / mine.length;
  }
  return out;
}

function oursMethod(name: string, disabledLayers?: Set<Layer>): Method {
  return { name, compact: async (c, budget) => (await compactConversation(c, { budgetTokens: budget, ...(disabledLayers ? { disabledLayers } : {}) })).conversation };
}

export function staticMethods(): Method[] {
  return [oursMethod(OURS), oursMethod(OURS_NO_LEDGER, new Set<Layer>(['L3'])), keepLast, middleOut, maskingPlusDrop()];
}

export async function evaluateSession(session: RealSession, fractions = BUDGET_FRACTIONS): Promise<{ facts: SessionFacts; rows: StaticRow[] }> {
  const facts = deriveFacts(session.raw);
  const rows: StaticRow[] = [];
  for (const fraction of fractions) {
    const budget = budgetFor(session.conversation, session.tokens, fraction);
    if (budget >= session.tokens) continue;
    for (const method of staticMethods()) {
      const started = performance.now();
      let after: Conversation | null = null;
      let refused = false;
      let invalid: string[] = [];
      try {
        after = await method.compact(session.conversation, budget, budget);
      } catch (err) {
        if ((err as { code?: string }).code === 'context_budget_unreachable') refused = true;
        else invalid = [`threw: ${(err as Error).message}`];
      }
      const ms = performance.now() - started;
      if (after) invalid = checkInvariants(session.conversation, after).filter((p) => !/budget/i.test(p));
      const tokensAfter = after ? countConversationTokens(after) : 0;
      const row: StaticRow = { session: session.id, fraction, budget, method: method.name, refused, invalid, overBudget: tokensAfter > budget, tokensAfter, retention: retentionOf(after, facts), ms };
      if (method.name === OURS && after) row.ledger = judgeLedger(after, facts);
      rows.push(row);
    }
  }
  return { facts, rows };
}
