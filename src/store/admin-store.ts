// Store queries behind the admin API: the admin token's hash, the audit log, key group changes,
// and the usage log read for operators (filtered pages with a cursor, time-bucketed aggregates).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AuditTable, Database, UsageTable } from './schema.ts';
import { USAGE_SELECT } from './usage-columns.ts';

const ADMIN_TOKEN_META_KEY = 'admin_token_sha256';

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  target: string;
  details?: Record<string, unknown>;
  remoteAddr?: string | null;
}

export interface AuditRecord {
  id: number;
  ts: string;
  actor: string;
  action: string;
  targetType: string;
  target: string;
  details: Record<string, unknown>;
  remoteAddr: string | null;
}

export interface UsageFilter {
  keyName?: string;
  model?: string;
  channel?: string;
  endpoint?: string;
  /** An exact status, or `ok` (below 400) / `error` (400 and above). */
  status?: number | 'ok' | 'error';
  /** ISO time, inclusive. */
  since?: string;
  /** ISO time, exclusive. */
  until?: string;
  /** Only requests that were compacted. */
  compacted?: boolean;
}

export type UsageRecord = Selectable<UsageTable>;

export interface Page<T> {
  data: T[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  next_cursor: string | null;
}

export type BucketSize = 'minute' | 'hour' | 'day';

export interface UsageBucket {
  start: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  compactions: number;
  tokens_saved: number;
  summarizer_tokens: number;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  compactions: number;
  tokens_saved: number;
  summarizer_tokens: number;
}

export interface UsageSummary {
  since: string;
  until: string;
  bucket: BucketSize;
  series: UsageBucket[];
  totals: UsageTotals & { p50_latency_ms: number | null; p95_latency_ms: number | null };
  by_key: (UsageTotals & { key_name: string | null })[];
  by_model: (UsageTotals & { model: string | null })[];
}

const BUCKET_CHARS: Record<BucketSize, number> = { minute: 16, hour: 13, day: 10 };
const BUCKET_MS: Record<BucketSize, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const BUCKET_PAD: Record<BucketSize, string> = { minute: ':00.000Z', hour: ':00:00.000Z', day: 'T00:00:00.000Z' };
/** Most buckets a summary fills in; wider ranges need a larger bucket. */
export const MAX_BUCKETS = 2000;

const num = (v: unknown) => Number(v ?? 0);

/** The bucket that keeps a range readable on a chart: minutes up to 6 h, hours up to 8 days. */
export function autoBucket(sinceMs: number, untilMs: number): BucketSize {
  const span = untilMs - sinceMs;
  if (span <= 6 * 3_600_000) return 'minute';
  if (span <= 8 * 86_400_000) return 'hour';
  return 'day';
}

/** Percentile of a latency histogram (value → count), nearest-rank. */
export function percentileOf(histogram: Map<number, number>, p: number): number | null {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const value of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(value)!;
    if (seen >= rank) return value;
  }
  return null;
}

export class AdminStore {
  readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  // ---- admin token ----

