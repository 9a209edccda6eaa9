// The compaction engine: layers applied cheapest first (L1 normalize, L2 mask, L3/L4 retire the
// middle into one summary message) until the conversation fits, with boundaries quantized by
// token blocks and chosen from prefix sums (linear in the history). Planning is synchronous and
// deterministic (it can run in a worker); the model summary, if any, is asked for afterwards, and
// the decisions are applied in one pass. Handoffs live in handoff.ts; stable-plan.ts keeps an
// event's decisions fixed until the next event.
import type { Conversation, Item } from '../conversation/model.ts';
import { messageText } from '../conversation/model.ts';
import { badRequest } from '../errors.ts';
import { countConversationTokens, countItemTokens } from './tokens.ts';
import { normalizeToolOutput } from './normalize.ts';
import { observationStubs, outputTextOf, withOutputText } from './masking.ts';
import { extractLedger, isRealUserMessage, type Ledger } from './ledger.ts';
import { renderLedgerChanges, renderLedgerWithin } from './ledger-render.ts';
import { prepareSummary, requestSummary, type PreparedSummary, type SummaryOutcome } from './summarizer.ts';
import { applyLayout, isSummaryMessage, summaryMessage, type CompactionLayout } from './layout.ts';
import { chooseBoundary, type BoundaryChoice } from './boundary-search.ts';
import type { CompactionOptions, CompactionReport, CompactionResult } from './engine-types.ts';
import { composeSummary, countByType, isPinned, layerOn, ledgerPiece, modelReport, roundMs, type LedgerPiece } from './summary-parts.ts';
import { countVisits } from './work-meter.ts';
import { markTextProtocol } from '../conversation/text-protocol.ts';
import { fitPinned } from './pinned-fit.ts';

export { SUMMARY_MESSAGE_PREFIX, isSummaryMessage } from './layout.ts';

export type { CompactionOptions, CompactionReport, CompactionResult, Layer, SummaryReport } from './engine-types.ts';

/**
 * Indices where history may be cut without separating a call from its results, reasoning from its
 * call, or a text-protocol action from the observation that answers it (a message marked
 * `observation` belongs with the assistant message before it).
 */
export function safeCutPoints(items: Item[]): number[] {
  const callIndex = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.kind === 'tool_call') callIndex.set(item.callId, i);
  });
  const lastResultOfCallAt = new Array<number>(items.length).fill(-1);
  items.forEach((item, i) => {
    if (item.kind !== 'tool_result') return;
    const at = callIndex.get(item.callId);
    if (at !== undefined) lastResultOfCallAt[at] = Math.max(lastResultOfCallAt[at], i);
  });
  const points: number[] = [];
  let openUntil = -1;
  for (let i = 0; i <= items.length; i++) {
    const previous = items[i - 1];
    const crossing = openUntil >= i;
    const splitsReasoning = previous?.kind === 'reasoning';
    const splitsCallGroup = previous?.kind === 'tool_call' && items[i]?.kind === 'tool_call';
    const current = items[i];
    const splitsObservation = current?.kind === 'message' && current.observation === true && previous?.kind === 'message' && previous.role === 'assistant';
    if (i > 0 && !crossing && !splitsReasoning && !splitsCallGroup && !splitsObservation) points.push(i);
    if (i < items.length) openUntil = Math.max(openUntil, lastResultOfCallAt[i]);
  }
  return points;
}

const taskTextOf = (item: Item | undefined) => (item?.kind === 'message' ? messageText(item.content) : '');

/** Cut points kept as retirement boundaries: the first safe point after each block of tokens. */
function quantizedBoundaries(tokens: number[], safe: number[], blockTokens: number): number[] {
  const cumulative: number[] = [0];
  for (const t of tokens) cumulative.push(cumulative[cumulative.length - 1] + t);
  const out: number[] = [];
  let lastBlock = 0;
  for (const point of safe) {
    const block = Math.floor(cumulative[point] / blockTokens);
    if (block > lastBlock) {
      out.push(point);
      lastBlock = block;
    }
  }
  return out;
}

