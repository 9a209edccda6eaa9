// The short recorded trajectories of test/fixtures/trajectories/ (SWE-agent's text and XML
// protocols, mini-swe-agent, OpenHands, Claude Code samples) compacted at the same equal budgets:
// refusals, invalid outputs and outputs over budget, which the targets count with the real sessions.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { checkInvariants, compactConversation, countConversationTokens } from '../../src/compaction/index.ts';
import { BUDGET_FRACTIONS, budgetFor } from './real-eval.ts';

export interface RecordedOutcome {
  file: string;
  tokens: number;
  /** Per budget fraction: tokens after, or what went wrong. */
  outcomes: { fraction: number; budget: number; result: 'ok' | 'unchanged' | 'refused' | 'invalid' | 'over budget'; tokensAfter: number; detail?: string }[];
}

export async function evaluateRecorded(root: string): Promise<RecordedOutcome[]> {
  const out: RecordedOutcome[] = [];
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(traj|json|jsonl)$/.test(f) && !f.startsWith('real')).sort();
  for (const file of files) {
    const { conversation } = loadSessionFile(readFileSync(join(root, file), 'utf8'), file);
    const tokens = countConversationTokens(conversation);
    const row: RecordedOutcome = { file, tokens, outcomes: [] };
    for (const fraction of BUDGET_FRACTIONS) {
      const budget = budgetFor(conversation, tokens, fraction);
      if (budget >= tokens) {
        row.outcomes.push({ fraction, budget, result: 'unchanged', tokensAfter: tokens });
        continue;
      }
      try {
        const r = await compactConversation(conversation, { budgetTokens: budget });
        const problems = checkInvariants(conversation, r.conversation).filter((p) => !/budget/i.test(p));
        const after = countConversationTokens(r.conversation);
        row.outcomes.push({ fraction, budget, result: problems.length ? 'invalid' : after > budget ? 'over budget' : 'ok', tokensAfter: after, ...(problems.length ? { detail: problems[0] } : {}) });
      } catch (err) {
        const refused = (err as { code?: string }).code === 'context_budget_unreachable';
        row.outcomes.push({ fraction, budget, result: refused ? 'refused' : 'invalid', tokensAfter: 0, detail: (err as Error).message.slice(0, 160) });
      }
    }
    out.push(row);
  }
  return out;
}

export function recordedSummary(rows: RecordedOutcome[]): { compactions: number; refusals: number; invalid: number; overBudget: number; refusedFiles: string[] } {
  const all = rows.flatMap((r) => r.outcomes.filter((o) => o.result !== 'unchanged').map((o) => ({ ...o, file: r.file })));
  return {
    compactions: all.length,
    refusals: all.filter((o) => o.result === 'refused').length,
    invalid: all.filter((o) => o.result === 'invalid').length,
    overBudget: all.filter((o) => o.result === 'over budget').length,
    refusedFiles: [...new Set(all.filter((o) => o.result === 'refused').map((o) => o.file))],
  };
}

export function recordedLines(rows: RecordedOutcome[]): string[] {
  const cell = (o: RecordedOutcome['outcomes'][number]) => (o.result === 'ok' ? `${o.tokensAfter}` : o.result === 'unchanged' ? 'fits' : `**${o.result}**`);
  return [`| file | tokens | ${BUDGET_FRACTIONS.map((f) => `${Math.round(f * 100)}%`).join(' | ')} |`, `|---|---|${BUDGET_FRACTIONS.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.file} | ${r.tokens} | ${r.outcomes.map(cell).join(' | ')} |`)];
}
