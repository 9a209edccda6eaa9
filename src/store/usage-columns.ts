// The usage row defined once: every column of the usage table with its SQL type, whether it may be
// null, its default and what it means. The table's type (schema.ts), both inserts (the prepared
// SQLite statement and the Kysely insert used on Postgres, usage-log.ts), the select list of both
// queries (the CLI's and the admin API's) and the admin API's row schema follow from it; a test
// checks the migrated table against it, so a column added here without a migration fails there.
import type { Generated, Insertable } from 'kysely';

interface ColumnSpec {
  type: 'text' | 'integer';
  nullable: boolean;
  /** The SQL default, used too when an insert leaves the column out. */
  default?: number;
  /** A writer may leave it out (Kysely's Generated): the default applies. */
  optionalOnInsert?: boolean;
  description?: string;
}

const text = { type: 'text', nullable: false } as const;
const textOrNull = { type: 'text', nullable: true } as const;
const count = { type: 'integer', nullable: false, default: 0 } as const;
const integer = { type: 'integer', nullable: false } as const;
const integerOrNull = { type: 'integer', nullable: true } as const;

/** Every column but the generated `id`, in table order. */
export const USAGE_COLUMNS = {
  ts: text,
  request_id: text,
  key_name: textOrNull,
  group_name: textOrNull,
  model: textOrNull,
  channel: textOrNull,
  endpoint: text,
  status: integer,
  streamed: count,
  input_tokens: count,
  output_tokens: count,
  cached_tokens: count,
  reasoning_tokens: count,
  latency_ms: count,
  ttfb_ms: integerOrNull,
  error_code: textOrNull,
  compaction_strategy: textOrNull,
  compaction_tokens_before: integerOrNull,
  compaction_tokens_after: integerOrNull,
  summarizer_model: textOrNull,
  summarizer_input_tokens: integerOrNull,
  summarizer_output_tokens: integerOrNull,
  compaction_fallback: {
    ...textOrNull,
    description: 'why a model summary fell back to the ledger: upstream_error, upstream_timeout, summarizer_unavailable, rate_limited, rejected',
  },
  summarizer_call: {
    ...count,
    optionalOnInsert: true,
    description: '1 on the row of the compaction summarizer\'s own upstream call (same request_id as the compacted request)',
  },
} as const satisfies Record<string, ColumnSpec>;

type Columns = typeof USAGE_COLUMNS;
export type UsageColumn = keyof Columns;

type ValueOf<C extends ColumnSpec> = (C['type'] extends 'text' ? string : number) | (C['nullable'] extends true ? null : never);

/** The usage table's row type, as Kysely sees it. */
export type UsageTable = { id: Generated<number> } & {
  [K in UsageColumn]: Columns[K] extends { optionalOnInsert: true } ? Generated<ValueOf<Columns[K]>> : ValueOf<Columns[K]>;
};

export const USAGE_COLUMN_NAMES = Object.keys(USAGE_COLUMNS) as UsageColumn[];

/** What a query reads: the id, then every column. */
export const USAGE_SELECT = ['id', ...USAGE_COLUMN_NAMES] as const;

/** One row's values in column order, a column left out taking its default (or null). */
export function usageValues(row: Partial<Record<UsageColumn, string | number | null>>): (string | number | null)[] {
  return USAGE_COLUMN_NAMES.map((name) => {
    const spec: ColumnSpec = USAGE_COLUMNS[name];
    return row[name] ?? spec.default ?? null;
  });
}

/** One row with exactly the table's columns, every one set: what the Kysely insert writes. */
export function usageRecord(row: Partial<Record<UsageColumn, string | number | null>>): Insertable<UsageTable> {
  const values = usageValues(row);
  return Object.fromEntries(USAGE_COLUMN_NAMES.map((name, i) => [name, values[i]])) as Insertable<UsageTable>;
}
