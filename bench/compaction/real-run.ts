// Runs the real-session part of the benchmark in one pass: every real session (or the quick
// subset) at equal budgets against the baselines, the ledger checked, and the turn-by-turn replay
// through the relay; returns the rows and their aggregates for the page and the quick test.
import { loadRealSessions, type RealSession } from './real-sessions.ts';
import type { Item } from '../../src/conversation/model.ts';
import { countConversationTokens } from '../../src/compaction/index.ts';
import { BUDGET_FRACTIONS, evaluateSession, OURS, type StaticRow } from './real-eval.ts';
import { replaySession, startReplayRig, type ReplayResult } from './replay.ts';
import { FACT_CATEGORIES, type FactCategory } from './facts.ts';

/** A few real sessions of every agent (SWE-agent's XML text protocol among them), small enough for `--quick` and the quick test tier. */
export const QUICK_SESSIONS = ['django__django-11239', 'astropy__astropy-12907', 'sub-agent 0d692b0f', 'aider 2024-08-12', 'marshmallow-1867 xml_sys-env_window100'];

/** Tokens always kept whatever compaction does: the system prompt, the tools and the first user message. */
export function fixedTokens(session: RealSession): number {
  const { conversation } = session;
  const isSystem = (i: Item) => i.kind === 'message' && (i.role === 'system' || i.role === 'developer');
  const task = conversation.items.find((i) => i.kind === 'message' && i.role === 'user');
  return countConversationTokens({ ...conversation, items: [...conversation.items.filter(isSystem), ...(task ? [task] : [])] });
}

/**
 * The replay's context window: 16k, or half the session when that is smaller (so compaction
 * triggers), at least 4k, and at least twice what is always kept (a window that the system prompt
 * and the task fill more than half of is not one an agent runs in: SWE-agent's prompt alone is ~2k).
 */
export function replayWindow(session: RealSession): number {
  const half = Math.max(4000, Math.min(16_000, Math.round(session.tokens / 2000) * 1000));
  return Math.max(half, Math.ceil((2 * fixedTokens(session)) / 1000) * 1000);
}

export interface RealResults {
  sessions: { id: string; agent: string; file: string; wire: string; tokens: number; facts: Record<string, number> }[];
  rows: StaticRow[];
  replays: ReplayResult[];
  /** Files in the sessions folder no loader reads, with the reason. */
  skipped: string[];
}

export function selectSessions(quick: boolean, all = loadRealSessions()): RealSession[] {
  return quick ? all.filter((s) => QUICK_SESSIONS.some((q) => s.id.includes(q))) : all;
}

export async function runReal(options: { quick: boolean; log?: (m: string) => void; replay?: boolean }): Promise<RealResults> {
  const log = options.log ?? (() => {});
  const skipped: string[] = [];
  const sessions = selectSessions(options.quick, loadRealSessions(undefined, undefined, skipped));
  const out: RealResults = { sessions: [], rows: [], replays: [], skipped };
  for (const file of skipped) log(`  not benchmarked: ${file}`);
  for (const session of sessions) {
    const started = performance.now();
    const { facts, rows } = await evaluateSession(session, BUDGET_FRACTIONS);
    const counts: Record<string, number> = {};
    for (const f of facts.facts) counts[f.category] = (counts[f.category] ?? 0) + 1;
    out.sessions.push({ id: session.id, agent: session.agent, file: session.file, wire: session.wire, tokens: session.tokens, facts: counts });
    out.rows.push(...rows);
    log(`  ${session.id}: ${session.tokens} tokens, budgets in ${(performance.now() - started).toFixed(0)} ms`);
  }
  if (options.replay !== false) {
    const rig = await startReplayRig();
    try {
      for (const session of sessions) {
        const r = await replaySession(rig, session, { window: replayWindow(session) });
        out.replays.push(r);
        log(`  replay ${session.id}: ${r.requests} requests, ${r.events} events, ${r.prefixBreaks} breaks, cost ${r.costRatio.toFixed(2)}× in ${r.ms.toFixed(0)} ms`);
      }
    } finally {
      await rig.close();
    }
  }
  return out;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Mean retention of a category for a method at a budget fraction, over the sessions that have such facts. */
export function meanRetention(rows: StaticRow[], method: string, fraction: number, category: FactCategory): number {
  return mean(rows.filter((r) => r.method === method && r.fraction === fraction && r.retention[category] !== undefined).map((r) => r.retention[category]!));
}

/** Where ours falls below the best baseline (keep-last, middle-out, masking + drop). */
export function retentionShortfalls(rows: StaticRow[], baselines: string[]): { fraction: number; category: FactCategory; ours: number; best: number; bestMethod: string }[] {
  const out: { fraction: number; category: FactCategory; ours: number; best: number; bestMethod: string }[] = [];
  for (const fraction of BUDGET_FRACTIONS) {
    for (const category of FACT_CATEGORIES) {
      const ours = meanRetention(rows, OURS, fraction, category);
      if (Number.isNaN(ours)) continue;
      let best = -1;
      let bestMethod = '';
      for (const b of baselines) {
        const v = meanRetention(rows, b, fraction, category);
        if (v > best) [best, bestMethod] = [v, b];
      }
      if (ours + 1e-9 < best) out.push({ fraction, category, ours, best, bestMethod });
    }
  }
  return out;
}

export interface Validity {
  compactions: number;
  refusals: number;
  invalid: number;
  overBudget: number;
  examples: string[];
}

export function validityOf(rows: StaticRow[], method: string): Validity {
  const mine = rows.filter((r) => r.method === method);
  const examples = mine.filter((r) => r.refused || r.invalid.length || r.overBudget).slice(0, 6).map((r) => `${r.session} at ${Math.round(r.fraction * 100)}% (${r.budget} tokens): ${r.refused ? 'refused' : r.invalid.length ? r.invalid[0].slice(0, 120) : `over budget (${r.tokensAfter})`}`);
  return { compactions: mine.length, refusals: mine.filter((r) => r.refused).length, invalid: mine.filter((r) => r.invalid.length > 0).length, overBudget: mine.filter((r) => !r.refused && r.overBudget).length, examples };
}

export interface Precision {
  ledgers: number;
  listed: number;
  falseChanged: number;
  errorsShown: number;
  falseErrors: number;
  changedExamples: string[];
  errorExamples: string[];
}

export function precisionOf(rows: StaticRow[]): Precision {
  const withLedger = rows.filter((r) => r.method === OURS && r.ledger?.found);
  const changedExamples = [...new Set(withLedger.flatMap((r) => r.ledger!.falseChanged.map((p) => `${r.session}: \`${p}\``)))];
  const errorExamples = [...new Set(withLedger.filter((r) => r.ledger!.falseError).map((r) => `${r.session}: "${r.ledger!.falseError!.slice(0, 100)}"`))];
  return {
    ledgers: withLedger.length,
    listed: withLedger.reduce((n, r) => n + r.ledger!.listed, 0),
    falseChanged: withLedger.reduce((n, r) => n + r.ledger!.falseChanged.length, 0),
    errorsShown: withLedger.filter((r) => r.ledger!.errorShown).length,
    falseErrors: withLedger.filter((r) => r.ledger!.falseError).length,
    changedExamples: changedExamples.slice(0, 8),
    errorExamples: errorExamples.slice(0, 8),
  };
}
