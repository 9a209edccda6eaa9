// The compaction engine: layers applied cheapest first (L1 normalize, L2 mask, L3/L4 retire the
// middle into one summary message) until the conversation fits, with retirement boundaries
// quantized by token blocks so that, between events, the forwarded history only grows at its end.
import type { Conversation, Item, MessageItem } from '../conversation/model.ts';
import { messageText, toolOutputText } from '../conversation/model.ts';
import { badRequest } from '../errors.ts';
import { countConversationTokens, countItemTokens, countTextTokens } from './tokens.ts';
import { normalizeToolOutput } from './normalize.ts';
import { maskObservations } from './masking.ts';
import { extractLedger, isRealUserMessage, renderLedger, type Ledger } from './ledger.ts';
import { summarizeSlice, type SummarizeCall, type SummaryCache } from './summarizer.ts';
import { markTextProtocol } from '../conversation/text-protocol.ts';
import { fitPinnedContent } from './pinned-fit.ts';

export type Layer = 'L1' | 'L2' | 'L3' | 'L4';

export interface CompactionOptions {
  /** A conversation at or under this many tokens is returned unchanged; over it, it is compacted. */
  budgetTokens: number;
  /** Size to compact down to once compaction happens (default: `targetFraction` of the budget). */
  targetTokens?: number;
  /**
   * Compaction happens only above this share of the budget (default 1: only over the budget);
   * between it and `triggerHardFraction` only the deterministic layers run (no model call).
   */
  triggerSoftFraction?: number;
  /** The model summary (L4) is used only above this share of the budget (default: the soft trigger). */
  triggerHardFraction?: number;
  /** Target after an event as a share of the budget, when `targetTokens` is not given (default 1). */
  targetFraction?: number;
  /** `ledger`: no model call; `model`: ledger plus a model summary (falls back to the ledger); `none`: no summary at all. */
  strategy?: 'ledger' | 'model' | 'none';
  /** Recent history kept verbatim (default: 25% of the target, at most 20k tokens). */
  protectedTailTokens?: number;
  /** Cap for one tool output after normalization (default 8k tokens). */
  perOutputCapTokens?: number;
  /** Budget for the user's own messages kept verbatim (default 20k for handoffs, 10% of the target in the ledger). */
  userMessageBudgetTokens?: number;
  /** Cap for a model summary (default 4k tokens). */
  summaryCapTokens?: number;
  summarizer?: SummarizeCall;
  cache?: SummaryCache;
  disabledLayers?: Set<Layer>;
}

export interface SummaryReport {
  strategy: 'ledger' | 'model' | 'none';
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheHit: boolean;
  fellBackToLedger: boolean;
  error?: string;
}

export interface CompactionReport {
  tokensBefore: number;
  tokensAfter: number;
  layersApplied: Layer[];
  itemsMasked: number;
  outputsTruncated: number;
  itemsRetired: number;
  /** Items removed from the forwarded history (folded into the summary), counted by wire type. */
  droppedItems: { type: string; count: number }[];
  ledger: Ledger | null;
  summary: SummaryReport | null;
  timings: Record<string, number>;
}

export interface CompactionResult {
  conversation: Conversation;
  report: CompactionReport;
}

/** The text that opens the relay's summary message (also recognised when expanding sealed items). */
export const SUMMARY_MESSAGE_PREFIX = 'The earlier part of this session was compacted by the gateway. Summary of the work so far, to continue from:\n\n';

const isPinned = (item: Item) => item.kind === 'message' && (item.role === 'system' || item.role === 'developer');

export function isSummaryMessage(item: Item): item is MessageItem {
  return item.kind === 'message' && item.role === 'user' && messageText(item.content).startsWith(SUMMARY_MESSAGE_PREFIX);
}

function layerOn(options: CompactionOptions, layer: Layer): boolean {
  return !options.disabledLayers?.has(layer);
}

/** L1 over every tool result and text-protocol observation; returns new items (unchanged ones are the same objects). */
function normalizeAll(items: Item[], capTokens: number): { items: Item[]; truncated: number } {
  let truncated = 0;
  const out = items.map((item) => {
    if (item.kind === 'message' && item.observation && item.content.every((p) => p.type === 'text')) {
      const text = messageText(item.content);
      const normalized = normalizeToolOutput(text, capTokens);
      if (normalized === text) return item;
      if (normalized.includes('lines cut by the gateway')) truncated++;
      return { kind: 'message', role: item.role, content: [{ type: 'text', text: normalized }], observation: true, ...(item.id ? { id: item.id } : {}) } satisfies Item;
    }
    if (item.kind !== 'tool_result') return item;
    const text = toolOutputText(item.output);
    const normalized = normalizeToolOutput(text, capTokens);
    if (normalized === text) return item;
    if (normalized.includes('lines cut by the gateway')) truncated++;
    return { kind: 'tool_result', callId: item.callId, toolKind: item.toolKind, output: normalized, ...(item.id ? { id: item.id } : {}) } satisfies Item;
  });
  return { items: out, truncated };
}

