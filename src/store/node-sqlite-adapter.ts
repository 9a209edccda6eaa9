// Adapts Node's built-in `node:sqlite` database to the interface Kysely's SqliteDialect drives,
// so the embedded store needs no native add-on.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Bindable = null | number | bigint | string | Uint8Array;

/** node:sqlite binds only null, numbers, bigints, strings and bytes: map the rest. */
function toBindable(value: unknown): Bindable {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

function adaptStatement(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  const bind = (parameters: ReadonlyArray<unknown>) => parameters.map(toBindable);
  return {
    reader,
    all: (parameters) => statement.all(...bind(parameters)),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => statement.iterate(...bind(parameters)),
  };
}

/**
 * Opens (creating if needed) a SQLite file in WAL mode with a busy timeout: the adapter for
 * Kysely, and the database itself for the few hot statements that are prepared once and reused.
 */
export function openNodeSqlite(path: string): { adapter: SqliteDatabase; database: DatabaseSync } {
  const database = new DatabaseSync(path, { timeout: 5000 });
  database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  return {
    database,
    adapter: {
      close: () => database.close(),
      prepare: (sql) => adaptStatement(database.prepare(sql)),
    },
  };
}
