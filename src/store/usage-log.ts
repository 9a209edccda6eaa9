// The usage log: one row per request, queued in memory on the hot path and written to the store
// in batches off it; flushed on shutdown so no accepted row is lost.
import type { Insertable, Kysely } from 'kysely';
import type { DatabaseSync } from 'node:sqlite';
import type { Database, UsageTable } from './schema.ts';
import { USAGE_COLUMN_NAMES, USAGE_SELECT, usageRecord, usageValues } from './usage-columns.ts';

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

/** Writes a batch on embedded SQLite with one statement prepared once, in one transaction; columns from usage-columns.ts. */
function sqliteBatchWriter(sqlite: DatabaseSync): (rows: UsageRow[]) => void {
  const insert = sqlite.prepare(`insert into usage (${USAGE_COLUMN_NAMES.join(', ')}) values (${USAGE_COLUMN_NAMES.map(() => '?').join(', ')})`);
  return (rows) => {
    sqlite.exec('BEGIN');
    try {
      for (const row of rows) insert.run(...usageValues(row));
      sqlite.exec('COMMIT');
    } catch (err) {
      sqlite.exec('ROLLBACK');
      throw err;
    }
  };
}

export class UsageLog {
  private readonly db: Kysely<Database>;
  private readonly writeSqlite?: (rows: UsageRow[]) => void;
  private queue: UsageRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly onError: (err: unknown, rows: number) => void;
  private readonly onRefused: (err: unknown, row: UsageRow) => void;

  constructor(db: Kysely<Database>, options: { intervalMs?: number; batchSize?: number; onError?: (err: unknown, rows: number) => void; onRefused?: (err: unknown, row: UsageRow) => void; sqlite?: DatabaseSync } = {}) {
    this.db = db;
    if (options.sqlite) this.writeSqlite = sqliteBatchWriter(options.sqlite);
    this.batchSize = options.batchSize ?? 500;
    this.onError = options.onError ?? (() => {});
    this.onRefused = options.onRefused ?? (() => {});
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
          await this.write(batch);
        } catch (err) {
          // One row the store refuses must not hold back every row behind it: the batch is written row
          // by row; rows refused while others go in are handed to onRefused (logged whole) instead of
          // retried forever. When nothing goes in, the store itself is failing: everything waits.
          const refused = batch.length > 1 ? await this.writeOneByOne(batch) : batch.map((row) => ({ row, err }));
          if (refused.length === batch.length) {
            this.queue.unshift(...batch);
            this.onError(err, batch.length);
            return;
          }
          for (const r of refused) this.onRefused(r.err, r.row);
        }
      }
    });
    return this.flushing;
  }

  private async write(rows: UsageRow[]): Promise<void> {
    if (this.writeSqlite) this.writeSqlite(rows);
    else await this.db.insertInto('usage').values(rows.map(usageRecord)).execute();
  }

  /** Writes each row alone; returns the rows the store refused. */
  private async writeOneByOne(rows: UsageRow[]): Promise<{ row: UsageRow; err: unknown }[]> {
    const refused: { row: UsageRow; err: unknown }[] = [];
    for (const row of rows) {
      try {
        await this.write([row]);
      } catch (err) {
        refused.push({ row, err });
      }
    }
    return refused;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  async query(q: UsageQuery = {}) {
    let query = this.db.selectFrom('usage').select(USAGE_SELECT).orderBy('id', 'desc').limit(Math.min(Math.max(q.limit ?? 20, 1), 10_000));
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

/** Compaction totals per key and group: tokens before and after, saved, and what summaries cost. */
export async function compactionSavings(db: Kysely<Database>, since?: string) {
  let query = db.selectFrom('usage')
    .select(({ fn }) => [
      'key_name',
      'group_name',
      fn.countAll<number>().as('compactions'),
      fn.sum<number>('compaction_tokens_before').as('tokens_before'),
      fn.sum<number>('compaction_tokens_after').as('tokens_after'),
      fn.sum<number>('summarizer_input_tokens').as('summarizer_input_tokens'),
      fn.sum<number>('summarizer_output_tokens').as('summarizer_output_tokens'),
    ])
    .where('compaction_tokens_before', 'is not', null)
    .groupBy(['key_name', 'group_name'])
    .orderBy('key_name');
  if (since) query = query.where('ts', '>=', since);
  const rows = await query.execute();
  return rows.map((r) => {
    const before = Number(r.tokens_before ?? 0);
    const after = Number(r.tokens_after ?? 0);
    return { ...r, compactions: Number(r.compactions), tokens_before: before, tokens_after: after, tokens_saved: before - after, summarizer_input_tokens: Number(r.summarizer_input_tokens ?? 0), summarizer_output_tokens: Number(r.summarizer_output_tokens ?? 0) };
  });
}
