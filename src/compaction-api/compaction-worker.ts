// A compaction worker thread: receives a conversation, its planning options and the plans recorded
// for its session, and answers with the stable step (reused plan or a new event's decisions).
// Everything here is synchronous and deterministic; model calls stay on the main thread.
import { parentPort } from 'node:worker_threads';
import { stableCompactionStep, type StableStep } from '../compaction/stable-plan.ts';
import { GatewayError } from '../errors.ts';
import type { CompactionTask } from './compaction-pool.ts';

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
  step?: StableStep;
  error?: SerializedError;
}

function serialize(err: unknown): SerializedError {
  if (err instanceof GatewayError) return { message: err.message, status: err.status, type: err.type, code: err.code, param: err.param, headers: err.headers };
  return { message: err instanceof Error ? err.message : String(err) };
}

parentPort?.on('message', (message: CompactionTask & { id: number }) => {
  let reply: WorkerReply;
  try {
    reply = { id: message.id, step: stableCompactionStep(message.conversation, message.options, message.plans) };
  } catch (err) {
    reply = { id: message.id, error: serialize(err) };
  }
  parentPort?.postMessage(reply);
});
