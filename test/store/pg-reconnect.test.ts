// A PostgreSQL store survives the server ending its idle connections (a restart, a failover, an
// administrator): the process does not die on the pool's error event, and the next query works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { openStore, type StoreHandle } from '../../src/store/database.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';

const PG_ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const skip = skipUnless((await reachable(PG_ADMIN, 5432)) ? [] : [`no PostgreSQL at ${PG_ADMIN} (set TEST_PG_ADMIN_URL)`]);

describe('PostgreSQL store when the server ends its connections', { skip }, () => {
  const database = `relay_reconnect_${randomBytes(4).toString('hex')}`;
  let store: StoreHandle;
  const admin = () => new pg.Client({ connectionString: PG_ADMIN });

  before(async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database ${database}`);
    await client.end();
    store = await openStore({ dataDir: '/nonexistent', databaseUrl: PG_ADMIN.replace(/\/[^/]*$/, `/${database}`) });
  });

  after(async () => {
    await store?.close();
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists ${database} with (force)`);
    await client.end();
  });

  test('idle connections terminated by the server are replaced; the process lives on', async () => {
    await sql`select 1`.execute(store.db);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const client = admin();
    await client.connect();
    const { rowCount } = await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    await client.end();
    assert.ok((rowCount ?? 0) >= 1, 'the store had a connection to end');
    await new Promise((r) => setTimeout(r, 200));
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(store.db);
    process.off('warning', onWarning);
    assert.equal(rows[0].one, 1);
    assert.ok(warnings.some((w) => /closed an idle connection/.test(w)), 'the lost connection is reported as a warning');
  });
});
