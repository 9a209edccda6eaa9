// `compact-relay admin-token --rotate`: issues a new admin token for the console and admin API,
// printed once on stdout and stored as a hash; running relays accept only the new one within a
// second. Without --rotate it explains where the token comes from (it cannot be shown again).
import type { Command } from 'commander';
import { AdminAuth } from '../console/admin-auth.ts';
import { AdminStore } from '../store/admin-store.ts';
import { withStore, withStoreOptions } from './store-access.ts';

export function registerAdminTokenCommand(program: Command): void {
  withStoreOptions(program.command('admin-token').description('the console\'s admin token: --rotate issues a new one (the old one stops working)')
    .option('--rotate', 'issue a new token, print it once on stdout, and retire the current one'))
    .action(async (opts) => {
      if (!opts.rotate) {
        console.error('The admin token is stored only as a hash, so it cannot be shown again. The relay printed it on stderr at its first start; "compact-relay admin-token --rotate" issues a new one (the old one stops working), or set COMPACT_RELAY_ADMIN_TOKEN for the relay to choose your own.');
        return;
      }
      const { token, hash } = AdminAuth.newToken();
      await withStore(opts, (store) => new AdminStore(store.db).replaceAdminTokenHash(hash));
      process.stdout.write(token + '\n');
      console.error('new admin token above, shown only this once; running relays accept it (and no longer the old one) within a second');
      if (process.env.COMPACT_RELAY_ADMIN_TOKEN) console.error('note: COMPACT_RELAY_ADMIN_TOKEN is set here; relays started with it keep using that token instead.');
    });
}
