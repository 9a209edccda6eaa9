// Markdown for the page's real-session, equal-budget and target sections, from measured results.
import { LOOKBACK_BLOCKS, MIN_CACHEABLE_TOKENS } from '../../src/emulator/messages-endpoint.ts';
import { FACT_CATEGORIES } from './facts.ts';
import { BUDGET_FRACTIONS, FLOOR_MARGIN_TOKENS, OURS, staticMethods } from './real-eval.ts';
import { meanRetention, precisionOf, type RealResults } from './real-run.ts';
import { meanScore, type GeneratedBudgetRow } from './generated-budgets.ts';
import type { TargetVerdict } from './targets.ts';
import { CACHED_PRICE } from './replay.ts';
import { MIN_CACHED_PREFIX_TOKENS } from './prefix-cache.ts';

const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(x * 100).toFixed(0)}%`);
const methods = () => staticMethods().map((m) => m.name);

export function targetLines(verdicts: TargetVerdict[]): string[] {
  const mark = (m: boolean | null) => (m === null ? 'not shown by this run' : m ? '**met**' : '**not met**');
  return ['| target | verdict | measured in this run |', '|---|---|---|', ...verdicts.map((v) => `| ${v.target} | ${mark(v.met)} | ${v.measured.replace(/\|/g, '\\|')} |`)];
}

export function realLines(real: RealResults): string[] {
  const lines: string[] = [];
  lines.push('### Sessions', '', 'Every session of `test/fixtures/trajectories/real/` of at least 5k tokens (aider: the three largest of its ~1,100; Claude Code: the main thread and each Task sub-agent thread apart), and SWE-agent\'s recorded runs of at least 5k tokens from `test/fixtures/trajectories/swe-agent/` (its default and XML text protocols and its function calling; 5–13k tokens each, about 2k of them its system prompt). Facts are derived from the raw file by `bench/compaction/facts.ts`, which uses neither the engine nor the relay\'s loaders; a session in another format (any the relay\'s loaders read: Codex rollouts, Gemini contents, Chat or Responses dumps) dropped into that folder is benchmarked too, its facts read from the loaded conversation without the engine (`facts/generic.ts`).', '');
  lines.push(`| session | agent | wire | tokens | ${FACT_CATEGORIES.join(' | ')} |`, `|---|---|---|---|${FACT_CATEGORIES.map(() => '---').join('|')}|`);
  for (const s of real.sessions) lines.push(`| ${s.id} | ${s.agent} | ${s.wire} | ${s.tokens} | ${FACT_CATEGORIES.map((c) => s.facts[c] ?? 0).join(' | ')} |`);
  if (real.skipped.length) lines.push('', `Not benchmarked (no loader reads them): ${real.skipped.map((f) => f.replace(/\|/g, '\\|')).join('; ')}.`);
  lines.push('', '### Retention per fact category at equal budgets', '', `Budget = 10/20/30/50% of each session, never below the system prompt plus the newest turn plus ${FLOOR_MARGIN_TOKENS} tokens. A fact is retained when its text is still in the compacted conversation (whitespace-normalized; tool-call arguments decoded). A refused compaction delivers nothing and retains 0.`, '');
  lines.push(`| budget | method | ${FACT_CATEGORIES.join(' | ')} | refused | invalid | over budget |`, `|---|---|${FACT_CATEGORIES.map(() => '---').join('|')}|---|---|---|`);
  for (const fraction of BUDGET_FRACTIONS) {
    for (const method of methods()) {
      const rows = real.rows.filter((r) => r.method === method && r.fraction === fraction);
      if (rows.length === 0) continue;
      const name = method === OURS ? `**${method}**` : method;
      lines.push(`| ${pct(fraction)} | ${name} | ${FACT_CATEGORIES.map((c) => pct(meanRetention(real.rows, method, fraction, c))).join(' | ')} | ${rows.filter((r) => r.refused).length}/${rows.length} | ${rows.filter((r) => r.invalid.length).length} | ${rows.filter((r) => !r.refused && r.overBudget).length} |`);
    }
  }
  const p = precisionOf(real.rows);
  lines.push('', '### Ledger precision', '', `The ledger block the engine writes into its summary is parsed (\`bench/compaction/ledger-check.ts\`) in each of the ${p.ledgers} compactions that wrote one. A file listed as changed is false when no write was attempted on it in the raw session (editor create/str_replace/insert, Write/Edit/MultiEdit, aider's "Applied edit", shell redirections, \`tee\`, \`sed -i\`, \`mv\`/\`cp\` targets, \`touch\`, \`rm\`, Python \`open(…, 'w')\`, the files \`patch\` reports patching). A current error is false when the line is not in the output of a failed run (non-zero exit by the agent's own marker, \`is_error\`, or a traceback/failure line when no exit code is recorded), or when a later run of the same command succeeded.`, '');
  lines.push(`- Files listed as changed: ${p.listed}; without a write: **${p.falseChanged}**${p.changedExamples.length ? ` (e.g. ${p.changedExamples.slice(0, 5).join('; ')})` : ''}.`);
  lines.push(`- Current errors shown: ${p.errorsShown}; not a current error: **${p.falseErrors}**${p.errorExamples.length ? ` (e.g. ${p.errorExamples.slice(0, 5).map((e) => e.replace(/\|/g, '\\|')).join('; ')})` : ''}.`);
  lines.push('', '### Turn by turn through the running relay', '', `Before each model call the agent made, the whole history so far is posted to the relay's \`/compact/v1/chat/completions\` (Claude Code: \`/compact/v1/messages\`, with \`cache_control\` on the last two user turns as Claude Code sets it) in front of the bundled upstream emulator, and the same history to \`/v1/...\` for the uncompacted baseline. The channel's context window is 16k tokens, or half the session when smaller (at least 4k), so compaction triggers, and at least twice what is always kept (the system prompt, the tools and the first user message); the key's group uses ledger-only compaction. Billed input: uncached tokens ×1, cached prefix ×${CACHED_PRICE}; Anthropic caching as the emulator accounts it, like Anthropic's (a prefix of at least ${MIN_CACHEABLE_TOKENS} tokens is written at each \`cache_control\` breakpoint; a request reads the longest written prefix ending at one of its breakpoints or up to ${LOOKBACK_BLOCKS} blocks before one), Chat as OpenAI's automatic prefix cache (the longest run of leading messages seen in an earlier request, at least ${MIN_CACHED_PREFIX_TOKENS} tokens), both read from what the emulator received. A compaction event is a turn the relay answered with a new plan (\`x-compaction-plan: new\`), a turn after a refused one included; a prefix break is a turn whose forwarded history does not start with the previous turn's.`, '');
  lines.push(`"Cost from the first event" sums both sides from the session's first compaction event on: the turns where compaction acts (before it both sides send the same requests). "Floor" is, over those same turns, what the uncompacted side paid for tokens it had not sent before, as a share of its bill: the agent's new output at each turn, which any compaction that keeps the newest turn must also send uncached.`, '');
  lines.push('The short SWE-agent runs (marked *short*) are replayed for errors, refusals and prefix stability; the cost targets are judged on the long sessions. In their windows of 4–7k tokens the system prompt and the first task take up to half, so an event frees little room and the next one comes a few turns later.', '');
  lines.push('| session | window | turns | compacted turns | events | prefix breaks | breaks per event | refused | cost vs no compaction, whole session | cost from the first event | floor |', '|---|---|---|---|---|---|---|---|---|---|---|');
  const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
  for (const r of real.replays) lines.push(`| ${r.session}${r.short ? ' *(short)*' : ''} | ${r.window} | ${r.requests} | ${r.compactedTurns} | ${r.events} | ${r.prefixBreaks} | ${r.events ? (r.prefixBreaks / r.events).toFixed(2) : '–'} | ${r.refusals} | ${ratio(r.costRatio)} | ${ratio(r.costRatioSinceEvent)} | ${ratio(r.newTokensFloor)} |`);
  return lines;
}

export function generatedBudgetLines(rows: GeneratedBudgetRow[]): string[] {
  const lines = ['| budget | method | score | refused | invalid | over budget | view-only listed as changed | source line as current error |', '|---|---|---|---|---|---|---|---|'];
  for (const fraction of BUDGET_FRACTIONS) {
    for (const method of methods()) {
      const mine = rows.filter((r) => r.method === method && r.fraction === fraction);
      if (!mine.length) continue;
      const sum = (f: (r: GeneratedBudgetRow) => number) => mine.reduce((n, r) => n + f(r), 0);
      lines.push(`| ${pct(fraction)} | ${method === OURS ? `**${method}**` : method} | ${meanScore(rows, method, fraction).toFixed(3)} | ${sum((r) => Number(r.refused))}/${mine.length} | ${sum((r) => Number(r.invalid))} | ${sum((r) => Number(r.overBudget))} | ${sum((r) => r.quality?.viewOnlyListedAsChanged ?? 0)} | ${sum((r) => r.quality?.sourceLineShownAsError ?? 0)} |`);
    }
  }
  return lines;
}
