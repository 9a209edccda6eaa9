// A compaction worker thread: receives a conversation, its planning options and the plans recorded
// for its session, and answers with the stable step (reused plan or a new event's decisions), or
// plans a handoff. Everything here is synchronous and deterministic; model calls stay on the main thread.
// The thread runs below normal priority: when cores are short, the event loop answering other
// requests gets the CPU first, and compaction takes what is left.
import { parentPort } from 'node:worker_threads';
import { constants, setPriority } from 'node:os';
import { stableCompactionStep } from '../compaction/stable-plan.ts';
import { planHandoff } from '../compaction/handoff.ts';
import { GatewayError } from '../errors.ts';
import type { SerializedError, WorkerReply, WorkerTask } from './worker-messages.ts';

function serialize(err: unknown): SerializedError {
  if (err instanceof GatewayError) return { message: err.message, status: err.status, type: err.type, code: err.code, param: err.param, headers: err.headers };
  return { message: err instanceof Error ? err.message : String(err) };
}

try {
  // On Linux a thread's priority is its own: pid 0 here is this worker thread, not the process.
  setPriority(0, constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted on this system: compaction runs at normal priority.
}

parentPort?.on('message', (message: WorkerTask & { id: number }) => {
  let reply: WorkerReply;
  try {
    const result = message.kind === 'handoff' ? planHandoff(message.conversation, message.options) : stableCompactionStep(message.conversation, message.options, message.plans);
    reply = { id: message.id, result };
  } catch (err) {
    reply = { id: message.id, error: serialize(err) };
  }
  parentPort?.postMessage(reply);
});
