// Retention of the usage log: rows older than the configured number of days are deleted in
// batches, and what they charged is first added to `usage_rollup` (per key and model) in the same
// transaction, so quotas still count it. On embedded SQLite the batch runs synchronously on the
// raw handle (the usage log's writer shares that connection); on Postgres in a Kysely transaction.
import type { Kysely } from 'kysely';
import type { DatabaseSync } from 'node:sqlite';
import type { Database, UsageRollupTable, UsageTable } from './schema.ts';
import type { StoreHandle } from './database.ts';
import { chargeOf } from '../access/charge.ts';

const BATCH = 1000;
const DAY_MS = 86_400_000;

type PrunedRow = Pick<UsageTable, 'key_name' | 'channel' | 'model' | 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'summarizer_model' | 'summarizer_input_tokens' | 'summarizer_output_tokens'> & { id: number; summarizer_call: number };

const ROW_COLUMNS = ['id', 'key_name', 'channel', 'model', 'input_tokens', 'output_tokens', 'cached_tokens', 'summarizer_model', 'summarizer_input_tokens', 'summarizer_output_tokens', 'summarizer_call'] as const;
const UPSERT = `insert into usage_rollup (key_name, model, input_tokens, cached_tokens, output_tokens, requests) values (?, ?, ?, ?, ?, ?)
  on conflict (key_name, model) do update set input_tokens = usage_rollup.input_tokens + excluded.input_tokens,
  cached_tokens = usage_rollup.cached_tokens + excluded.cached_tokens, output_tokens = usage_rollup.output_tokens + excluded.output_tokens,
  requests = usage_rollup.requests + excluded.requests`;

/** What a batch of rows charged, summed per key and model (rows without a key charge nobody). */
export function rollupOf(rows: PrunedRow[]): UsageRollupTable[] {
  const totals = new Map<string, UsageRollupTable>();
  for (const row of rows) {
    if (!row.key_name) continue;
    const parts = chargeOf(row);
    parts.forEach((part, i) => {
      const model = part.model ?? '';
      const id = JSON.stringify([row.key_name, model]);
      const entry = totals.get(id) ?? { key_name: row.key_name!, model, input_tokens: 0, cached_tokens: 0, output_tokens: 0, requests: 0 };
      entry.input_tokens += part.inputTokens;
      entry.cached_tokens += part.cachedTokens;
      entry.output_tokens += part.outputTokens;
      if (i === 0) entry.requests += 1;
      totals.set(id, entry);
    });
  }
  return [...totals.values()];
}

function pruneSqliteBatch(sqlite: DatabaseSync, cutoff: string): number {
  const rows = sqlite.prepare(`select ${ROW_COLUMNS.join(', ')} from usage where ts < ? order by id limit ${BATCH}`).all(cutoff) as unknown as PrunedRow[];
  if (rows.length === 0) return 0;
  const upsert = sqlite.prepare(UPSERT);
  const remove = sqlite.prepare('delete from usage where id = ?');
  sqlite.exec('BEGIN');
  try {
    for (const r of rollupOf(rows)) upsert.run(r.key_name, r.model, r.input_tokens, r.cached_tokens, r.output_tokens, r.requests);
    for (const row of rows) remove.run(row.id);
    sqlite.exec('COMMIT');
  } catch (err) {
    sqlite.exec('ROLLBACK');
    throw err;
  }
  return rows.length;
}

async function prunePostgresBatch(db: Kysely<Database>, cutoff: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = (await trx.selectFrom('usage').select([...ROW_COLUMNS]).where('ts', '<', cutoff).orderBy('id').limit(BATCH).forUpdate().skipLocked().execute()) as PrunedRow[];
    if (rows.length === 0) return 0;
    for (const r of rollupOf(rows)) {
      await trx.insertInto('usage_rollup').values(r).onConflict((oc) => oc.columns(['key_name', 'model']).doUpdateSet((eb) => ({
        input_tokens: eb('usage_rollup.input_tokens', '+', eb.ref('excluded.input_tokens')),
        cached_tokens: eb('usage_rollup.cached_tokens', '+', eb.ref('excluded.cached_tokens')),
        output_tokens: eb('usage_rollup.output_tokens', '+', eb.ref('excluded.output_tokens')),
        requests: eb('usage_rollup.requests', '+', eb.ref('excluded.requests')),
      }))).execute();
    }
    await trx.deleteFrom('usage').where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.length;
  });
}

/** Deletes usage rows older than `days` days (their charges rolled up first); returns how many. */
export async function pruneUsage(store: Pick<StoreHandle, 'db' | 'sqlite'>, days: number, now = Date.now()): Promise<number> {
  if (!(days > 0)) return 0;
  const cutoff = new Date(now - days * DAY_MS).toISOString();
  let total = 0;
  for (;;) {
    const pruned = store.sqlite ? pruneSqliteBatch(store.sqlite, cutoff) : await prunePostgresBatch(store.db, cutoff);
    total += pruned;
    if (pruned < BATCH) return total;
    // Let requests run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface UsageRetention {
  /** Prunes now; also runs at start and every hour. */
  prune(): Promise<number>;
  /** Stops the timer and waits for a prune in progress. */
  close(): Promise<void>;
}

export function startUsageRetention(store: Pick<StoreHandle, 'db' | 'sqlite'>, days: number, onError: (err: unknown) => void, onPruned: (rows: number) => void = () => {}): UsageRetention {
  // Prunes run one after another: a call made while one runs gets a fresh pass after it.
  let chain: Promise<unknown> = Promise.resolve();
  const prune = () => {
    const next = chain.then(() => pruneUsage(store, days));
    chain = next.catch(() => undefined);
    return next;
  };
  const tick = () => void prune().then((n) => n > 0 && onPruned(n), onError);
  const timer = days > 0 ? setInterval(tick, 3_600_000) : undefined;
  timer?.unref();
  if (days > 0) tick();
  return {
    prune,
    async close() {
      clearInterval(timer);
      await chain;
    },
  };
}
