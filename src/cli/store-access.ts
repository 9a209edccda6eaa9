// Opens the store a management command works on: the relay's own, chosen the way `serve` chooses
// it (--data-dir, COMPACT_RELAY_DATA, the config file, DATABASE_URL). Says on stderr which store it
// used, and never creates one by accident: only commands that exist to create one (init) may.
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openStore, StoreMissingError, type StoreHandle } from '../store/database.ts';
import { CatalogStore } from '../store/catalog-store.ts';
import { loadServerSecret } from '../store/server-secret.ts';
import { SecretBox } from '../store/secret-box.ts';

export interface StoreFlags {
  dataDir?: string;
  config?: string;
}

/** Adds --data-dir and --config, the flags that pick the store, to a command. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'the relay\'s data directory (env COMPACT_RELAY_DATA, default ./data); DATABASE_URL selects PostgreSQL instead')
    .option('--config <file>', 'YAML config file (env COMPACT_RELAY_CONFIG)');
}

function missingStoreMessage(location: string, postgres: boolean): string {
  if (postgres) {
    return `No relay store in the database ${location}: its tables do not exist. Check DATABASE_URL (the relay prints the store it uses when it starts), or create the tables on purpose with "compact-relay init".`;
  }
  const dir = location.replace(/[\\/]relay\.db$/, '');
  return `No relay store at ${location}. Point this command at the relay's store with --data-dir DIR (or COMPACT_RELAY_DATA, or DATABASE_URL for PostgreSQL): the relay prints the one it uses when it starts. To create a new store there on purpose: compact-relay init --data-dir ${dir}`;
}

/**
 * Runs `work` on the store and its catalog (channel keys sealed with the relay's server secret),
 * closing it afterwards. Without `create`, a missing store is an error.
 */
export async function withStore<T>(flags: StoreFlags, work: (store: StoreHandle, catalog: CatalogStore) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig({ dataDir: flags.dataDir, config: flags.config });
  let store: StoreHandle;
  try {
    store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, mustExist: options.create !== true });
  } catch (err) {
    if (err instanceof StoreMissingError) throw new Error(missingStoreMessage(err.location, config.databaseUrl !== undefined), { cause: err });
    throw err;
  }
  console.error(`store: ${store.location}`);
  try {
    const secret = await loadServerSecret(store.db, process.env.COMPACT_RELAY_SECRET);
    return await work(store, new CatalogStore(store.db, new SecretBox(secret)));
  } finally {
    await store.close();
  }
}
