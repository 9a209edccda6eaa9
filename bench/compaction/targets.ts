// Issue 11's targets, each judged met or not from figures measured in this run; a target this
// benchmark does not measure says so instead of claiming anything.
import type { RealResults } from './real-run.ts';
import { precisionOf, retentionShortfalls, validityOf } from './real-run.ts';
import { BUDGET_FRACTIONS, OURS } from './real-eval.ts';
import type { GeneratedBudgetRow } from './generated-budgets.ts';
import type { Responsiveness } from './responsiveness.ts';

export interface TargetVerdict {
  target: string;
  /** null: not measured by this run. */
  met: boolean | null;
  measured: string;
}

export const BASELINES = ['keep-last', 'middle-out', 'masking + drop'];

export interface GeneratedFigures {
  /** Window-policy table: invalid and over-budget outputs of ours, secrets leaked. */
  invalid: number;
  overBudget: number;
  secretsLeaked: number;
  budgetRows: GeneratedBudgetRow[];
  coldMsPer100k: number[];
  /** Cold compaction of generated sessions from 250k to 2M tokens at a 128k window: session tokens and ms per 100k tokens. */
  linearity?: { tokens: number; msPer100k: number }[];
  warm200kMs: number;
  warmPlanReused: boolean;
  warmReplanMs: number;
  responsiveness?: Responsiveness | null;
}

