// Writes the channels and groups declared in the config file into the store at start-up, so the
// file and the command line manage one catalog. Unchanged entries are left alone, and a channel
// declared without apiKey keeps the key stored for it.
import type { RelayConfig } from './config.ts';
import type { CatalogStore } from '../store/catalog-store.ts';

export async function applyConfigCatalog(store: CatalogStore, config: RelayConfig): Promise<void> {
  if (config.groups.length === 0 && config.channels.length === 0) return;
  const groups = new Map((await store.listGroups()).map((g) => [g.name, g]));
  for (const { name, models, ...options } of config.groups) {
    const existing = groups.get(name);
    if (existing && JSON.stringify(existing.models) === JSON.stringify(models) && JSON.stringify(existing.options) === JSON.stringify(options)) continue;
    await store.upsertGroup(name, models, options, 'config');
  }
  const channels = new Map((await store.listChannels()).map((c) => [c.name, c]));
  for (const { name, type, baseUrl, apiKey, models, priority, weight, enabled, ...options } of config.channels) {
    const record = { name, type, baseUrl, apiKey: apiKey ?? '', models, priority, weight, enabled, options, source: 'config' };
    const existing = channels.get(name);
    const keepStoredKey = apiKey === undefined;
    if (existing) {
      const { id: _id, apiKeyUnreadable: _unreadable, ...rest } = existing;
      const same = keepStoredKey ? { ...rest, apiKey: '' } : rest;
      if (JSON.stringify(same) === JSON.stringify(record)) continue;
    }
    await store.upsertChannel(record, { keepStoredKey });
  }
}
