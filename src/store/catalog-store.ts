// Reads and writes the catalog (groups, API keys, channels) in the store. Every write bumps the
// catalog revision, which running servers poll to pick up changes within a second. Channel keys
// are stored sealed (SecretBox) and handed out in plain text only in memory. Options are checked
// against the catalog schemas on every write and every read (option-codec.ts).
import { sql, type Kysely } from 'kysely';
import { displayPrefix, generateKeySecret, hashKeySecret } from '../access/key-secret.ts';
import {
  channelOptionsSchema, channelTypeSchema, groupOptionsSchema, keyOptionsSchema,
  type ChannelOptions, type ChannelType, type GroupOptions, type KeyOptions,
} from '../access/catalog-schema.ts';
import type { Database } from './schema.ts';
import { SecretBox } from './secret-box.ts';
import { CatalogOptionsError, decodeOptions, encodeOptions } from './option-codec.ts';

export { CHANNEL_TYPES, type ChannelOptions, type ChannelType, type GroupOptions, type KeyOptions } from '../access/catalog-schema.ts';

export interface ChannelRecord {
  id: number;
  name: string;
  type: ChannelType;
  baseUrl: string;
  /** The upstream key in plain text (stored sealed when the store has a SecretBox). */
  apiKey: string;
  /** Set when the stored key was sealed under another server secret and cannot be read. */
  apiKeyUnreadable?: boolean;
  models: string[];
  priority: number;
  weight: number;
  enabled: boolean;
  options: ChannelOptions;
  source: string;
}

/** The fields of a channel that an update may replace; what it leaves undefined is kept. */
export type ChannelPatch = Partial<Pick<ChannelRecord, 'type' | 'baseUrl' | 'apiKey' | 'models' | 'priority' | 'weight' | 'enabled'>>;

/** A stored channel with what the patch gives replaced and `options` as merged by the caller; name and source kept. */
export function patchedChannel(channel: ChannelRecord, patch: ChannelPatch, options: ChannelOptions): Omit<ChannelRecord, 'id'> {
  return {
    name: channel.name,
    type: patch.type ?? channel.type,
    baseUrl: patch.baseUrl ?? channel.baseUrl,
    apiKey: patch.apiKey ?? channel.apiKey,
    models: patch.models ?? channel.models,
    priority: patch.priority ?? channel.priority,
    weight: patch.weight ?? channel.weight,
    enabled: patch.enabled ?? channel.enabled,
    options,
    source: channel.source,
  };
}

export interface GroupRecord {
  name: string;
  models: string[];
  options: GroupOptions;
  source: string;
}

export interface KeyRecord {
  id: number;
  name: string;
  keyHash: string;
  keyPrefix: string;
  groupName: string;
  options: KeyOptions;
  createdAt: string;
  revokedAt: string | null;
}

export interface CatalogSnapshot {
  revision: string;
  groups: GroupRecord[];
  keys: KeyRecord[];
  channels: ChannelRecord[];
}

const now = () => new Date().toISOString();
const parseJson = <T>(text: string, fallback: T): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/** Where a stored option that no longer fits its schema is reported by default. */
const warnStoredOption = (problem: string) => process.emitWarning(problem, { code: 'COMPACT_RELAY_STORED_OPTION' });

export class CatalogStore {
  readonly db: Kysely<Database>;
  private readonly box: SecretBox | undefined;
  private readonly report: (problem: string) => void;

  /**
   * With a `box`, channel keys are written sealed; without one (tools, tests), in plain text.
   * `onStoredOptionProblem` hears of stored options left out on read (default: a process warning).
   */
  constructor(db: Kysely<Database>, box?: SecretBox, onStoredOptionProblem: (problem: string) => void = warnStoredOption) {
    this.db = db;
    this.box = box;
    this.report = onStoredOptionProblem;
  }

  /** Seals channel keys still stored in plain text (written before sealing existed, or by a tool); returns how many. */
  async sealPlainKeys(): Promise<number> {
    if (!this.box) return 0;
    const rows = await this.db.selectFrom('channels').select(['id', 'api_key']).where('api_key', '!=', '').execute();
    let sealed = 0;
    for (const row of rows) {
      if (SecretBox.isSealed(row.api_key)) continue;
      await this.db.updateTable('channels').set({ api_key: this.box.seal(row.api_key) }).where('id', '=', row.id).execute();
      sealed++;
    }
    return sealed;
  }

