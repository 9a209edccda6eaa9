// `compact-relay init`: creates the relay's store on purpose (management commands refuse to
// create one by accident), for provisioning channels and keys before the first start.
import type { Command } from 'commander';
import { withStore, withStoreOptions } from './store-access.ts';

export function registerInitCommand(program: Command): void {
  withStoreOptions(program.command('init').description('create the relay\'s store (SQLite in --data-dir, or the tables in DATABASE_URL) if it does not exist'))
    .action(async (opts) => {
      await withStore(opts, async () => {}, { create: true });
      console.error('store ready; point every command and the relay at it with the same --data-dir / DATABASE_URL');
    });
}
