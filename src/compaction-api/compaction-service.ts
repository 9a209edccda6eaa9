// Runs the compaction engine for the relay's endpoints: picks the policy and budget, wires the
// summarizer to a channel and the summary cache to shared state, and reports what it did.
import type { Conversation, MessageItem } from '../conversation/model.ts';
import type { CompactionOptions, CompactionReport } from '../compaction/index.ts';
import type { RequestContext } from '../http/context.ts';
import type { ServerDeps } from '../http/server.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import type { Principal } from '../access/catalog.ts';
import { channelSummarizer } from './channel-summarizer.ts';
import { compactionPolicyOf, contextWindowFor, type CompactionPolicy } from './compaction-policy.ts';
import { compactStably } from './stable-compaction.ts';
import { runHandoffOffLoop } from './handoff-runner.ts';

/** Compaction starts above this share of the context window… */
export const HARD_TRIGGER_FRACTION = 0.85;
/** …and brings the conversation down to this share, so that events stay rare. */
export const TARGET_FRACTION = 0.5;

export interface CompactionContext {
  ctx: RequestContext;
  deps: ServerDeps;
  principal: Principal;
  model: string;
  servable: ChannelRecord[];
}

export interface HandoffOutcome {
  summaryText: string;
  recentUserMessages: MessageItem[];
  report: CompactionReport;
  policy: CompactionPolicy;
}

function summarizerChannels(c: CompactionContext, policy: CompactionPolicy): { model: string; channels: ChannelRecord[] } {
  const catalog = c.deps.catalog.current;
  if (policy.summarizerModel && catalog.groupAllows(c.principal.group, policy.summarizerModel)) {
    const channels = catalog.channelsFor(policy.summarizerModel);
    if (channels.length > 0) return { model: policy.summarizerModel, channels };
  }
  return { model: c.model, channels: c.servable };
}

function engineOptions(c: CompactionContext, policy: CompactionPolicy, budgetTokens: number, targetTokens = budgetTokens): CompactionOptions {
  const options: CompactionOptions = { budgetTokens, targetTokens, strategy: policy.strategy };
  if (policy.strategy === 'model') {
    const { model, channels } = summarizerChannels(c, policy);
    options.summarizer = channelSummarizer(c.deps.agent, model, channels, c.deps.config.upstreamTimeoutMs, c.ctx.abort.signal);
  }
  if (c.deps.summaryCache) options.cache = c.deps.summaryCache;
  return options;
}

/** What compaction did, in one word: the summary strategy used, `ledger` for masking alone, `skipped` when it fit. */
export function strategyOf(report: CompactionReport): string {
  return report.summary?.strategy ?? (report.layersApplied.length > 0 ? 'ledger' : 'skipped');
}

/** Records what compaction did on the request's usage row. */
export function recordCompaction(ctx: RequestContext, report: CompactionReport): void {
  ctx.compaction = {
    compaction_strategy: strategyOf(report),
    compaction_tokens_before: report.tokensBefore,
    compaction_tokens_after: report.tokensAfter,
    summarizer_model: report.summary?.model ?? null,
    summarizer_input_tokens: report.summary?.inputTokens ?? 0,
    summarizer_output_tokens: report.summary?.outputTokens ?? 0,
  };
}

/** Handoff for Responses-shape compaction and Codex: summary text + recent user messages. */
export async function runHandoff(c: CompactionContext, conversation: Conversation): Promise<HandoffOutcome> {
  const policy = compactionPolicyOf(c.principal.group);
  const window = contextWindowFor(c.model, c.servable[0]);
  const result = await runHandoffOffLoop(conversation, engineOptions(c, policy, window), c.deps.compactionPool, c.ctx.abort.signal);
  recordCompaction(c.ctx, result.report);
  return { ...result, policy };
}

/**
 * Chat-shape compaction: the conversation fitted to the model's budget before forwarding, off the
 * event loop, with the session's plan reapplied so the forwarded prefix stays the same between events.
 */
export async function runCompaction(c: CompactionContext, conversation: Conversation, budgetOverride?: number) {
  const policy = compactionPolicyOf(c.principal.group);
  const window = contextWindowFor(c.model, c.servable[0]);
  // A budget given in the body is the trigger; the target keeps the same distance below it as the
  // window's fractions do, so that events stay rare there too.
  const options = budgetOverride
    ? engineOptions(c, policy, budgetOverride, Math.floor((budgetOverride * TARGET_FRACTION) / HARD_TRIGGER_FRACTION))
    : engineOptions(c, policy, Math.floor(window * HARD_TRIGGER_FRACTION), Math.floor(window * TARGET_FRACTION));
  const result = await compactStably(conversation, options, { tenant: `key:${c.principal.key.id}`, plans: c.deps.state?.planStore, pool: c.deps.compactionPool, signal: c.ctx.abort.signal });
  recordCompaction(c.ctx, result.report);
  return result;
}

export function compactionHeaders(report: CompactionReport): Record<string, string> {
  return {
    'x-compaction-tokens-before': String(report.tokensBefore),
    'x-compaction-tokens-after': String(report.tokensAfter),
    'x-compaction-strategy': strategyOf(report),
    'x-compaction-layers': report.layersApplied.join(',') || 'none',
    ...(report.plan ? { 'x-compaction-plan': report.plan } : {}),
  };
}
