// Table types of the relay's store, shared by SQLite and Postgres: the one source of truth for
// column names and value types used by every query.
import type { Generated } from 'kysely';
import type { UsageTable } from './usage-columns.ts';

export interface MetaTable {
  key: string;
  value: string;
}

export interface GroupTable {
  name: string;
  /** JSON array of model names; ["*"] allows every model. */
  models: string;
  /** JSON object of group options (limits, compaction policy); "{}" when none. */
  options: string;
  source: string;
  created_at: string;
}

export interface ApiKeyTable {
  id: Generated<number>;
  name: string;
  /** sha256 of the secret, hex. The secret itself is never stored. */
  key_hash: string;
  /** The first characters of the secret, to recognise a key in listings. */
  key_prefix: string;
  group_name: string;
  /** JSON object of key options (limits, quota); "{}" when none. */
  options: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ChannelTable {
  id: Generated<number>;
  name: string;
  type: string;
  base_url: string;
  api_key: string;
  /** JSON array of model names this channel serves. */
  models: string;
  priority: number;
  weight: number;
  enabled: number;
  /** JSON object of channel options (aliases, context window, native compaction, timeout). */
  options: string;
  source: string;
  created_at: string;
}

/** The usage table: its columns are defined once, in usage-columns.ts. */
export type { UsageTable } from './usage-columns.ts';

/** What pruned usage rows charged, per key and model, so that quotas survive the usage log's retention. */
export interface UsageRollupTable {
  key_name: string;
  /** The model the tokens were charged at ('' when the rows had none). */
  model: string;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  requests: number;
}

export interface SummaryTable {
  hash: string;
  text: string;
  created_at: string;
}

export interface AuditTable {
  id: Generated<number>;
  ts: string;
  /** Who made the change: the admin token's id (a prefix of its hash). */
  actor: string;
  /** What was done, as `resource.verb` (key.create, channel.disable, ...). */
  action: string;
  target_type: string;
  target: string;
  /** JSON object of what changed; secrets are never written here. */
  details: string;
  remote_addr: string | null;
}

export interface Database {
  meta: MetaTable;
  groups: GroupTable;
  api_keys: ApiKeyTable;
  channels: ChannelTable;
  usage: UsageTable;
  usage_rollup: UsageRollupTable;
  summaries: SummaryTable;
  audit: AuditTable;
}
