// The usage log: one row per request, queued in memory on the hot path and written to the store
// in batches off it; flushed on shutdown so no accepted row is lost.
import type { Insertable, Kysely } from 'kysely';
import type { Database, UsageTable } from './schema.ts';

export type UsageRow = Insertable<UsageTable>;

export interface UsageQuery {
  limit?: number;
  keyName?: string;
  model?: string;
  channel?: string;
  status?: number;
  since?: string;
  until?: string;
  beforeId?: number;
}

export class UsageLog {
  private readonly db: Kysely<Database>;
  private queue: UsageRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly onError: (err: unknown, rows: number) => void;

  constructor(db: Kysely<Database>, options: { intervalMs?: number; batchSize?: number; onError?: (err: unknown, rows: number) => void } = {}) {
    this.db = db;
    this.batchSize = options.batchSize ?? 500;
    this.onError = options.onError ?? (() => {});
    this.timer = setInterval(() => void this.flush(), options.intervalMs ?? 250);
    this.timer.unref();
  }

  /** Queues a row; never blocks the request. */
  record(row: UsageRow): void {
    this.queue.push(row);
    if (this.queue.length >= this.batchSize) void this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued so far; concurrent calls are serialised. Failed rows are re-queued. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchSize);
        try {
          await this.db.insertInto('usage').values(batch).execute();
        } catch (err) {
          this.queue.unshift(...batch);
          this.onError(err, batch.length);
          return;
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  async query(q: UsageQuery = {}) {
    let query = this.db.selectFrom('usage').selectAll().orderBy('id', 'desc').limit(Math.min(Math.max(q.limit ?? 20, 1), 10_000));
    if (q.keyName) query = query.where('key_name', '=', q.keyName);
    if (q.model) query = query.where('model', '=', q.model);
    if (q.channel) query = query.where('channel', '=', q.channel);
    if (q.status !== undefined) query = query.where('status', '=', q.status);
    if (q.since) query = query.where('ts', '>=', q.since);
    if (q.until) query = query.where('ts', '<', q.until);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return query.execute();
  }
}
