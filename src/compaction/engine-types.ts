// The compaction engine's options and report: what a caller asks for and what it is told was
// done. Apart from engine.ts so the modules the engine is built from can name them too.
import type { Conversation } from '../conversation/model.ts';
import type { Ledger } from './ledger.ts';
import type { SummarizeCall, SummaryCache } from './summarizer.ts';

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
  /** With recorded plans: `new` when this request made a compaction event, `reused` when an earlier one was reapplied. */
  plan?: 'new' | 'reused';
}

export interface CompactionResult {
  conversation: Conversation;
  report: CompactionReport;
}
