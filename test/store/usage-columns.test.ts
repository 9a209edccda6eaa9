// The usage row is defined once (src/store/usage-columns.ts): the migrated table must have exactly
// its columns, with their types, nullability and defaults, and a row recorded through either
// insert path (the prepared SQLite statement, the Kysely insert used on Postgres) must come back
// whole from the query, column by column. A column added to the definition without a migration,
// or to a migration without the definition, fails here instead of being dropped silently.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { USAGE_COLUMN_NAMES, USAGE_COLUMNS, type UsageColumn } from '../../src/store/usage-columns.ts';
import { openStore, type StoreHandle } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { UsageLog, type UsageRow } from '../../src/store/usage-log.ts';
import { AdminStore } from '../../src/store/admin-store.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';

/** Every way the migrated usage table differs from the definition. */
async function tableProblems(db: Kysely<Database>): Promise<string[]> {
  const table = (await db.introspection.getTables()).find((t) => t.name === 'usage');
  if (!table) return ['no usage table'];
  const problems: string[] = [];
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  for (const name of USAGE_COLUMN_NAMES) {
    const spec: { type: string; nullable: boolean; default?: number } = USAGE_COLUMNS[name];
    const column = columns.get(name);
    if (!column) {
      problems.push(`${name}: in the row type, missing from the table (add a migration)`);
      continue;
    }
    const type = /^(integer|int\d?|bigint)$/i.test(column.dataType) ? 'integer' : column.dataType.toLowerCase();
    if (type !== spec.type) problems.push(`${name}: ${spec.type} in the row type, ${column.dataType} in the table`);
    if (column.isNullable !== spec.nullable) problems.push(`${name}: ${spec.nullable ? 'nullable' : 'not null'} in the row type, not so in the table`);
    if (column.hasDefaultValue !== (spec.default !== undefined)) problems.push(`${name}: default ${spec.default ?? 'none'} in the row type, ${column.hasDefaultValue ? 'one' : 'none'} in the table`);
  }
  for (const name of columns.keys()) if (name !== 'id' && !(name in USAGE_COLUMNS)) problems.push(`${name}: in the table, missing from the row type`);
  return problems;
}

/** A row with a distinct value in every column, so a column lost on the way shows. */
function fullRow(requestId: string): UsageRow {
  const row: Record<string, string | number | null> = {};
  USAGE_COLUMN_NAMES.forEach((name, i) => {
    row[name] = USAGE_COLUMNS[name].type === 'text' ? `${name}-${requestId}` : i + 1;
  });
  return { ...row, request_id: requestId, ts: '2026-11-29T10:00:00.000Z', summarizer_call: 1 } as UsageRow;
}

async function roundTrip(store: StoreHandle, sqlitePath: boolean): Promise<void> {
  const log = new UsageLog(store.db, { intervalMs: 60_000, sqlite: sqlitePath ? store.sqlite : undefined });
  const id = `${sqlitePath ? 'prepared' : 'kysely'}-${randomBytes(4).toString('hex')}`;
  const written = fullRow(id);
  const { summarizer_call: _left, ...withoutDefault } = fullRow(`${id}-d`);
  log.record(written);
  log.record(withoutDefault as UsageRow);
  await log.close();
  const [defaulted, read] = (await log.query({ limit: 2 })).filter((r) => r.request_id.startsWith(id));
  for (const name of USAGE_COLUMN_NAMES) assert.equal(read[name as UsageColumn], written[name as keyof UsageRow], `${name} survives the ${sqlitePath ? 'prepared SQLite' : 'Kysely'} insert and the query`);
  assert.equal(defaulted.summarizer_call, 0, 'a column left out takes its default');
  const page = await new AdminStore(store.db).usagePage({}, 2);
  assert.deepEqual(Object.keys(page.data[0]).sort(), ['id', ...USAGE_COLUMN_NAMES].sort(), 'the admin API reads every column');
}

test('the migrated SQLite table has exactly the columns of the row type', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-usage-columns-'));
  const store = await openStore({ dataDir: dir });
  try {
    assert.deepEqual(await tableProblems(store.db), []);
    await roundTrip(store, true);
    await roundTrip(store, false);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the check names a column the table lacks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-usage-columns-'));
  const store = await openStore({ dataDir: dir });
  try {
    await store.db.schema.alterTable('usage').dropColumn('compaction_fallback').execute();
    await store.db.schema.alterTable('usage').addColumn('surprise', 'text').execute();
    assert.deepEqual(await tableProblems(store.db), [
      'compaction_fallback: in the row type, missing from the table (add a migration)',
      'surprise: in the table, missing from the row type',
    ]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const PG_ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgSkip = skipUnless((await reachable(PG_ADMIN, 5432)) ? [] : [`no PostgreSQL at ${PG_ADMIN} (set TEST_PG_ADMIN_URL)`]);

describe('on PostgreSQL', { skip: pgSkip }, () => {
  const database = `relay_usage_columns_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: PG_ADMIN });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  after(() => admin(`drop database if exists ${database}`));

  test('the migrated Postgres table has exactly the columns of the row type, and rows come back whole', async () => {
    await admin(`create database ${database}`);
    const store = await openStore({ dataDir: tmpdir(), databaseUrl: PG_ADMIN.replace(/\/[^/]*$/, `/${database}`) });
    try {
      assert.deepEqual(await tableProblems(store.db), []);
      await roundTrip(store, false);
    } finally {
      await store.close();
    }
  });
});
