// Runs the compaction engine for the relay's endpoints: picks the policy and the budget (from the
// channels that will serve the compacted request), wires the summarizer to dispatch and the
// summary cache to shared state, and says what it did, including a summary that fell back.
import type { Conversation, MessageItem } from '../conversation/model.ts';
import type { CompactionOptions, CompactionReport } from '../compaction/index.ts';
import type { RequestScope } from '../request/scope.ts';
import type { LiveCatalog } from '../access/catalog.ts';
import type { SummaryCache } from '../compaction/summarizer.ts';
import type { SharedState } from '../state/state-contract.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import type { CompactionPool } from './compaction-pool.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import type { Principal } from '../access/catalog.ts';
import { channelSummarizer, type ChannelSummarizer, type SummarizerDeps } from './channel-summarizer.ts';
import { tenantSummaryCache } from './tenant-cache.ts';
import { compactionPolicyOf, servingWindowFor, type CompactionPolicy } from './compaction-policy.ts';
import { settleFallback, type FallbackDeps } from './fallback.ts';
import { GatewayError } from '../errors.ts';
import { chargedSummarizer } from './charged-summarizer.ts';
import { compactStably } from './stable-compaction.ts';
import { runHandoffOffLoop } from './handoff-runner.ts';

/** Compaction starts above this share of the context window… */
export const HARD_TRIGGER_FRACTION = 0.85;
/**
 * …and brings the conversation down to this share. An event rewrites the whole forwarded prefix
 * (billed uncached once); a low target makes events rare and cheap enough for the turns between
 * them to pay for it (replayed real sessions: 0.5 cost up to 1.26× no compaction, 0.3 at most 0.93×).
 */
export const TARGET_FRACTION = 0.3;

/** What compaction reads: the catalog (the summarizer's model and channels), the summary cache, recorded plans, the worker pool, and what the summarizer and a fallback need. */
export interface CompactionDeps extends SummarizerDeps, FallbackDeps {
  catalog: Pick<LiveCatalog, 'current'>;
  summaryCache?: SummaryCache;
  state?: Pick<SharedState, 'getAffinity' | 'setAffinity' | 'planStore'>;
  metrics?: Pick<RelayMetrics, 'upstreamError' | 'observe' | 'compactionFallback'>;
  /** Worker threads that plan compactions off the event loop (in process when absent). */
  compactionPool?: CompactionPool;
}

export interface CompactionContext<Deps extends CompactionDeps = CompactionDeps> {
  ctx: RequestScope;
  deps: Deps;
  principal: Principal;
  model: string;
  /** Enabled channels serving the model, any wire format. */
  servable: ChannelRecord[];
  /** The channels that will serve the compacted request (the budget must fit each); default: `servable`. */
  serving?: ChannelRecord[];
  /** The session's affinity key, for the summarizer call too. */
  affinityKey?: string;
}

export interface CompactionOutcome {
  report: CompactionReport;
  /** Why the model summary fell back to the ledger, when it did. */
  fallback?: string;
}

export interface HandoffOutcome extends CompactionOutcome {
  summaryText: string;
  recentUserMessages: MessageItem[];
  policy: CompactionPolicy;
}

function summarizerChannels(c: CompactionContext, policy: CompactionPolicy): { model: string; channels: ChannelRecord[] } {
  const catalog = c.deps.catalog.current;
  if (policy.summarizerModel && catalog.groupAllows(c.principal.group, policy.summarizerModel)) {
    // A configured summarizer whose channels are all disabled is a failure to report, not a reason to use another model.
    if (catalog.isKnownModel(policy.summarizerModel)) return { model: policy.summarizerModel, channels: catalog.channelsFor(policy.summarizerModel) };
  }
  return { model: c.model, channels: c.servable };
}

interface EngineSetup {
  options: CompactionOptions;
  /** Why the last summary call failed: the upstream's error, or the key's limits refusing to pay for it. */
  failure(): GatewayError | undefined;
}