  /** Stores the hash unless one is already stored; returns the hash in force (ours or a concurrent instance's). */
  async claimAdminTokenHash(hash: string): Promise<string> {
    await this.db.insertInto('meta').values({ key: ADMIN_TOKEN_META_KEY, value: hash })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.readAdminTokenHash())!;
  }

  /** Replaces the stored hash (a rotated token); running servers accept only the new token from then on. */
  async replaceAdminTokenHash(hash: string): Promise<void> {
    await this.db.insertInto('meta').values({ key: ADMIN_TOKEN_META_KEY, value: hash })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: hash }))
      .execute();
  }

  async readAdminTokenHash(): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', ADMIN_TOKEN_META_KEY).executeTakeFirst();
    return row?.value;
  }

  // ---- audit log ----

  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.db.insertInto('audit').values({
      ts: new Date().toISOString(),
      actor: entry.actor,
      action: entry.action,
      target_type: entry.targetType,
      target: entry.target,
      details: JSON.stringify(entry.details ?? {}),
      remote_addr: entry.remoteAddr ?? null,
    }).execute();
  }

  async listAudit(options: { limit: number; cursor?: number; targetType?: string; target?: string }): Promise<Page<AuditRecord>> {
    let query = this.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(options.limit);
    if (options.cursor !== undefined) query = query.where('id', '<', options.cursor);
    if (options.targetType) query = query.where('target_type', '=', options.targetType);
    if (options.target) query = query.where('target', '=', options.target);
    const rows = await query.execute();
    const data = rows.map((r: Selectable<AuditTable>) => ({
      id: Number(r.id),
      ts: r.ts,
      actor: r.actor,
      action: r.action,
      targetType: r.target_type,
      target: r.target,
      details: parseObject(r.details),
      remoteAddr: r.remote_addr,
    }));
    return { data, next_cursor: data.length === options.limit ? String(data[data.length - 1].id) : null };
  }

  // ---- keys ----

  /** Moves a key to another group; false when there is no such key. Bumps the catalog revision. */
  async setKeyGroup(name: string, groupName: string): Promise<boolean> {
    const result = await this.db.updateTable('api_keys').set({ group_name: groupName }).where('name', '=', name).executeTakeFirst();
    await sql`update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'`.execute(this.db);
    return Number(result.numUpdatedRows) > 0;
  }

  // ---- usage ----

  async usagePage(filter: UsageFilter, limit: number, cursor?: number): Promise<Page<UsageRecord>> {
    let query = this.filtered(filter).select(USAGE_SELECT).orderBy('id', 'desc').limit(limit);
    if (cursor !== undefined) query = query.where('id', '<', cursor);
    const rows = (await query.execute()).map((r) => ({ ...r, id: Number(r.id) }));
    return { data: rows, next_cursor: rows.length === limit ? String(rows[rows.length - 1].id) : null };
  }

  async usageSummary(filter: UsageFilter & { since: string; until: string }, bucket: BucketSize): Promise<UsageSummary> {
    const bucketExpr = sql<string>`substr(ts, 1, ${sql.lit(BUCKET_CHARS[bucket])})`;
    const latencyExpr = sql<number>`case when latency_ms < 100 then latency_ms when latency_ms < 1000 then (latency_ms / 10) * 10 when latency_ms < 10000 then (latency_ms / 100) * 100 else (latency_ms / 1000) * 1000 end`;
    const [bucketRows, latencyRows, keyRows, modelRows] = await Promise.all([
      this.totalsQuery(filter).select(bucketExpr.as('bucket')).groupBy(bucketExpr).execute(),
      this.filtered(filter).select([bucketExpr.as('bucket'), latencyExpr.as('latency'), (eb) => eb.fn.countAll<number>().as('n')]).groupBy([bucketExpr, latencyExpr]).execute(),
      this.totalsQuery(filter).select('key_name').groupBy('key_name').orderBy(sql`count(*)`, 'desc').limit(100).execute(),
      this.totalsQuery(filter).select('model').groupBy('model').orderBy(sql`count(*)`, 'desc').limit(100).execute(),
    ]);

    const histograms = new Map<string, Map<number, number>>();
    const overall = new Map<number, number>();
    for (const row of latencyRows) {
      const latency = num(row.latency);
      const n = num(row.n);
      const h = histograms.get(row.bucket) ?? new Map<number, number>();
      h.set(latency, (h.get(latency) ?? 0) + n);
      histograms.set(row.bucket, h);
      overall.set(latency, (overall.get(latency) ?? 0) + n);
    }
    const byBucket = new Map(bucketRows.map((r) => [r.bucket, totalsOf(r)]));
    const series: UsageBucket[] = [];
    const step = BUCKET_MS[bucket];
    const chars = BUCKET_CHARS[bucket];
    const first = Date.parse(new Date(filter.since).toISOString().slice(0, chars) + BUCKET_PAD[bucket]);
    const end = Date.parse(filter.until);
    for (let t = first; t < end && series.length < MAX_BUCKETS; t += step) {
      const key = new Date(t).toISOString().slice(0, chars);
      const totals = byBucket.get(key) ?? totalsOf({});
      const h = histograms.get(key) ?? new Map<number, number>();
      series.push({ start: key + BUCKET_PAD[bucket], ...totals, p50_latency_ms: percentileOf(h, 0.5), p95_latency_ms: percentileOf(h, 0.95) });
    }
    const totals = totalsOf({});
    for (const t of byBucket.values()) for (const k of Object.keys(totals) as (keyof UsageTotals)[]) totals[k] += t[k];
    return {
      since: filter.since,
      until: filter.until,
      bucket,
      series,
      totals: { ...totals, p50_latency_ms: percentileOf(overall, 0.5), p95_latency_ms: percentileOf(overall, 0.95) },
      by_key: keyRows.map((r) => ({ key_name: r.key_name, ...totalsOf(r) })),
      by_model: modelRows.map((r) => ({ model: r.model, ...totalsOf(r) })),
    };
  }

  private filtered(filter: UsageFilter) {
    let query = this.db.selectFrom('usage');
    if (filter.keyName) query = query.where('key_name', '=', filter.keyName);
    if (filter.model) query = query.where('model', '=', filter.model);
    if (filter.channel) query = query.where('channel', '=', filter.channel);
    if (filter.endpoint) query = query.where('endpoint', '=', filter.endpoint);
    if (filter.status === 'ok') query = query.where('status', '<', 400);
    else if (filter.status === 'error') query = query.where('status', '>=', 400);
    else if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.since) query = query.where('ts', '>=', filter.since);
    if (filter.until) query = query.where('ts', '<', filter.until);
    if (filter.compacted) query = query.where('compaction_tokens_before', 'is not', null);
    return query;
  }

  /** Summarizer calls are left out of totals: their tokens are already on the compacted request's row. */
  private totalsQuery(filter: UsageFilter) {
    return this.filtered(filter).where('summarizer_call', '=', 0).select([
      sql<number>`count(*)`.as('requests'),
      sql<number>`sum(case when status >= 400 then 1 else 0 end)`.as('errors'),
      sql<number>`sum(input_tokens)`.as('input_tokens'),
      sql<number>`sum(output_tokens)`.as('output_tokens'),
      sql<number>`sum(cached_tokens)`.as('cached_tokens'),
      sql<number>`sum(case when compaction_tokens_before is not null then 1 else 0 end)`.as('compactions'),
      sql<number>`sum(coalesce(compaction_tokens_before, 0) - coalesce(compaction_tokens_after, compaction_tokens_before, 0))`.as('tokens_saved'),
      sql<number>`sum(coalesce(summarizer_input_tokens, 0) + coalesce(summarizer_output_tokens, 0))`.as('summarizer_tokens'),
    ]);
  }
}

function totalsOf(row: Partial<Record<keyof UsageTotals, unknown>>): UsageTotals {
  return {
    requests: num(row.requests),
    errors: num(row.errors),
    input_tokens: num(row.input_tokens),
    output_tokens: num(row.output_tokens),
    cached_tokens: num(row.cached_tokens),
    compactions: num(row.compactions),
    tokens_saved: num(row.tokens_saved),
    summarizer_tokens: num(row.summarizer_tokens),
  };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}
