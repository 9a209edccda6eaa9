// One request's compaction as the relay runs it: the plans recorded for the session are looked up
// in shared state, the deterministic work runs in the worker pool (or in process when there is
// none), the model summary — if the event needs one — is asked for from here, the event's plan is
// recorded for every instance, and the decisions are applied to the request's own items. A large
// conversation is copied to the worker in an event-loop turn of its own (loop-turns.ts), so that
// several compactions arriving together do not copy back to back while other requests wait.
import { loopTurn } from '../loop-turns.ts';
import type { Conversation } from '../conversation/model.ts';
import { applyLayout, planningOptionsOf, requestSummary, settlePendingSummary, type CompactionOptions, type CompactionResult } from '../compaction/index.ts';
import { sessionAnchor, stableCompactionStep, withSettledSummary, type CompactionPlan, type StableStep } from '../compaction/stable-plan.ts';
import { itemText, ITEM_OVERHEAD } from '../compaction/tokens.ts';
import type { PlanStore } from '../state/plan-store.ts';
import { portableConversation, type CompactionPool } from './compaction-pool.ts';

export interface StableCompactionDeps {
  /** Whose plans these are: plans are never shared across tenants. */
  tenant: string;
  plans?: PlanStore;
  pool?: CompactionPool;
  signal?: AbortSignal;
}

/** Below this many bytes a conversation that cannot reach the trigger is counted here, not queued for a worker. */
const SMALL_CONVERSATION_BYTES = 64 * 1024;

/**
 * True when the conversation is certainly under the trigger and small: a token is at least one
 * UTF-8 byte, so its bytes (plus each item's framing) bound its tokens from above.
 */
function smallAndUnderTrigger(conversation: Conversation, options: CompactionOptions): boolean {
  const soft = options.triggerSoftFraction;
  const trigger = Math.floor(options.budgetTokens * (soft !== undefined && Number.isFinite(soft) && soft > 0 ? Math.min(soft, 1) : 1));
  const limit = Math.min(trigger, SMALL_CONVERSATION_BYTES);
  let bound = Buffer.byteLength(conversation.instructions ?? '') + ITEM_OVERHEAD + Buffer.byteLength(JSON.stringify(conversation.tools.map((t) => t.raw ?? t)));
  for (const item of conversation.items) {
    bound += Buffer.byteLength(itemText(item)) + ITEM_OVERHEAD;
    if (bound > limit) return false;
  }
  return bound <= limit;
}

export async function compactStably(conversation: Conversation, options: CompactionOptions, deps: StableCompactionDeps): Promise<CompactionResult> {
  const started = performance.now();
  const planning = planningOptionsOf(options);
  if (smallAndUnderTrigger(conversation, options)) {
    const { planned } = stableCompactionStep(conversation, planning, []);
    return { conversation, report: planned.report };
  }
  const anchor = deps.plans ? sessionAnchor(conversation, planning) : '';
  const recent = deps.plans ? await deps.plans.recent(deps.tenant, anchor).catch(() => []) : [];
  let sent = conversation;
  const step = (plans: CompactionPlan[]): Promise<StableStep> =>
    deps.pool ? deps.pool.run({ conversation: sent, options: planning, plans }, deps.signal) : Promise.resolve(stableCompactionStep(conversation, planning, plans));
  const release = deps.pool ? await loopTurn() : () => {};
  let firstStep: Promise<StableStep>;
  try {
    if (deps.pool) sent = portableConversation(conversation);
    firstStep = step(recent);
  } finally {
    release();
  }
  const first = await firstStep;
  let planned = first.planned;
  if (planned.pending && options.summarizer) {
    planned = settlePendingSummary(planned, await requestSummary(planned.pending.prepared, { summarizer: options.summarizer, cache: options.cache }));
  }
  let reused = first.reused;
  if (first.newPlan && deps.plans) {
    const plan = withSettledSummary(first.newPlan, planned);
    const standing = await deps.plans.remember(deps.tenant, anchor, plan).catch(() => plan);
    if (standing.id !== plan.id) {
      // Another instance recorded its plan for this history first: answer with that one.
      const again = await step([standing]);
      if (again.reused) {
        planned = again.planned;
        reused = true;
      }
    }
  }
  const report = { ...planned.report, plan: reused ? ('reused' as const) : first.newPlan ? ('new' as const) : undefined };
  report.timings = { ...report.timings, total: Math.round((performance.now() - started) * 100) / 100 };
  return { conversation: planned.layout ? applyLayout(conversation, planned.layout) : conversation, report };
}
