// Schema migrations, kept in code and run by Kysely's Migrator at start-up; the same steps serve
// SQLite and Postgres (only the auto-increment column type differs).
import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import { USAGE_COLUMNS, type UsageColumn } from './usage-columns.ts';

export type Dialect = 'sqlite' | 'postgres';

function idColumnType(dialect: Dialect) {
  return dialect === 'postgres' ? 'bigserial' : 'integer';
}

function initialSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('meta').ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('groups').ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('models', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('cli'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('api_keys').ifNotExists()
        .addColumn('id', idColumnType(dialect) as 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createTable('channels').ifNotExists()
        .addColumn('id', idColumnType(dialect) as 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text', (c) => c.notNull())
        .addColumn('api_key', 'text', (c) => c.notNull())
        .addColumn('models', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('cli'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('usage').ifNotExists()
        .addColumn('id', idColumnType(dialect) as 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('key_name', 'text')
        .addColumn('group_name', 'text')
        .addColumn('model', 'text')
        .addColumn('channel', 'text')
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('streamed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cached_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reasoning_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('latency_ms', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ttfb_ms', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('compaction_strategy', 'text')
        .addColumn('compaction_tokens_before', 'integer')
        .addColumn('compaction_tokens_after', 'integer')
        .addColumn('summarizer_model', 'text')
        .addColumn('summarizer_input_tokens', 'integer')
        .addColumn('summarizer_output_tokens', 'integer')
        .execute();
      await db.schema.createIndex('usage_ts').ifNotExists().on('usage').column('ts').execute();
      await db.schema.createIndex('usage_key_ts').ifNotExists().on('usage').columns(['key_name', 'ts']).execute();
      await db.schema.createTable('summaries').ifNotExists()
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into meta (key, value) values ('revision', '1')`.execute(db);
    },
  };
}

/** The admin API's audit log: who changed what, when, from where. */
function adminSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('audit').ifNotExists()
        .addColumn('id', idColumnType(dialect) as 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('remote_addr', 'text')
        .execute();
      await db.schema.createIndex('audit_ts').ifNotExists().on('audit').column('ts').execute();
    },
  };
}

/** Totals of pruned usage rows per key and model, so that quotas count what retention removed. */
function usageRollupSchema(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('usage_rollup').ifNotExists()
        .addColumn('key_name', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('input_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('cached_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', big, (c) => c.notNull().defaultTo(0))
        .addColumn('requests', big, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('usage_rollup_pk', ['key_name', 'model'])
        .execute();
    },
  };
}

/**
 * Adds usage columns as usage-columns.ts defines them (type, not null, default), the same on SQLite
 * and Postgres: a new usage column is one entry there plus one migration calling this.
 */
function addUsageColumns(names: UsageColumn[]): Migration {
  return {
    async up(db: Kysely<any>) {
      for (const name of names) {
        const spec: { type: 'text' | 'integer'; nullable: boolean; default?: number } = USAGE_COLUMNS[name];
        await db.schema.alterTable('usage').addColumn(name, spec.type, (c) => {
          const required = spec.nullable ? c : c.notNull();
          return spec.default === undefined ? required : required.defaultTo(spec.default);
        }).execute();
      }
    },
  };
}

/** Compaction fallbacks made visible: why a summary fell back to the ledger, and the summarizer's own rows. */
const compactionFallbackColumns = () => addUsageColumns(['compaction_fallback', 'summarizer_call']);

/** All migrations, in order; names sort lexically. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return { '0001_initial': initialSchema(dialect), '0002_admin': adminSchema(dialect), '0003_usage_rollup': usageRollupSchema(dialect), '0004_compaction_fallback': compactionFallbackColumns() };
    },
  };
}
