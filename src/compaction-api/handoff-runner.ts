// A handoff (Responses-shape compaction, Codex) as the relay runs it: the ledger and the choice of
// user messages are worked out in the worker pool (in process when there is none), the model
// summary is asked for from here, and the kept messages are the request's own items.
import type { Conversation } from '../conversation/model.ts';
import { handoffResultOf, planHandoff, planningOptionsOf, requestSummary, settleHandoff, type CompactionOptions, type HandoffResult } from '../compaction/index.ts';
import { portableConversation, type CompactionPool } from './compaction-pool.ts';

export async function runHandoffOffLoop(conversation: Conversation, options: CompactionOptions, pool?: CompactionPool, signal?: AbortSignal): Promise<HandoffResult> {
  const started = performance.now();
  const planning = planningOptionsOf(options);
  let planned = pool ? await pool.handoff({ conversation: portableConversation(conversation), options: planning }, signal) : planHandoff(conversation, planning);
  if (planned.pending && options.summarizer) {
    planned = settleHandoff(planned, await requestSummary(planned.pending.prepared, { summarizer: options.summarizer, cache: options.cache }));
  }
  planned.report.timings = { ...planned.report.timings, total: Math.round((performance.now() - started) * 100) / 100 };
  return handoffResultOf(conversation, planned);
}