/** Options that can cross a worker boundary: functions are replaced by whether a summarizer exists. */
export type PlanningOptions = Omit<CompactionOptions, 'summarizer' | 'cache'> & { hasSummarizer: boolean };

export function planningOptionsOf(options: CompactionOptions): PlanningOptions {
  const { summarizer, cache: _cache, ...rest } = options;
  return { ...rest, hasSummarizer: summarizer !== undefined };
}

/** A model summary still to be asked for, and what is needed to put it in place of the ledger summary. */
export interface PendingModelSummary {
  prepared: PreparedSummary;
  previous: string | undefined;
  ledgerText: string;
  retiredCount: number;
  /** Tokens of the ledger summary message the model summary would replace. */
  ledgerMessageTokens: number;
  /** The model summary is used only if the result stays at or under this many tokens. */
  ceilingTokens: number;
}

/** The decisions of one compaction, before any model call. `layout` null: the conversation is left as it is. */
export interface PlannedCompaction {
  layout: CompactionLayout | null;
  report: CompactionReport;
  pending?: PendingModelSummary;
  /** The model's own summary (without the ledger), once it answered and its summary is in place. */
  modelSummary?: string;
}

/** What an earlier event left that the next one builds on. */
export interface EarlierEvent {
  /** Masking stubs already sent, by index: kept as they are, so a stub once emitted is never rewritten. */
  stubs?: ReadonlyMap<number, string>;
  /** The earlier model summary and where its retirement ended: the next model summary folds in only what follows. */
  modelSummary?: { text: string; retiredUntil: number };
  /**
   * The earlier event's ledger summary: its parts as sent (oldest first), the ledger they were
   * written from, and the head and retirement boundary they went with. A later event that keeps
   * that head and retires further keeps the parts byte for byte and adds one saying what changed.
   */
  summary?: { parts: string[]; ledger: Ledger; retiredUntil: number; keptHead: number[] };
}

