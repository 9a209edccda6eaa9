// The server secret that seals compaction items and the stored upstream keys: from
// COMPACT_RELAY_SECRET when set (kept apart from the database), otherwise generated once and kept
// in the store (so every instance on one Postgres, and the command line, share it).
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function loadServerSecret(db: Kysely<Database>, fromEnv: string | undefined): Promise<string> {
  if (fromEnv && fromEnv.length >= 16) return fromEnv;
  if (fromEnv) throw new Error('COMPACT_RELAY_SECRET must be at least 16 characters long.');
  const candidate = randomBytes(32).toString('base64url');
  await sql`insert into meta (key, value) values ('seal_secret', ${candidate}) on conflict (key) do nothing`.execute(db);
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'seal_secret').executeTakeFirstOrThrow();
  return row.value;
}