/** Indices where history may be cut without separating a call from its results (or reasoning from its call). */
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
    if (i > 0 && !crossing && !splitsReasoning && !splitsCallGroup) points.push(i);
    if (i < items.length) openUntil = Math.max(openUntil, lastResultOfCallAt[i]);
  }
  return points;
}

/** Cut points kept as retirement boundaries: the first safe point after each block of tokens. */
function quantizedBoundaries(items: Item[], safe: number[], blockTokens: number): number[] {
  const cumulative: number[] = [0];
  for (const item of items) cumulative.push(cumulative[cumulative.length - 1] + countItemTokens(item));
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

function tokensOf(base: Conversation, items: Item[]): number {
  return countConversationTokens({ ...base, items });
}

function summaryMessage(text: string): MessageItem {
  return { kind: 'message', role: 'user', content: [{ type: 'text', text: SUMMARY_MESSAGE_PREFIX + text }] };
}

interface SummaryPiece {
  text: string;
  report: SummaryReport;
}

/** Retired items counted by type (opaque items by their wire type), sorted by type. */
function countByType(items: Item[]): { type: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const type = item.kind === 'opaque' ? item.wireType : item.kind;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, count]) => ({ type, count }));
}

async function writeSummary(retired: Item[], options: CompactionOptions, ledgerBudget: number, kept: Item[] = []): Promise<SummaryPiece & { ledger: Ledger }> {
  const previous = retired.filter(isSummaryMessage).map((m) => messageText(m.content).slice(SUMMARY_MESSAGE_PREFIX.length)).pop();
  const lastSummaryAt = retired.map(isSummaryMessage).lastIndexOf(true);
  const fresh = retired.slice(lastSummaryAt + 1);
  const ledger = extractLedger(retired.filter((i) => !isSummaryMessage(i)), ledgerBudget, kept);
  const none = options.strategy === 'none';
  const ledgerText = layerOn(options, 'L3') && !none ? renderLedger(ledger) : '';
  const report: SummaryReport = { strategy: none ? 'none' : 'ledger', model: null, inputTokens: 0, outputTokens: 0, cacheHit: false, fellBackToLedger: false };
  let modelText: string | null = null;
  if ((options.strategy ?? 'ledger') === 'model' && layerOn(options, 'L4')) {
    if (!options.summarizer) {
      report.fellBackToLedger = true;
      report.error = 'no summarizer configured';
    } else {
      const outcome = await summarizeSlice(previous, fresh, { summarizer: options.summarizer, cache: options.cache, capTokens: options.summaryCapTokens ?? 4000 });
      Object.assign(report, { model: outcome.model ?? null, inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens, cacheHit: outcome.cacheHit });
      if (outcome.text) {
        modelText = outcome.text;
        report.strategy = 'model';
      } else {
        report.fellBackToLedger = true;
        report.error = outcome.error;
      }
    }
  }
  const parts: string[] = [];
  if (modelText) parts.push(modelText.trim());
  else if (previous) {
    const cap = (options.summaryCapTokens ?? 4000) * 3;
    parts.push(`## Earlier summary\n${previous.length > cap ? previous.slice(0, cap) + '\n[…]' : previous}`);
  }
  if (ledgerText) parts.push(ledgerText);
  if (parts.length === 0) parts.push(`${retired.length} earlier items were removed without a summary.`);
  return { text: parts.join('\n\n'), report, ledger };
}