/** A summary stops growing by parts (and is written anew) past this many parts... */
const MAX_SUMMARY_PARTS = 6;
/** ...or once its parts take more than this share of the target. */
const SUMMARY_PARTS_SHARE = 0.25;

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** True when this compaction writes a ledger summary (not a model's, and not none). */
const piecesWritten = (summaryOptions: PlanningOptions, options: PlanningOptions) => layerOn(options, 'L3') && (summaryOptions.strategy ?? 'ledger') === 'ledger';

/** The earlier summary's parts and their tokens when one more part may follow them (few and small enough), else undefined. */
function appendableSummary(summary: EarlierEvent['summary'], targetTokens: number): { parts: string[]; tokens: number } | undefined {
  if (!summary || summary.parts.length === 0 || summary.parts.length >= MAX_SUMMARY_PARTS) return undefined;
  const tokens = summary.parts.reduce((sum, text, i) => sum + countItemTokens(summaryMessage(text, i > 0)), 0);
  return tokens <= Math.floor(targetTokens * SUMMARY_PARTS_SHARE) ? { parts: summary.parts, tokens } : undefined;
}

/** Puts the model's answer into a planned compaction (the ledger stays if it failed or does not fit). */
export function settlePendingSummary(planned: PlannedCompaction, outcome: SummaryOutcome): PlannedCompaction {
  const { pending, layout } = planned;
  if (!pending || !layout) return planned;
  const report: CompactionReport = { ...planned.report, layersApplied: [...planned.report.layersApplied] };
  const summary = modelReport(outcome);
  if (outcome.text) {
    const text = composeSummary(outcome.text, pending.previous, pending.ledgerText, pending.retiredCount, pending.prepared.capTokens);
    const tokens = report.tokensAfter - pending.ledgerMessageTokens + countItemTokens(summaryMessage(text));
    if (tokens <= pending.ceilingTokens) {
      report.tokensAfter = tokens;
      report.summary = summary;
      report.layersApplied.push('L4');
      return { layout: { ...layout, summaryText: text }, report, modelSummary: outcome.text };
    }
    report.summary = { ...summary, strategy: 'ledger', fellBackToLedger: true, error: 'the model summary did not fit the budget' };
    return { layout, report };
  }
  report.summary = summary;
  return { layout, report };
}

/**
 * Decides the compaction of `conversation` without calling any model: deterministic, synchronous,
 * and linear in the history (token counts are summed once; the ledger is built at a handful of
 * boundaries at most). `earlier` carries what the previous event of the session decided.
 */
export function planCompaction(conversation: Conversation, options: PlanningOptions, earlier: EarlierEvent = {}): PlannedCompaction {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string, since: number) => {
    timings[name] = roundMs(performance.now() - since);
  };
  let source = conversation.items;
  const n = source.length;
  countVisits(n);
  const baseTokens = countConversationTokens({ ...conversation, items: [] });
  const tokens = source.map(countItemTokens);
  const tokensBefore = tokens.reduce((sum, t) => sum + t, baseTokens);
  mark('count', started);
  const report: CompactionReport = { tokensBefore, tokensAfter: tokensBefore, layersApplied: [], itemsMasked: 0, outputsTruncated: 0, itemsRetired: 0, droppedItems: [], ledger: null, summary: null, timings };
  const fraction = (value: number | undefined, fallback: number) => (value !== undefined && Number.isFinite(value) && value > 0 ? Math.min(value, 1) : fallback);
  const softFraction = fraction(options.triggerSoftFraction, 1);
  // Over the soft trigger a result must also stay under it, so that compacting the result again changes nothing.
  const trigger = Math.floor(options.budgetTokens * softFraction);
  if (tokensBefore <= trigger) {
    timings.total = roundMs(performance.now() - started);
    return { layout: null, report };
  }
  // Text-protocol observations and in-context demonstrations are told from the human's words once compaction runs.
  source = markTextProtocol(conversation).items;
  const target = Math.min(options.targetTokens ?? Math.floor(options.budgetTokens * fraction(options.targetFraction, 1)), trigger);
  const modelAllowed = tokensBefore > options.budgetTokens * fraction(options.triggerHardFraction, softFraction);
  const summaryOptions: PlanningOptions = modelAllowed ? options : { ...options, strategy: options.strategy === 'model' ? 'ledger' : options.strategy };
  const total = () => tokens.reduce((sum, t) => sum + t, baseTokens);

  const replaced = new Map<number, string>();
  const stubs = new Map<number, string>();
  const items = source.slice();
  let t = performance.now();
  if (layerOn(options, 'L1')) {
    const capTokens = options.perOutputCapTokens ?? 8000;
    for (let i = 0; i < n; i++) {
      const item = source[i];
      const normalizable = item.kind === 'tool_result' || (item.kind === 'message' && item.observation === true && item.content.every((p) => p.type === 'text'));
      if (!normalizable) continue;
      const text = outputTextOf(item);
      const normalized = normalizeToolOutput(text, capTokens);
      if (normalized === text) continue;
      if (normalized.includes('lines cut by the gateway')) report.outputsTruncated++;
      replaced.set(i, normalized);
      items[i] = withOutputText(item, normalized);
      tokens[i] = countItemTokens(items[i]);
    }
    if (replaced.size > 0) report.layersApplied.push('L1');
  }
  for (const [index, stub] of earlier.stubs ?? []) {
    if (index >= n || !(source[index].kind === 'tool_result' || source[index].kind === 'message')) continue;
    stubs.set(index, stub);
    items[index] = withOutputText(source[index], stub);
    tokens[index] = countItemTokens(items[index]);
  }
  mark('L1', t);
  if (stubs.size > 0) report.layersApplied.push('L2');
  const finish = (retireUntil: number, keptHead: number[], summaryText: string | null): PlannedCompaction => {
    const kept = new Set(keptHead);
    const ascending = (entries: [number, string][]) => entries.filter(([index]) => index >= retireUntil || kept.has(index)).sort(([a], [b]) => a - b);
    const layout: CompactionLayout = {
      retireUntil,
      keptHead,
      summaryText,
      stubs: ascending([...stubs]),
      normalized: ascending([...replaced].filter(([index]) => !stubs.has(index))),
    };
    report.itemsMasked = stubs.size;
    timings.total = roundMs(performance.now() - started);
    return { layout, report };
  };
  const fitsAfterL1 = total() <= target;
  if (fitsAfterL1) {
    report.tokensAfter = total();
    return finish(0, [], null);
  }

  countVisits(n);
  const safe = safeCutPoints(items);
  const firstTask = items.findIndex(isRealUserMessage);
  const tailTokens = options.protectedTailTokens ?? Math.min(20_000, Math.floor(target * 0.25));
  let tailStart = n;
  for (let acc = 0, i = n - 1; i >= 0; i--) {
    acc += tokens[i];
    if (acc > tailTokens) break;
    tailStart = i;
  }
  // The newest turn (what the agent just received, after the last safe cut) is never masked or retired.
  const newestTurn = safe.filter((p) => p < n).at(-1) ?? 0;
  if (newestTurn > firstTask) tailStart = Math.min(tailStart, newestTurn);
  const safeBeforeTail = safe.filter((p) => p <= tailStart && p > firstTask);
  tailStart = safeBeforeTail.length ? safeBeforeTail[safeBeforeTail.length - 1] : tailStart;
  const blockTokens = Math.max(500, Math.floor(target / 4));
  const boundaries = quantizedBoundaries(tokens, safe, blockTokens).filter((b) => b > firstTask);

  t = performance.now();
  if (layerOn(options, 'L2')) {
    countVisits(n);
    const candidates = observationStubs(items, tailStart);
    const stubTokens = new Map<number, number>();
    for (const [index, stub] of candidates) stubTokens.set(index, countItemTokens(withOutputText(items[index], stub)));
    const ordered = [...candidates.keys()].sort((a, b) => a - b);
    const maskPoints = [...boundaries.filter((b) => b < tailStart), tailStart];
    let now = total();
    let next = 0;
    for (const point of maskPoints) {
      while (next < ordered.length && ordered[next] < point) {
        now -= tokens[ordered[next]] - (stubTokens.get(ordered[next]) ?? 0);
        next++;
      }
      if (next === 0) continue;
      if (now <= target || point === tailStart) {
        for (const index of ordered.slice(0, next)) {
          stubs.set(index, candidates.get(index) as string);
          items[index] = withOutputText(items[index], candidates.get(index) as string);
          tokens[index] = stubTokens.get(index) ?? tokens[index];
        }
        if (!report.layersApplied.includes('L2')) report.layersApplied.push('L2');
        break;
      }
    }
  }
  mark('L2', t);
  if (total() <= target) {
    report.tokensAfter = total();
    return finish(0, [], null);
  }

  t = performance.now();
  const pinned = (index: number) => isPinned(items[index]);
  const pinnedTokens = items.reduce((sum, item, i) => (isPinned(item) ? sum + tokens[i] : sum), baseTokens);
  if (pinnedTokens > trigger) {
    throw badRequest(`The conversation cannot be compacted to ${trigger} tokens: the system prompt and tool definitions alone take ${pinnedTokens} tokens, and compaction never alters them. Raise the budget or shorten the system prompt or tools.`, 'messages', 'context_budget_unreachable');
  }
  // Prefix sums: tokens before each index, and tokens and count of the items kept ahead of the summary.
  const before = new Array<number>(n + 1).fill(0);
  const headBefore = new Array<number>(n + 1).fill(0);
  const headCountBefore = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) {
    const head = pinned(i) || i === firstTask;
    before[i + 1] = before[i] + tokens[i];
    headBefore[i + 1] = headBefore[i] + (head ? tokens[i] : 0);
    headCountBefore[i + 1] = headCountBefore[i] + (head ? 1 : 0);
  }
  const candidates = [...new Set([...boundaries, ...safe.filter((p) => p > firstTask && p >= tailStart)])]
    .sort((a, b) => a - b)
    .filter((b) => b < n && b - headCountBefore[b] > 0);
  const ledgerBudget = options.userMessageBudgetTokens ?? Math.max(500, Math.floor(target * 0.1));
  // The boundary is chosen with the ledger alone (cheap, deterministic); the model, if any, is asked
  // once at that boundary, with room reserved for its summary, and the ledger stands in if it does not fit.
  const useModel = (summaryOptions.strategy ?? 'ledger') === 'model' && layerOn(options, 'L4');
  const ledgerOptions: PlanningOptions = useModel ? { ...summaryOptions, strategy: 'ledger' } : summaryOptions;
  const reserve = useModel ? Math.min(options.summaryCapTokens ?? 4000, Math.floor(target * 0.2)) : 0;
  const capTokens = options.summaryCapTokens ?? 4000;
  const besideSummary = (b: number) => baseTokens + headBefore[b] + (before[n] - before[b]);
  // A boundary fits when the result reaches the target; when none does (the system prompt, the task
  // and the newest turn leave too little room), only the last one may, under the trigger: it retires
  // all it can, so that the next turns have room before the next event.
  const lastCandidate = candidates.at(-1) ?? n;
  const fits = (b: number, result: number) => result + reserve <= target || (result <= trigger && b >= Math.max(tailStart, lastCandidate));
  const retiredAt = (b: number) => source.slice(0, b).filter((item, i) => !isPinned(item) && i !== firstTask);
  const keptAt = (b: number) => {
    const head: number[] = [];
    for (let i = 0; i < b; i++) if (pinned(i) || i === firstTask) head.push(i);
    return head;
  };
  const earlierParts = !useModel && piecesWritten(summaryOptions, options) ? appendableSummary(earlier.summary, target) : undefined;
  let choice: BoundaryChoice<{ piece: LedgerPiece; text: string; retired: Item[]; earlierParts?: string[] }> | undefined;
  if (earlierParts && earlier.summary && earlier.summary.retiredUntil <= n && same(keptAt(earlier.summary.retiredUntil), earlier.summary.keptHead)) {
    // The earlier parts stay as they were sent; the new part says what changed in what is retired since.
    const { retiredUntil, ledger: earlierLedger } = earlier.summary;
    const sameHead = candidates.filter((b) => b > retiredUntil && headCountBefore[b] === headCountBefore[retiredUntil]);
    choice = chooseBoundary(sameHead, besideSummary, fits, (b) => {
      const retired = retiredAt(b);
      const piece = ledgerPiece(retired, ledgerOptions, ledgerBudget, source.slice(b));
      const sinceEarlier = extractLedger(source.slice(retiredUntil, b).filter((item) => !isSummaryMessage(item)), ledgerBudget);
      const text = renderLedgerChanges(sinceEarlier, piece.ledger, earlierLedger);
      return { tokens: earlierParts.tokens + countItemTokens(summaryMessage(text, true)), summary: { piece, text, retired, earlierParts: earlierParts.parts } };
    });
  }
  choice ??= chooseBoundary(candidates, besideSummary, fits, (b) => {
    const retired = retiredAt(b);
    const piece = ledgerPiece(retired, ledgerOptions, ledgerBudget, source.slice(b));
    const text = composeSummary(null, piece.previous, piece.ledgerText, retired.length, capTokens);
    return { tokens: countItemTokens(summaryMessage(text)), summary: { piece, text, retired } };
  });
  mark('retire', t);
  if (!choice) {
    // Nothing fits with the first task whole: the newest turn stays whole, the task and the summary are
    // kept head and tail with a marker (or the call is refused when the system prompt and the newest turn alone do not fit).
    const boundary = candidates.length > 0 ? candidates[candidates.length - 1] : Math.min(n, firstTask + 1);
    const retired = retiredAt(boundary);
    const piece = ledgerPiece(retired, ledgerOptions, ledgerBudget, source.slice(boundary));
    const summaryText = retired.length > 0 ? composeSummary(null, piece.previous, piece.ledgerText, retired.length, capTokens) : '';
    const headIndices: number[] = [];
    for (let i = 0; i < boundary; i++) if (pinned(i) || i === firstTask) headIndices.push(i);
    const fit = fitPinned({
      conversation,
      head: headIndices.map((i) => items[i]),
      task: firstTask >= 0 && firstTask < boundary ? items[firstTask] : undefined,
      summaryText,
      // Short of room, the ledger is abridged by section (the earlier summary, if any, is left out).
      summaryWithin: piece.ledgerText ? (max) => renderLedgerWithin(piece.ledger, max) : undefined,
      newest: items.slice(boundary),
      limitTokens: trigger,
      aimTokens: target,
    });
    report.itemsRetired = retired.length;
    report.droppedItems = countByType(retired);
    report.ledger = piece.ledger;
    report.summary = piece.report;
    if (layerOn(options, 'L3') && retired.length > 0 && piece.report.strategy !== 'none') report.layersApplied.push('L3');
    const keptHead = headIndices.filter((i) => i !== firstTask || fit.taskText !== null);
    const planned = finish(boundary, keptHead, fit.summaryText);
    // The cut task travels as a rewritten head item, like a normalized one, so a plan keeps it too.
    if (planned.layout && fit.taskText !== null && firstTask >= 0 && fit.taskText !== taskTextOf(items[firstTask])) planned.layout.normalized = [[firstTask, fit.taskText], ...planned.layout.normalized];
    report.tokensAfter = fit.tokens;
    return planned;
  }
  const { boundary } = choice;
  const { piece, text, retired } = choice.summary;
  report.itemsRetired = retired.length;
  report.droppedItems = countByType(retired);
  report.ledger = piece.ledger;
  report.summary = piece.report;
  report.tokensAfter = choice.tokens;
  if (layerOn(options, 'L3') && piece.report.strategy !== 'none') report.layersApplied.push('L3');
  const planned = finish(boundary, keptAt(boundary), text);
  if (planned.layout && choice.summary.earlierParts) planned.layout.earlierSummaries = choice.summary.earlierParts;
  if (!useModel) return planned;
  if (!options.hasSummarizer) {
    report.summary = { ...piece.report, fellBackToLedger: true, error: 'no summarizer configured' };
    return planned;
  }
  // After an earlier model summary, only what was retired since goes to the model, with that summary.
  const since = earlier.modelSummary;
  const foldSince = since !== undefined && piece.previous === undefined && boundary >= since.retiredUntil;
  const fresh = foldSince ? source.slice(since.retiredUntil, boundary).filter((item, k) => !isPinned(item) && since.retiredUntil + k !== firstTask) : piece.fresh;
  planned.pending = {
    prepared: prepareSummary(foldSince ? since.text : piece.previous, fresh, capTokens),
    previous: piece.previous,
    ledgerText: piece.ledgerText,
    retiredCount: retired.length,
    ledgerMessageTokens: countItemTokens(summaryMessage(text)),
    ceilingTokens: trigger,
  };
  return planned;
}

/** Compacts `conversation` to fit; unchanged when already within the budget. */
export async function compactConversation(conversation: Conversation, options: CompactionOptions): Promise<CompactionResult> {
  const started = performance.now();
  let planned = planCompaction(conversation, planningOptionsOf(options));
  if (planned.pending && options.summarizer) {
    const outcome = await requestSummary(planned.pending.prepared, { summarizer: options.summarizer, cache: options.cache });
    planned = settlePendingSummary(planned, outcome);
  }
  planned.report.timings.total = roundMs(performance.now() - started);
  return { conversation: planned.layout ? applyLayout(conversation, planned.layout) : conversation, report: planned.report };
}
