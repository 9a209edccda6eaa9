// The compaction engine's public face: what the relay's endpoints, the CLI and the benchmark use.
export { compactConversation, buildHandoff, safeCutPoints, SUMMARY_MESSAGE_PREFIX, isSummaryMessage } from './engine.ts';
export type { CompactionOptions, CompactionReport, CompactionResult, HandoffResult, Layer, SummaryReport } from './engine.ts';
export { countTextTokens, countConversationTokens, countItemTokens } from './tokens.ts';
export { checkInvariants } from './invariants.ts';
export { extractLedger, renderLedger } from './ledger.ts';
export type { Ledger } from './ledger.ts';
export { MemorySummaryCache, summarizeSlice, SUMMARY_SECTIONS } from './summarizer.ts';
export type { SummarizeCall, SummaryCache } from './summarizer.ts';
export { redactSecrets, containsSecret } from './secrets.ts';
export { clearTokenCache } from './tokens.ts';
export { clearNormalizeCache } from './normalize.ts';
export { planCompaction, planningOptionsOf, settlePendingSummary, planHandoff, settleHandoff, handoffResultOf } from './engine.ts';
export type { PlannedCompaction, PendingModelSummary, PlanningOptions, PlannedHandoff, EarlierEvent } from './engine.ts';
export { applyLayout } from './layout.ts';
export type { CompactionLayout } from './layout.ts';
export { prepareSummary, requestSummary } from './summarizer.ts';
export type { PreparedSummary } from './summarizer.ts';