/** Compacts `conversation` to fit; unchanged when already within the budget. */
export async function compactConversation(conversation: Conversation, options: CompactionOptions): Promise<CompactionResult> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string, since: number) => {
    timings[name] = Math.round((performance.now() - since) * 100) / 100;
  };
  const tokensBefore = countConversationTokens(conversation);
  mark('count', started);
  const report: CompactionReport = { tokensBefore, tokensAfter: tokensBefore, layersApplied: [], itemsMasked: 0, outputsTruncated: 0, itemsRetired: 0, droppedItems: [], ledger: null, summary: null, timings };
  const fraction = (value: number | undefined, fallback: number) => (value !== undefined && Number.isFinite(value) && value > 0 ? Math.min(value, 1) : fallback);
  const softFraction = fraction(options.triggerSoftFraction, 1);
  // Over the soft trigger a result must also stay under it, so that compacting the result again changes nothing.
  const trigger = Math.floor(options.budgetTokens * softFraction);
  if (tokensBefore <= trigger) {
    timings.total = Math.round((performance.now() - started) * 100) / 100;
    return { conversation, report };
  }
  conversation = markTextProtocol(conversation);
  const target = Math.min(options.targetTokens ?? Math.floor(options.budgetTokens * fraction(options.targetFraction, 1)), trigger);
  const modelAllowed = tokensBefore > options.budgetTokens * fraction(options.triggerHardFraction, softFraction);
  const summaryOptions: CompactionOptions = modelAllowed ? options : { ...options, strategy: options.strategy === 'model' ? 'ledger' : options.strategy };
  const finish = (items: Item[]): CompactionResult => {
    const result = { ...conversation, items };
    report.tokensAfter = countConversationTokens(result);
    timings.total = Math.round((performance.now() - started) * 100) / 100;
    return { conversation: result, report };
  };

  let items = conversation.items;
  let t = performance.now();
  if (layerOn(options, 'L1')) {
    const normalized = normalizeAll(items, options.perOutputCapTokens ?? 8000);
    if (normalized.items.some((item, i) => item !== items[i])) report.layersApplied.push('L1');
    items = normalized.items;
    report.outputsTruncated = normalized.truncated;
  }
  mark('L1', t);
  if (tokensOf(conversation, items) <= target) return finish(items);

  const safe = safeCutPoints(items);
  const firstTask = items.findIndex(isRealUserMessage);
  const tailTokens = options.protectedTailTokens ?? Math.min(20_000, Math.floor(target * 0.25));
  let tailStart = items.length;
  for (let acc = 0, i = items.length - 1; i >= 0; i--) {
    acc += countItemTokens(items[i]);
    if (acc > tailTokens) break;
    tailStart = i;
  }
  const safeBeforeTail = safe.filter((p) => p <= tailStart && p > firstTask);
  tailStart = safeBeforeTail.length ? safeBeforeTail[safeBeforeTail.length - 1] : tailStart;
  const block = Math.max(500, Math.floor(target / 4));
  const boundaries = quantizedBoundaries(items, safe, block).filter((b) => b > firstTask);

  t = performance.now();
  if (layerOn(options, 'L2')) {
    const maskPoints = [...boundaries.filter((b) => b < tailStart), tailStart];
    for (const point of maskPoints) {
      const masked = maskObservations(items, point);
      if (masked.masked === 0) continue;
      if (tokensOf(conversation, masked.items) <= target || point === tailStart) {
        items = masked.items;
        report.itemsMasked = masked.masked;
        report.layersApplied.push('L2');
        break;
      }
    }
  }
  mark('L2', t);
  if (tokensOf(conversation, items) <= target) return finish(items);

  t = performance.now();
  const pinnedTokens = tokensOf(conversation, items.filter(isPinned));
  if (pinnedTokens > trigger) {
    throw badRequest(`The conversation cannot be compacted to ${trigger} tokens: the system prompt and tool definitions alone take ${pinnedTokens} tokens, and compaction never alters them. Raise the budget or shorten the system prompt or tools.`, 'messages', 'context_budget_unreachable');
  }
  const candidates = [...new Set([...boundaries, ...safe.filter((p) => p > firstTask && p >= tailStart)])].sort((a, b) => a - b);
  const ledgerBudget = options.userMessageBudgetTokens ?? Math.max(500, Math.floor(target * 0.1));
  // The boundary is chosen with the ledger alone (cheap, deterministic); the model, if any, is called
  // once at that boundary, with room reserved for its summary, and the ledger stands in if it does not fit.
  const useModel = (summaryOptions.strategy ?? 'ledger') === 'model' && layerOn(options, 'L4');
  const ledgerOptions: CompactionOptions = useModel ? { ...summaryOptions, strategy: 'ledger' } : summaryOptions;
  const reserve = useModel ? Math.min(options.summaryCapTokens ?? 4000, Math.floor(target * 0.2)) : 0;
  let best: Item[] | undefined;
  let widest: { boundary: number; head: Item[]; retired: Item[]; summary: Awaited<ReturnType<typeof writeSummary>> } | undefined;
  for (const boundary of candidates) {
    if (boundary >= items.length) break;
    const head = items.slice(0, boundary).filter((item, i) => isPinned(item) || i === firstTask);
    const retired = items.slice(0, boundary).filter((item, i) => !isPinned(item) && i !== firstTask);
    if (retired.length === 0) continue;
    const originals = conversation.items.slice(0, boundary).filter((item, i) => !isPinned(item) && i !== firstTask);
    const kept = conversation.items.slice(boundary);
    let summary = await writeSummary(originals, ledgerOptions, ledgerBudget, kept);
    let assembled = [...head, summaryMessage(summary.text), ...items.slice(boundary)];
    widest = { boundary, head, retired, summary };
    const tokens = tokensOf(conversation, assembled);
    if (tokens + reserve <= target || (tokens <= trigger && boundary >= tailStart)) {
      if (useModel) {
        const withModel = await writeSummary(originals, summaryOptions, ledgerBudget, kept);
        const assembledWithModel = [...head, summaryMessage(withModel.text), ...items.slice(boundary)];
        if (tokensOf(conversation, assembledWithModel) <= trigger) {
          summary = withModel;
          assembled = assembledWithModel;
        } else {
          summary = { ...summary, report: { ...withModel.report, strategy: 'ledger', fellBackToLedger: true, error: 'the model summary did not fit the budget' } };
        }
      }
      best = assembled;
      report.itemsRetired = retired.length;
      report.droppedItems = countByType(retired);
      report.ledger = summary.ledger;
      report.summary = summary.report;
      if (layerOn(options, 'L3') && summary.report.strategy !== 'none') report.layersApplied.push('L3');
      if (summary.report.strategy === 'model') report.layersApplied.push('L4');
      break;
    }
  }
  if (!best) {
    // Nothing fits with the first task whole: it and the summary are kept head and tail (or the call is refused).
    const head = widest?.head ?? items.slice(0, firstTask + 1).filter((item, i) => isPinned(item) || i === firstTask);
    best = fitPinnedContent({ conversation, head, task: items[firstTask], summaryText: widest?.summary.text ?? '', newest: items.slice(widest?.boundary ?? firstTask + 1), limitTokens: trigger, aimTokens: target }, summaryMessage);
    if (widest) Object.assign(report, { itemsRetired: widest.retired.length, droppedItems: countByType(widest.retired), ledger: widest.summary.ledger, summary: widest.summary.report, layersApplied: [...report.layersApplied, ...(layerOn(options, 'L3') && widest.summary.report.strategy !== 'none' ? ['L3'] : [])] });
  }
  mark('retire', t);
  return finish(best);
}

