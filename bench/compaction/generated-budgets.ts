// Generated sessions at the same equal budgets as the real ones (10/20/30/50%): the relay, the
// relay without its ledger, and the baselines, scored on the planted facts; refusals, validity and
// budget per method; and the ledger's mistakes on view-only files and error words in source code.
import { checkInvariants, countConversationTokens } from '../../src/compaction/index.ts';
import type { Conversation } from '../../src/conversation/model.ts';
import type { GeneratedSession } from './generator.ts';
import { measureQuality, type QualityResult } from './metrics.ts';
import { BUDGET_FRACTIONS, budgetFor, staticMethods } from './real-eval.ts';

export interface GeneratedBudgetRow {
  session: string;
  fraction: number;
  method: string;
  refused: boolean;
  invalid: boolean;
  overBudget: boolean;
  quality: QualityResult | null;
}

export async function evaluateGenerated(name: string, session: GeneratedSession): Promise<GeneratedBudgetRow[]> {
  const rows: GeneratedBudgetRow[] = [];
  for (const fraction of BUDGET_FRACTIONS) {
    const budget = budgetFor(session.conversation, session.tokens, fraction);
    for (const method of staticMethods()) {
      let after: Conversation | null = null;
      let refused = false;
      let invalid = false;
      try {
        after = await method.compact(session.conversation, budget, budget);
      } catch (err) {
        if ((err as { code?: string }).code === 'context_budget_unreachable') refused = true;
        else invalid = true;
      }
      const quality = after ? measureQuality(session.conversation, after, session.facts, budget) : null;
      if (after && checkInvariants(session.conversation, after).some((p) => !/budget/i.test(p))) invalid = true;
      rows.push({ session: name, fraction, method: method.name, refused, invalid, overBudget: !!after && countConversationTokens(after) > budget, quality });
    }
  }
  return rows;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Mean weighted score of a method at a fraction; a refusal scores 0. */
export function meanScore(rows: GeneratedBudgetRow[], method: string, fraction: number): number {
  return mean(rows.filter((r) => r.method === method && r.fraction === fraction).map((r) => r.quality?.score ?? 0));
}
