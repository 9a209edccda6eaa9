// The messages between the compaction pool and its worker threads: the task sent, the reply
// (a result, or an error flattened so it survives the copy between threads).
import type { Conversation } from '../conversation/model.ts';
import type { PlanningOptions } from '../compaction/engine.ts';
import type { PlannedHandoff } from '../compaction/handoff.ts';
import type { CompactionPlan, StableStep } from '../compaction/stable-plan.ts';

export interface CompactionTask {
  conversation: Conversation;
  options: PlanningOptions;
  plans: CompactionPlan[];
}

export interface HandoffTask {
  conversation: Conversation;
  options: PlanningOptions;
}

/** What a worker is asked: a compaction against recorded plans, or a handoff. */
export type WorkerTask = ({ kind: 'compact' } & CompactionTask) | ({ kind: 'handoff' } & HandoffTask);

export interface SerializedError {
  message: string;
  status?: number;
  type?: string;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

export interface WorkerReply {
  id: number;
  result?: StableStep | PlannedHandoff;
  error?: SerializedError;
}