export interface HandoffResult {
  /** Summary and ledger as portable plain text. */
  summaryText: string;
  /** The newest real user messages within the budget, oldest first. */
  recentUserMessages: MessageItem[];
  report: CompactionReport;
}

/** The replacement history for Responses-shape compaction and Codex: recent user messages + summary. */
export async function buildHandoff(conversation: Conversation, options: CompactionOptions): Promise<HandoffResult> {
  const started = performance.now();
  const items = markTextProtocol(conversation).items.filter((i) => i.kind !== 'compaction_trigger').map((item) => (item.kind === 'compaction' && item.summaryText ? summaryMessage(item.summaryText) : item));
  const tokensBefore = countConversationTokens(conversation);
  const history = items.filter((i) => !isPinned(i));
  const summary = await writeSummary(history, options, Math.floor((options.userMessageBudgetTokens ?? 20_000) / 2));
  const userBudget = options.userMessageBudgetTokens ?? 20_000;
  const recent: MessageItem[] = [];
  let used = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (!isRealUserMessage(item)) continue;
    const cost = countTextTokens(messageText(item.content));
    if (used + cost > userBudget) break;
    recent.unshift(item);
    used += cost;
  }
  const tokensAfter = used + countTextTokens(summary.text);
  return {
    summaryText: summary.text,
    recentUserMessages: recent,
    report: {
      tokensBefore,
      tokensAfter,
      layersApplied: summary.report.strategy === 'model' ? ['L3', 'L4'] : summary.report.strategy === 'none' ? [] : ['L3'],
      itemsMasked: 0,
      outputsTruncated: 0,
      itemsRetired: history.length,
      droppedItems: countByType(history),
      ledger: summary.ledger,
      summary: summary.report,
      timings: { total: Math.round((performance.now() - started) * 100) / 100 },
    },
  };
}