function engineSetup(c: CompactionContext, policy: CompactionPolicy, budgetTokens: number, targetTokens = budgetTokens): EngineSetup {
  const options: CompactionOptions = { budgetTokens, targetTokens, strategy: policy.strategy };
  let summarizer: ChannelSummarizer | undefined;
  let refused: GatewayError | undefined;
  if (policy.strategy === 'model') {
    const { model, channels } = summarizerChannels(c, policy);
    // The session's own key when the summarizer is the session's model; another model keeps an affinity of its own, so it never moves the session.
    const affinityKey = c.affinityKey && (model === c.model ? c.affinityKey : `${c.affinityKey}|summarizer:${model}`);
    summarizer = channelSummarizer({ ctx: c.ctx, deps: c.deps, model, channels, ...(affinityKey ? { affinityKey } : {}) });
    const charged = chargedSummarizer(summarizer.call, c.ctx.admission, model);
    const upstream = summarizer;
    options.summarizer = async (req) => {
      refused = undefined;
      try {
        return await charged(req);
      } catch (err) {
        // Refused before any upstream call (the key's token limits or quota): said as such.
        if (err instanceof GatewayError && !upstream.failure) refused = err;
        throw err;
      }
    };
    if (c.deps.summaryCache) options.cache = tenantSummaryCache(c.deps.summaryCache, c.principal, model);
  }
  return { options, failure: () => summarizer?.failure ?? refused };
}

/** What compaction did, in one word: the summary strategy used, `ledger` for masking alone, `skipped` when it fit. */
export function strategyOf(report: CompactionReport): string {
  return report.summary?.strategy ?? (report.layersApplied.length > 0 ? 'ledger' : 'skipped');
}

/** Records what compaction did on the request's usage row. */
export function recordCompaction(ctx: RequestScope, report: CompactionReport, fallback?: string): void {
  ctx.compaction = {
    compaction_strategy: strategyOf(report),
    compaction_tokens_before: report.tokensBefore,
    compaction_tokens_after: report.tokensAfter,
    summarizer_model: report.summary?.model ?? null,
    summarizer_input_tokens: report.summary?.inputTokens ?? 0,
    summarizer_output_tokens: report.summary?.outputTokens ?? 0,
    compaction_fallback: fallback ?? null,
  };
}

/** Records the compaction on the usage row and returns the fallback reason; throws when the group wants failures to fail. */
function settle(c: CompactionContext, policy: CompactionPolicy, report: CompactionReport, setup: EngineSetup): string | undefined {
  const { reason, error } = settleFallback(c.ctx, c.deps, policy, report, setup.failure());
  recordCompaction(c.ctx, report, reason);
  if (error) throw error;
  return reason;
}

const windowOf = (c: CompactionContext) => servingWindowFor(c.model, c.serving ?? c.servable);

/** Handoff for Responses-shape compaction and Codex: summary text + recent user messages. */
export async function runHandoff(c: CompactionContext, conversation: Conversation): Promise<HandoffOutcome> {
  const policy = compactionPolicyOf(c.principal.group);
  const setup = engineSetup(c, policy, windowOf(c));
  const result = await runHandoffOffLoop(conversation, setup.options, c.deps.compactionPool, c.ctx.abort.signal);
  const fallback = settle(c, policy, result.report, setup);
  return { ...result, policy, ...(fallback ? { fallback } : {}) };
}

/**
 * Chat-shape compaction: the conversation fitted to the model's budget before forwarding, off the
 * event loop, with the session's plan reapplied so the forwarded prefix stays the same between events.
 */
export async function runCompaction(c: CompactionContext, conversation: Conversation, budgetOverride?: number) {
  const policy = compactionPolicyOf(c.principal.group);
  const window = windowOf(c);
  // A budget given in the body is the trigger; the target keeps the same distance below it as the
  // window's fractions do, so that events stay rare there too.
  const setup = budgetOverride
    ? engineSetup(c, policy, budgetOverride, Math.floor((budgetOverride * TARGET_FRACTION) / HARD_TRIGGER_FRACTION))
    : engineSetup(c, policy, Math.floor(window * HARD_TRIGGER_FRACTION), Math.floor(window * TARGET_FRACTION));
  const result = await compactStably(conversation, setup.options, { tenant: `key:${c.principal.key.id}`, plans: c.deps.state?.planStore, pool: c.deps.compactionPool, signal: c.ctx.abort.signal });
  const fallback = settle(c, policy, result.report, setup);
  return { ...result, ...(fallback ? { fallback } : {}) };
}

export function compactionHeaders(outcome: CompactionOutcome): Record<string, string> {
  const { report, fallback } = outcome;
  return {
    'x-compaction-tokens-before': String(report.tokensBefore),
    'x-compaction-tokens-after': String(report.tokensAfter),
    'x-compaction-strategy': strategyOf(report),
    'x-compaction-layers': report.layersApplied.join(',') || 'none',
    ...(fallback ? { 'x-compaction-fallback': fallback } : {}),
    ...(report.plan ? { 'x-compaction-plan': report.plan } : {}),
  };
}