/** True when every size stays under 100 ms per 100k tokens and the largest costs at most twice the smallest per token. */
function linearityMet(rows: { tokens: number; msPer100k: number }[] | undefined): boolean | null {
  if (!rows || rows.length < 2) return null;
  return rows.every((r) => r.msPer100k <= 100) && rows[rows.length - 1].msPer100k <= 2 * rows[0].msPer100k;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function generatedShortfalls(rows: GeneratedBudgetRow[]): string[] {
  const out: string[] = [];
  const categories = [...new Set(rows.flatMap((r) => Object.keys(r.quality?.retention ?? {})))];
  const mean = (method: string, fraction: number, category: string) => {
    const xs = rows.filter((r) => r.method === method && r.fraction === fraction).map((r) => (r.quality?.retention as Record<string, number> | undefined)?.[category] ?? 0);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  for (const fraction of BUDGET_FRACTIONS) {
    for (const category of categories) {
      const ours = mean(OURS, fraction, category);
      const best = Math.max(...BASELINES.map((b) => mean(b, fraction, category)));
      if (ours + 1e-9 < best) out.push(`${category} at ${pct(fraction)}: ${pct(ours)} vs ${pct(best)}`);
    }
  }
  return out;
}

export interface RecordedFigures {
  compactions: number;
  refusals: number;
  invalid: number;
  overBudget: number;
  refusedFiles: string[];
}

export function judgeTargets(real: RealResults, gen: GeneratedFigures, recorded: RecordedFigures): TargetVerdict[] {
  const v = validityOf(real.rows, OURS);
  const genOurs = gen.budgetRows.filter((r) => r.method === OURS);
  const genRefusals = genOurs.filter((r) => r.refused).length;
  const replayTurns = real.replays.reduce((n, r) => n + r.requests, 0);
  // A turn whose system prompt and newest turn alone exceed the budget cannot be compacted by anyone: not counted against the target.
  const replayRefusals = real.replays.reduce((n, r) => n + r.refusals - r.unfitRefusals, 0);
  const replayUnfit = real.replays.reduce((n, r) => n + r.unfitRefusals, 0);
  const replayErrors = real.replays.reduce((n, r) => n + r.errors.length, 0);
  const shortfalls = retentionShortfalls(real.rows, BASELINES);
  const genShort = generatedShortfalls(gen.budgetRows);
  const p = precisionOf(real.rows);
  const genViewOnly = genOurs.reduce((n, r) => n + (r.quality?.viewOnlyListedAsChanged ?? 0), 0);
  const genSourceErr = genOurs.reduce((n, r) => n + (r.quality?.sourceLineShownAsError ?? 0) + (r.quality?.resolvedShownAsCurrent ?? 0), 0);
  // The cost targets hold on the long sessions; short recorded runs are reported beside them.
  const judged = real.replays.filter((r) => !r.short);
  const shortRuns = real.replays.length - judged.length;
  const triggered = judged.filter((r) => r.compactedTurns > 0);
  // Where compaction triggers: the turns from a session's first compaction event on (before it, both
  // sides send the same requests and pay the same). The whole-session ratio is reported beside it.
  const above08 = triggered.filter((r) => r.events > 0 && r.costRatioSinceEvent > 0.8);
  const wholeAbove08 = triggered.filter((r) => r.costRatio > 0.8);
  const above1 = judged.filter((r) => r.costRatio > 1 || r.costRatioSinceEvent > 1);
  const unstable = real.replays.filter((r) => r.prefixBreaks > Math.max(1, r.events) || (r.events === 0 && r.prefixBreaks > 0));
  const breaks = real.replays.reduce((n, r) => n + r.prefixBreaks, 0);
  const events = real.replays.reduce((n, r) => n + r.events, 0);
  const sortedCold = [...gen.coldMsPer100k].sort((a, b) => a - b);
  const coldP95 = sortedCold[Math.min(sortedCold.length - 1, Math.ceil(0.95 * sortedCold.length) - 1)];
  const list = (xs: string[]) => (xs.length ? `: ${xs.slice(0, 6).join('; ')}${xs.length > 6 ? `; … (${xs.length} in all)` : ''}` : '');
  return [
    {
      target: '0 refusals where the system prompt plus the newest turn fit',
      met: v.refusals === 0 && replayRefusals === 0 && genRefusals === 0 && recorded.refusals === 0,
      measured: `real sessions: ${v.refusals} of ${v.compactions} compactions refused at equal budgets${list(v.examples.filter((e) => e.includes('refused')))}; ${replayRefusals} of ${replayTurns} replayed turns refused${replayUnfit ? ` (and ${replayUnfit} where the newest turn alone exceeds the budget)` : ''}; short recorded trajectories: ${recorded.refusals} of ${recorded.compactions}${recorded.refusedFiles.length ? ` (${recorded.refusedFiles.length} files: ${recorded.refusedFiles.slice(0, 4).join(', ')}${recorded.refusedFiles.length > 4 ? ', …' : ''})` : ''}; generated: ${genRefusals} of ${genOurs.length}`,
    },
    {
      target: '0 structurally invalid outputs',
      met: v.invalid === 0 && gen.invalid === 0 && genOurs.every((r) => !r.invalid) && replayErrors === 0 && recorded.invalid === 0,
      measured: `real: ${v.invalid} of ${v.compactions}, replay turns answered with an error other than a refusal: ${replayErrors}; short recorded: ${recorded.invalid} of ${recorded.compactions}; generated: ${gen.invalid + genOurs.filter((r) => r.invalid).length}`,
    },
    {
      target: '0 outputs over budget',
      met: v.overBudget === 0 && gen.overBudget === 0 && genOurs.every((r) => !r.overBudget) && recorded.overBudget === 0,
      measured: `real: ${v.overBudget}; short recorded: ${recorded.overBudget}; generated: ${gen.overBudget + genOurs.filter((r) => r.overBudget).length}`,
    },
    {
      target: 'retention of every fact category ≥ the best of keep-last, middle-out and masking + drop, at every budget',
      met: shortfalls.length === 0 && genShort.length === 0,
      measured: `real: ${shortfalls.length} (budget, category) pairs below the best baseline${list(shortfalls.map((s) => `${s.category} at ${pct(s.fraction)}: ${pct(s.ours)} vs ${pct(s.best)} (${s.bestMethod})`))}; generated: ${genShort.length}${list(genShort)}`,
    },
    {
      target: 'ledger precision 100%: no file listed as edited without a write',
      met: p.falseChanged === 0 && genViewOnly === 0,
      measured: `real: ${p.falseChanged} of ${p.listed} listed files had no write (${p.ledgers} ledgers)${list(p.changedExamples)}; generated: ${genViewOnly} view-only files listed as changed`,
    },
    {
      target: 'ledger precision 100%: no "current error" that is not one',
      met: p.falseErrors === 0 && genSourceErr === 0,
      measured: `real: ${p.falseErrors} of ${p.errorsShown} current errors shown were not the error of a failed, unresolved command${list(p.errorExamples)}; generated: ${genSourceErr} source lines or resolved errors shown as current`,
    },
    {
      target: 'turn by turn: cost ≤ 0.8× no compaction wherever compaction triggers',
      met: triggered.length > 0 && above08.length === 0,
      measured: `from the first compaction event on, ${triggered.length - above08.length} of ${triggered.length} replayed sessions where compaction triggered are at or below 0.8×${above08.length ? `; above it${list(above08.map((r) => `${r.session} ${r.costRatioSinceEvent.toFixed(2)}× (no compaction that keeps the newest turn could go below ${r.newTokensFloor.toFixed(2)}×)`))}` : ''}. Over whole sessions, early turns before any event included: ${triggered.length - wholeAbove08.length} of ${triggered.length}${wholeAbove08.length ? `; above 0.8×${list(wholeAbove08.map((r) => `${r.session} ${r.costRatio.toFixed(2)}×`))}` : ''}${shortRuns ? `. The ${shortRuns} short SWE-agent runs are reported in the replay table, not judged here` : ''}`,
    },
    {
      target: 'turn by turn: never above 1.0× no compaction',
      met: above1.length === 0,
      measured: `${above1.length} of ${judged.length} replayed long sessions above 1.0×, whole session or from the first event on${list(above1.map((r) => `${r.session} ${r.costRatio.toFixed(2)}× / ${r.costRatioSinceEvent.toFixed(2)}×`))}`,
    },
    {
      target: 'at most one prefix break per compaction event',
      met: unstable.length === 0,
      measured: `${breaks} prefix breaks for ${events} compaction events over ${real.replays.length} sessions; ${unstable.length} sessions with more breaks than events${list(unstable.map((r) => `${r.session} ${r.prefixBreaks}/${r.events}`))}`,
    },
    {
      target: '≤ 100 ms per 100k tokens cold (p95), linear up to 2M-token sessions',
      // Linear: the cost per 100k tokens of the largest session is at most twice that of the smallest.
      met: coldP95 <= 100 && linearityMet(gen.linearity),
      measured: `${gen.coldMsPer100k.map((x) => x.toFixed(1)).join(', ')} ms per 100k tokens on three cold 100k-token sessions (p95 ${coldP95?.toFixed(1)}); ${gen.linearity?.length ? `from ${Math.round(gen.linearity[0].tokens / 1000)}k to ${Math.round(gen.linearity[gen.linearity.length - 1].tokens / 1000)}k tokens at a 128k window: ${gen.linearity.map((r) => `${r.msPer100k.toFixed(1)}`).join(', ')} ms per 100k tokens` : '2M-token sessions are not measured by this run (--quick)'}`,
    },
    {
      target: 'warm: a 200k-token session where only the newest turn is new ≤ 15 ms',
      met: gen.warm200kMs <= 15 && gen.warmPlanReused,
      measured: `${gen.warm200kMs.toFixed(1)} ms as the relay runs it (${gen.warmPlanReused ? 'the event\'s plan reused' : 'the plan was not reused'}); ${gen.warmReplanMs.toFixed(1)} ms planned from scratch`,
    },
    {
      target: '/healthz and a plain request answer within 50 ms p99 while four 2 MB compactions run',
      met: gen.responsiveness ? gen.responsiveness.healthzP99 <= 50 && gen.responsiveness.plainP99 <= 50 : null,
      measured: gen.responsiveness
        ? `/healthz p99 ${gen.responsiveness.healthzP99.toFixed(0)} ms, plain chat p99 ${gen.responsiveness.plainP99.toFixed(0)} ms (${gen.responsiveness.samples} sequential probes from a process of their own) while ${gen.responsiveness.compactions} compactions of ${(gen.responsiveness.bytes / 1e6).toFixed(1)} MB ran (posted by a client process at nice ${gen.responsiveness.loadNice}); they took ${gen.responsiveness.compactionMs.map((m) => (m / 1000).toFixed(1)).join(', ')} s; the relay's event-loop delay meanwhile: p99 ${gen.responsiveness.eventLoopDelayP99.toFixed(0)} ms, max ${gen.responsiveness.eventLoopDelayMax.toFixed(0)} ms`
        : 'not measured in this run (full run only)',
    },
    {
      target: 'fake secrets copied into text the compactor writes: 0',
      met: gen.secretsLeaked === 0 && genOurs.every((r) => (r.quality?.secretsLeaked ?? 0) === 0),
      measured: `${gen.secretsLeaked + genOurs.reduce((n, r) => n + (r.quality?.secretsLeaked ?? 0), 0)} (generated sessions; the real sessions carry no planted secrets)`,
    },
  ];
}
