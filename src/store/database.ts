// Opens the relay's store: embedded SQLite in the data dir by default (directory 0700, files
// 0600), Postgres when a DATABASE_URL is given; runs migrations and exposes one Kysely instance for both.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { DatabaseSync } from 'node:sqlite';
import { openNodeSqlite } from './node-sqlite-adapter.ts';
import { migrationProvider, type Dialect } from './migrations.ts';
import type { Database } from './schema.ts';

export interface StoreHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for logs (never includes a password). */
  location: string;
  /** The embedded database itself (SQLite only), for statements prepared once and reused. */
  sqlite?: DatabaseSync;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Refuse to create a store: the SQLite file, or the relay's tables in PostgreSQL, must exist already. */
  mustExist?: boolean;
}

/** Thrown by openStore with `mustExist` when there is no relay store at `location`. */
export class StoreMissingError extends Error {
  readonly location: string;

  constructor(location: string) {
    super(`No relay store at ${location}.`);
    this.name = 'StoreMissingError';
    this.location = location;
  }
}

/** Strips the password from a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}

/**
 * The database holds sealed keys, the sealing secret and every tenant's usage: it (and its WAL
 * files, which SQLite creates with the database's mode) is readable by its owner alone.
 */
function createOwnerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

export async function openStore(options: OpenStoreOptions): Promise<StoreHandle> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  let location: string;
  let sqlite: DatabaseSync | undefined;
  if (options.databaseUrl) {
    dialect = 'postgres';
    location = redactUrl(options.databaseUrl);
    // Loaded only when PostgreSQL is used: the embedded default never pays for the driver.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server ends (a restart, a failover, an administrator) is dropped from the
    // pool and replaced on next use; unhandled, its error event would end the process.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`, 'StoreConnectionWarning'));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    if (options.mustExist) {
      const { rows } = await sql<{ found: string | null }>`select to_regclass('meta')::text as found`.execute(db);
      if (!rows[0]?.found) {
        await db.destroy();
        throw new StoreMissingError(location);
      }
    }
  } else {
    dialect = 'sqlite';
    location = join(options.dataDir, 'relay.db');
    if (options.mustExist && !existsSync(location)) throw new StoreMissingError(location);
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    createOwnerOnly(location);
    const opened = openNodeSqlite(location);
    sqlite = opened.database;
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: opened.adapter }) });
  }
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`Store migration failed (${location}): ${error instanceof Error ? error.message : String(error)}`);
  }
  return { db, dialect, location, sqlite, close: () => db.destroy() };
}