  async readRevision(): Promise<string> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', 'revision').executeTakeFirst();
    return row?.value ?? '0';
  }

  private async bumpRevision(): Promise<void> {
    await sql`update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'`.execute(this.db);
  }

  // ---- groups ----

  async upsertGroup(name: string, models: string[], options: GroupOptions = {}, source = 'cli'): Promise<void> {
    const values = { name, models: JSON.stringify(models), options: encodeOptions(groupOptionsSchema, options, `group "${name}"`), source, created_at: now() };
    await this.db.insertInto('groups').values(values)
      .onConflict((oc) => oc.column('name').doUpdateSet({ models: values.models, options: values.options, source }))
      .execute();
    await this.bumpRevision();
  }

  async removeGroup(name: string): Promise<boolean> {
    const inUse = await this.db.selectFrom('api_keys').select('name').where('group_name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
    if (inUse) throw new Error(`Group "${name}" still has active keys (for example "${inUse.name}"); revoke them first.`);
    const result = await this.db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
    await this.bumpRevision();
    return Number(result.numDeletedRows) > 0;
  }

  async updateGroupOptions(name: string, options: GroupOptions): Promise<boolean> {
    const result = await this.db.updateTable('groups').set({ options: encodeOptions(groupOptionsSchema, options, `group "${name}"`) }).where('name', '=', name).executeTakeFirst();
    await this.bumpRevision();
    return Number(result.numUpdatedRows) > 0;
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = await this.db.selectFrom('groups').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, models: parseJson(r.models, []), options: decodeOptions(groupOptionsSchema, r.options, `group "${r.name}"`, this.report), source: r.source }));
  }

  // ---- keys ----

  /** Creates a key and returns its secret: the only time the secret exists outside the client. */
  async createKey(name: string, groupName: string, options: KeyOptions = {}): Promise<{ secret: string; record: KeyRecord }> {
    const encoded = encodeOptions(keyOptionsSchema, options, `key "${name}"`);
    const group = await this.db.selectFrom('groups').select('name').where('name', '=', groupName).executeTakeFirst();
    if (!group) throw new Error(`Group "${groupName}" does not exist; create it with "compact-relay groups add --name ${groupName} --models ...".`);
    const existing = await this.db.selectFrom('api_keys').select('name').where('name', '=', name).executeTakeFirst();
    if (existing) throw new Error(`A key named "${name}" already exists.`);
    const secret = generateKeySecret();
    const values = {
      name,
      key_hash: hashKeySecret(secret),
      key_prefix: displayPrefix(secret),
      group_name: groupName,
      options: encoded,
      created_at: now(),
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(values).execute();
    await this.bumpRevision();
    const record = (await this.listKeys()).find((k) => k.name === name)!;
    return { secret, record };
  }

  async revokeKey(name: string): Promise<boolean> {
    const result = await this.db.updateTable('api_keys').set({ revoked_at: now() })
      .where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
    await this.bumpRevision();
    return Number(result.numUpdatedRows) > 0;
  }

  async updateKeyOptions(name: string, options: KeyOptions): Promise<boolean> {
    const result = await this.db.updateTable('api_keys').set({ options: encodeOptions(keyOptionsSchema, options, `key "${name}"`) }).where('name', '=', name).executeTakeFirst();
    await this.bumpRevision();
    return Number(result.numUpdatedRows) > 0;
  }

  async listKeys(): Promise<KeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      keyHash: r.key_hash,
      keyPrefix: r.key_prefix,
      groupName: r.group_name,
      options: decodeOptions(keyOptionsSchema, r.options, `key "${r.name}"`, this.report),
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  // ---- channels ----

  /** Inserts or replaces a channel. With `keepStoredKey`, an existing channel keeps the upstream key stored for it (readable or not). */
  async upsertChannel(channel: Omit<ChannelRecord, 'id'>, options: { keepStoredKey?: boolean } = {}): Promise<void> {
    const owner = `channel "${channel.name}"`;
    const type = channelTypeSchema.safeParse(channel.type);
    if (!type.success) throw new CatalogOptionsError(`Invalid type for ${owner}: "${channel.type}" (known: ${channelTypeSchema.options.join(', ')})`);
    const values = {
      name: channel.name,
      type: type.data,
      base_url: channel.baseUrl,
      api_key: this.box ? this.box.seal(channel.apiKey) : channel.apiKey,
      models: JSON.stringify(channel.models),
      priority: channel.priority,
      weight: channel.weight,
      enabled: channel.enabled ? 1 : 0,
      options: encodeOptions(channelOptionsSchema, channel.options, owner),
      source: channel.source,
      created_at: now(),
    };
    const { created_at: _createdAt, name: _name, api_key: apiKey, ...update } = values;
    await this.db.insertInto('channels').values(values)
      .onConflict((oc) => oc.column('name').doUpdateSet(options.keepStoredKey ? update : { ...update, api_key: apiKey }))
      .execute();
    await this.bumpRevision();
  }

  async removeChannel(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('channels').where('name', '=', name).executeTakeFirst();
    await this.bumpRevision();
    return Number(result.numDeletedRows) > 0;
  }

  async setChannelEnabled(name: string, enabled: boolean): Promise<boolean> {
    const result = await this.db.updateTable('channels').set({ enabled: enabled ? 1 : 0 }).where('name', '=', name).executeTakeFirst();
    await this.bumpRevision();
    return Number(result.numUpdatedRows) > 0;
  }

  async listChannels(): Promise<ChannelRecord[]> {
    const rows = await this.db.selectFrom('channels').selectAll().orderBy('priority', 'desc').orderBy('name').execute();
    return rows.map((r) => {
      const apiKey = this.box ? this.box.open(r.api_key) : SecretBox.isSealed(r.api_key) ? undefined : r.api_key;
      return {
        id: Number(r.id),
        name: r.name,
        type: r.type as ChannelType,
        baseUrl: r.base_url,
        apiKey: apiKey ?? '',
        ...(apiKey === undefined ? { apiKeyUnreadable: true } : {}),
        models: parseJson(r.models, []),
        priority: Number(r.priority),
        weight: Number(r.weight),
        enabled: Number(r.enabled) === 1,
        options: decodeOptions(channelOptionsSchema, r.options, `channel "${r.name}"`, this.report),
        source: r.source,
      };
    });
  }

  async loadSnapshot(): Promise<CatalogSnapshot> {
    const revision = await this.readRevision();
    const [groups, keys, channels] = await Promise.all([this.listGroups(), this.listKeys(), this.listChannels()]);
    return { revision, groups, keys, channels };
  }
}
