// The compaction summary cache kept in the store's `summaries` table: a summary computed once, by
// any instance on the same database, is found again by the hash of what it summarized.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { SummaryCache as SummaryCacheStore } from '../compaction/summarizer.ts';

export class StoreSummaryCache implements SummaryCacheStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('summaries').select('text').where('hash', '=', key).executeTakeFirst();
    return row?.text;
  }

  async set(key: string, value: string): Promise<void> {
    await sql`insert into summaries (hash, text, created_at) values (${key}, ${value}, ${new Date().toISOString()}) on conflict (hash) do nothing`.execute(this.db);
  }
}
