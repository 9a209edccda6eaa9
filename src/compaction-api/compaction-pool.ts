// Compaction off the event loop: a pool of worker threads (one per spare core by default) that
// plan compactions and handoffs, with a bounded queue in front. When the queue is full the request is turned
// away at once with an OpenAI-shaped 503 and a Retry-After estimated from recent task times.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { GatewayError } from '../errors.ts';
import type { Conversation, Item } from '../conversation/model.ts';
import type { PlannedHandoff } from '../compaction/handoff.ts';
import type { StableStep } from '../compaction/stable-plan.ts';
import type { CompactionTask, HandoffTask, SerializedError, WorkerReply, WorkerTask } from './worker-messages.ts';

export type { CompactionTask, HandoffTask, WorkerTask } from './worker-messages.ts';

/** The conversation without the wire objects its items were decoded from: a worker does not need them, and copying them costs the event loop. */
export function portableConversation(conversation: Conversation): Conversation {
  const items = conversation.items.map((item): Item => {
    if (item.kind === 'opaque' || item.raw === undefined) return item;
    const { raw: _raw, rawFormat: _format, ...rest } = item;
    return rest as Item;
  });
  return { ...conversation, items };
}

export interface CompactionPoolOptions {
  /** Worker threads (default: the machine's available parallelism minus one, at least one). */
  size?: number;
  /** Tasks that may wait for a worker; more are refused (default: four per worker, at least 8). */
  queueLimit?: number;
  /** A worker idle this long is stopped, giving its memory back (default 60 s). */
  idleTimeoutMs?: number;
}

interface Job {
  id: number;
  task: WorkerTask;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  startedAt?: number;
}

const WORKER_URL = new URL('./compaction-worker.ts', import.meta.url);

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

function rebuildError(error: SerializedError): Error {
  if (error.status !== undefined) return new GatewayError(error.status, error.type ?? 'server_error', error.code ?? null, error.message, { param: error.param ?? null, headers: error.headers });
  return new Error(error.message);
}

export class CompactionPool {
  readonly size: number;
  readonly queueLimit: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private readonly idleTimeoutMs: number;
  private nextId = 1;
  private closed = false;
  /** Smoothed duration of recent tasks, for Retry-After. */
  private meanTaskMs = 1000;

  constructor(options: CompactionPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    this.queueLimit = Math.max(0, Math.floor(options.queueLimit ?? Math.max(8, this.size * 4)));
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** Worker threads currently started. */
  get workers(): number {
    return this.workerCount();
  }

  /** Tasks running and waiting. */
  get load(): { running: number; queued: number } {
    return { running: this.busy.size, queued: this.queue.length };
  }

  /** Plans one compaction in a worker. Refused with 503 and Retry-After when the queue is full. */
  run(task: CompactionTask, signal?: AbortSignal): Promise<StableStep> {
    return this.submit({ kind: 'compact', ...task }, signal) as Promise<StableStep>;
  }

  /** Plans one handoff (ledger, kept user messages, the model's prompt) in a worker. */
  handoff(task: HandoffTask, signal?: AbortSignal): Promise<PlannedHandoff> {
    return this.submit({ kind: 'handoff', ...task }, signal) as Promise<PlannedHandoff>;
  }

  private submit(task: WorkerTask, signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new GatewayError(503, 'server_error', 'compaction_unavailable', 'The relay is shutting down.'));
    signal?.throwIfAborted();
    const canStart = this.idle.length > 0 || this.workerCount() < this.size;
    if (!canStart && this.queue.length >= this.queueLimit) return Promise.reject(this.overloaded());
    return new Promise<unknown>((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, resolve, reject, signal };
      if (signal) {
        job.onAbort = () => {
          const at = this.queue.indexOf(job);
          if (at === -1) return;
          this.queue.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    for (const job of this.queue.splice(0)) job.reject(new GatewayError(503, 'server_error', 'compaction_unavailable', 'The relay is shutting down.'));
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private overloaded(): GatewayError {
    const waiting = this.queue.length + this.busy.size;
    const seconds = Math.max(1, Math.ceil((waiting * this.meanTaskMs) / this.size / 1000));
    return new GatewayError(503, 'server_error', 'compaction_overloaded', `The relay is compacting ${waiting} other conversations; try again in ${seconds} s.`, { headers: { 'retry-after': String(seconds) } });
  }

  private workerCount(): number {
    return this.idle.length + this.busy.size;
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL);
    worker.on('message', (reply: WorkerReply) => this.settle(worker, reply));
    worker.on('error', (err) => this.fail(worker, err));
    worker.on('exit', (code) => this.fail(worker, new Error(`compaction worker exited with code ${code}`)));
    return worker;
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.idle.pop() ?? (this.workerCount() < this.size ? this.spawn() : undefined);
      if (!worker) return;
      clearTimeout(this.idleTimers.get(worker));
      this.idleTimers.delete(worker);
      const job = this.queue.shift() as Job;
      if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      job.startedAt = performance.now();
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage({ id: job.id, ...job.task });
    }
  }

  private settle(worker: Worker, reply: WorkerReply): void {
    const job = this.busy.get(worker);
    if (!job || job.id !== reply.id) return;
    this.busy.delete(worker);
    this.meanTaskMs = this.meanTaskMs * 0.8 + (performance.now() - (job.startedAt ?? 0)) * 0.2;
    worker.unref();
    this.idle.push(worker);
    this.idleTimers.set(worker, setTimeout(() => this.retire(worker), this.idleTimeoutMs).unref());
    if (reply.error) job.reject(rebuildError(reply.error));
    else job.resolve(reply.result);
    this.pump();
  }

  /** Stops a worker that stayed idle. */
  private retire(worker: Worker): void {
    this.idleTimers.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at === -1) return;
    this.idle.splice(at, 1);
    void worker.terminate();
  }

  private fail(worker: Worker, err: Error): void {
    clearTimeout(this.idleTimers.get(worker));
    this.idleTimers.delete(worker);
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at !== -1) this.idle.splice(at, 1);
    if (job) job.reject(new GatewayError(500, 'server_error', 'compaction_failed', 'The compaction worker stopped unexpectedly.', { cause: err }));
    if (!this.closed) this.pump();
  }
}
