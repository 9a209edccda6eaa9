// Handoffs for Responses-shape compaction and Codex: the whole history folded into one summary
// (the ledger, and a model summary when the policy asks for one) plus the newest user messages.
// Planned without any model call (it can run in a worker), then settled with the model's answer.
import type { Conversation, MessageItem } from '../conversation/model.ts';
import { messageText } from '../conversation/model.ts';
import { countConversationTokens, countTextTokens } from './tokens.ts';
import { isRealUserMessage } from './ledger.ts';
import { prepareSummary, requestSummary, type SummaryOutcome } from './summarizer.ts';
import { summaryMessage } from './layout.ts';
import { composeSummary, countByType, isPinned, layerOn, ledgerPiece, modelReport, roundMs } from './summary-parts.ts';
import { countVisits } from './work-meter.ts';
import { markTextProtocol } from '../conversation/text-protocol.ts';
import { planningOptionsOf, type CompactionOptions, type CompactionReport, type Layer, type PendingModelSummary, type PlanningOptions } from './engine.ts';

export interface HandoffResult {
  /** Summary and ledger as portable plain text. */
  summaryText: string;
  /** The newest real user messages within the budget, oldest first. */
  recentUserMessages: MessageItem[];
  report: CompactionReport;
}

/** A handoff decided without any model call: its ledger summary and which user messages it keeps. */
export interface PlannedHandoff {
  summaryText: string;
  /** Indices in the conversation's items of the user messages kept, oldest first. */
  recentUserIndices: number[];
  /** Tokens of the kept user messages. */
  userTokens: number;
  report: CompactionReport;
  pending?: Omit<PendingModelSummary, 'ledgerMessageTokens' | 'ceilingTokens'>;
}

/** The deterministic part of a handoff (it can run in a worker): ledger, kept user messages, the model's prompt. */
export function planHandoff(conversation: Conversation, options: PlanningOptions): PlannedHandoff {
  const started = performance.now();
  countVisits(conversation.items.length);
  // Text-protocol observations and demonstrations are not the user's words.
  const indexed = markTextProtocol(conversation).items
    .map((item, index) => ({ index, item: item.kind === 'compaction' && item.summaryText ? summaryMessage(item.summaryText) : item }))
    .filter(({ item }) => item.kind !== 'compaction_trigger');
  const items = indexed.map(({ item }) => item);
  const tokensBefore = countConversationTokens(conversation);
  const history = items.filter((i) => !isPinned(i));
  const userBudget = options.userMessageBudgetTokens ?? 20_000;
  const capTokens = options.summaryCapTokens ?? 4000;
  const piece = ledgerPiece(history, options, Math.floor(userBudget / 2), []);
  const recentUserIndices: number[] = [];
  let userTokens = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (!isRealUserMessage(item)) continue;
    const cost = countTextTokens(messageText(item.content));
    if (userTokens + cost > userBudget) break;
    recentUserIndices.unshift(indexed[i].index);
    userTokens += cost;
  }
  const summaryText = composeSummary(null, piece.previous, piece.ledgerText, history.length, capTokens);
  const useModel = (options.strategy ?? 'ledger') === 'model' && layerOn(options, 'L4');
  const summary = useModel && !options.hasSummarizer ? { ...piece.report, fellBackToLedger: true, error: 'no summarizer configured' } : piece.report;
  const planned: PlannedHandoff = {
    summaryText,
    recentUserIndices,
    userTokens,
    report: {
      tokensBefore,
      tokensAfter: userTokens + countTextTokens(summaryText),
      layersApplied: summary.strategy === 'none' ? [] : ['L3'],
      itemsMasked: 0,
      outputsTruncated: 0,
      itemsRetired: history.length,
      droppedItems: countByType(history),
      ledger: piece.ledger,
      summary,
      timings: { total: roundMs(performance.now() - started) },
    },
  };
  if (useModel && options.hasSummarizer) {
    planned.pending = { prepared: prepareSummary(piece.previous, piece.fresh, capTokens), previous: piece.previous, ledgerText: piece.ledgerText, retiredCount: history.length };
  }
  return planned;
}

/** Puts the model's answer into a planned handoff (the ledger stands in when it failed). */
export function settleHandoff(planned: PlannedHandoff, outcome: SummaryOutcome): PlannedHandoff {
  const { pending } = planned;
  if (!pending) return planned;
  const summary = modelReport(outcome);
  const summaryText = outcome.text ? composeSummary(outcome.text, pending.previous, pending.ledgerText, pending.retiredCount, pending.prepared.capTokens) : planned.summaryText;
  const layersApplied: Layer[] = summary.strategy === 'model' ? ['L3', 'L4'] : ['L3'];
  return { ...planned, summaryText, report: { ...planned.report, summary, layersApplied, tokensAfter: planned.userTokens + countTextTokens(summaryText) } };
}

/** The handoff's user messages, taken from the conversation it was planned for. */
export function handoffResultOf(conversation: Conversation, planned: PlannedHandoff): HandoffResult {
  return { summaryText: planned.summaryText, recentUserMessages: planned.recentUserIndices.map((i) => conversation.items[i] as MessageItem), report: planned.report };
}

/** The replacement history for Responses-shape compaction and Codex: recent user messages + summary. */
export async function buildHandoff(conversation: Conversation, options: CompactionOptions): Promise<HandoffResult> {
  const started = performance.now();
  let planned = planHandoff(conversation, planningOptionsOf(options));
  if (planned.pending && options.summarizer) {
    planned = settleHandoff(planned, await requestSummary(planned.pending.prepared, { summarizer: options.summarizer, cache: options.cache }));
  }
  planned.report.timings.total = roundMs(performance.now() - started);
  return handoffResultOf(conversation, planned);
}
