// The pieces a summary message is made of, shared by compaction and handoffs: the ledger of what
// is retired (and what a model would be given), the summary text composed from the model's answer,
// the earlier summary and the ledger, and the reports that say which of them stood in.
import type { Item, MessageItem } from '../conversation/model.ts';
import { extractLedger, type Ledger } from './ledger.ts';
import { renderLedger } from './ledger-render.ts';
import type { SummaryOutcome } from './summarizer.ts';
import { isSummaryMessage, summaryBodyOf } from './layout.ts';
import { countVisits } from './work-meter.ts';
import type { CompactionOptions, Layer, SummaryReport } from './engine-types.ts';

export const isPinned = (item: Item) => item.kind === 'message' && (item.role === 'system' || item.role === 'developer');

export function layerOn(options: CompactionOptions, layer: Layer): boolean {
  return !options.disabledLayers?.has(layer);
}

export const roundMs = (ms: number) => Math.round(ms * 100) / 100;

/** Retired items counted by type (opaque items by their wire type), sorted by type. */
export function countByType(items: Item[]): { type: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const type = item.kind === 'opaque' ? item.wireType : item.kind;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, count]) => ({ type, count }));
}

/** The deterministic part of a summary: the ledger of what is retired, and what a model would be given. */
export interface LedgerPiece {
  previous: string | undefined;
  /** Retired items after the last earlier summary: what a model summary folds in. */
  fresh: Item[];
  ledger: Ledger;
  ledgerText: string;
  report: SummaryReport;
}

export function ledgerPiece(retired: Item[], options: CompactionOptions, ledgerBudget: number, kept: Item[]): LedgerPiece {
  countVisits(retired.length + kept.length);
  // The earlier summary: its last run of consecutive summary messages (a first part and its continuations), as one text.
  const lastSummaryAt = retired.map(isSummaryMessage).lastIndexOf(true);
  let firstOfRun = lastSummaryAt;
  while (firstOfRun > 0 && isSummaryMessage(retired[firstOfRun - 1])) firstOfRun--;
  const previous = lastSummaryAt === -1 ? undefined : retired.slice(firstOfRun, lastSummaryAt + 1).map((m) => summaryBodyOf(m as MessageItem)).join('\n\n');
  const fresh = retired.slice(lastSummaryAt + 1);
  const ledger = extractLedger(retired.filter((i) => !isSummaryMessage(i)), ledgerBudget, kept);
  const none = options.strategy === 'none';
  const ledgerText = layerOn(options, 'L3') && !none ? renderLedger(ledger) : '';
  const report: SummaryReport = { strategy: none ? 'none' : 'ledger', model: null, inputTokens: 0, outputTokens: 0, cacheHit: false, fellBackToLedger: false };
  return { previous, fresh, ledger, ledgerText, report };
}

/** The summary message's text: the model's summary (else the earlier summary, capped) and the ledger. */
export function composeSummary(modelText: string | null, previous: string | undefined, ledgerText: string, retiredCount: number, capTokens: number): string {
  const parts: string[] = [];
  if (modelText) parts.push(modelText.trim());
  else if (previous) {
    const cap = capTokens * 3;
    parts.push(`## Earlier summary\n${previous.length > cap ? previous.slice(0, cap) + '\n[…]' : previous}`);
  }
  if (ledgerText) parts.push(ledgerText);
  if (parts.length === 0) parts.push(`${retiredCount} earlier items were removed without a summary.`);
  return parts.join('\n\n');
}

/** The summary report once the model has answered (or failed): the ledger stands in on failure. */
export function modelReport(outcome: SummaryOutcome): SummaryReport {
  const report: SummaryReport = { strategy: outcome.text ? 'model' : 'ledger', model: outcome.model ?? null, inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens, cacheHit: outcome.cacheHit, fellBackToLedger: !outcome.text };
  if (!outcome.text) report.error = outcome.error;
  return report;
}
