// The live catalog a server answers from: an in-memory snapshot of groups, keys and channels,
// indexed for the hot path and refreshed when the store's revision changes (polled each second,
// and read again, at most four times a second, when a key it does not know is presented).
import type { CatalogSnapshot, CatalogStore, ChannelRecord, GroupRecord, KeyRecord } from '../store/catalog-store.ts';
import { hashKeySecret } from './key-secret.ts';

export interface Principal {
  key: KeyRecord;
  group: GroupRecord;
}

export class CatalogIndex {
  readonly revision: string;
  readonly channels: ChannelRecord[];
  readonly groups: Map<string, GroupRecord>;
  private readonly principalsByHash: Map<string, Principal>;
  /** Client-facing model name → enabled channels serving it. */
  private readonly channelsByModel: Map<string, ChannelRecord[]>;
  /** Client-facing model names served by at least one channel, enabled or not. */
  private readonly knownModels: Set<string>;

  constructor(snapshot: CatalogSnapshot) {
    this.revision = snapshot.revision;
    this.channels = snapshot.channels;
    this.groups = new Map(snapshot.groups.map((g) => [g.name, g]));
    this.principalsByHash = new Map();
    for (const key of snapshot.keys) {
      if (key.revokedAt) continue;
      const group = this.groups.get(key.groupName);
      if (group) this.principalsByHash.set(key.keyHash, { key, group });
    }
    this.channelsByModel = new Map();
    this.knownModels = new Set();
    for (const channel of snapshot.channels) {
      const names = new Set([...channel.models, ...Object.keys(channel.options.aliases ?? {})]);
      for (const model of names) {
        this.knownModels.add(model);
        if (!channel.enabled) continue;
        const list = this.channelsByModel.get(model) ?? [];
        list.push(channel);
        this.channelsByModel.set(model, list);
      }
    }
  }

  /** The key and group a presented secret belongs to, or undefined (unknown or revoked). */
  authenticate(secret: string): Principal | undefined {
    return this.principalsByHash.get(hashKeySecret(secret));
  }

  groupAllows(group: GroupRecord, model: string): boolean {
    return group.models.includes('*') || group.models.includes(model);
  }

  isKnownModel(model: string): boolean {
    return this.knownModels.has(model);
  }

  channelsFor(model: string): ChannelRecord[] {
    return this.channelsByModel.get(model) ?? [];
  }

  /** Models a group may use that some channel serves, sorted. */
  modelsForGroup(group: GroupRecord): string[] {
    return [...this.knownModels].filter((m) => this.groupAllows(group, m)).sort();
  }
}

/**
 * An unknown key re-reads the catalog at most this often before it is refused, so a key made a
 * moment ago (by the CLI, the console or another instance) works at once; a flood of bad keys
 * costs one revision read per interval, whatever its rate.
 */
export const MISS_REFRESH_INTERVAL_MS = 250;

/** Keeps a CatalogIndex current by polling the store's revision. */
export class LiveCatalog {
  private index: CatalogIndex;
  private timer: NodeJS.Timeout | undefined;
  private lastMissRefresh = 0;
  private missRefresh: Promise<unknown> | undefined;
  private readonly store: CatalogStore;
  private onError: (err: unknown) => void;

  private constructor(store: CatalogStore, index: CatalogIndex, onError: (err: unknown) => void) {
    this.store = store;
    this.index = index;
    this.onError = onError;
  }

  static async load(store: CatalogStore, onError: (err: unknown) => void = () => {}): Promise<LiveCatalog> {
    return new LiveCatalog(store, new CatalogIndex(await store.loadSnapshot()), onError);
  }

  get current(): CatalogIndex {
    return this.index;
  }

  /** The key and group of a presented secret; a miss re-reads the catalog first (rate-bounded, see MISS_REFRESH_INTERVAL_MS). */
  async authenticate(secret: string): Promise<Principal | undefined> {
    const found = this.index.authenticate(secret);
    if (found) return found;
    if (!this.missRefresh) {
      if (Date.now() - this.lastMissRefresh < MISS_REFRESH_INTERVAL_MS) return undefined;
      this.lastMissRefresh = Date.now();
      this.missRefresh = this.refresh()
        .catch(this.onError)
        .finally(() => (this.missRefresh = undefined));
    }
    await this.missRefresh;
    return this.index.authenticate(secret);
  }

  /** Reloads now if the revision changed; returns whether it did. */
  async refresh(): Promise<boolean> {
    const revision = await this.store.readRevision();
    if (revision === this.index.revision) return false;
    this.index = new CatalogIndex(await this.store.loadSnapshot());
    return true;
  }

  startPolling(intervalMs = 1000): void {
    this.timer = setInterval(() => {
      this.refresh().catch(this.onError);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
