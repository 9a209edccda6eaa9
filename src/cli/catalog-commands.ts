// `compact-relay channels|groups|keys`: manage the catalog in the relay's own store (see
// store-access.ts); running servers see changes within a second. Nothing stored is replaced or
// dropped unless the command says so: existing names need --replace, `update` changes only what
// it is given.
import type { Command } from 'commander';
import type { CatalogStore, GroupRecord } from '../store/catalog-store.ts';
import {
  compactionFallbackSchema, compactionOutputSchema, compactionStrategySchema, groupLimitFields, keyLimitFields, LIMIT_FIELDS,
  type CompactionOptions, type LimitOptions,
} from '../access/catalog-schema.ts';
import { AdminStore } from '../store/admin-store.ts';
import { registerChannelCommands } from './channel-commands.ts';
import { registerUsageCommands } from './usage-commands.ts';
import { integerAtLeast, positiveAmount } from './option-parsers.ts';
import { withStore, withStoreOptions } from './store-access.ts';
import { printTable, splitList } from './format.ts';

/** A flag's value checked against one of the catalog's enums; the message lists the values it takes. */
function oneOf<T extends string>(flag: string, values: readonly T[], given: string | undefined): T | undefined {
  if (given === undefined) return undefined;
  if (!values.includes(given as T)) throw new Error(`${flag} must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}; got "${given}"`);
  return given as T;
}

/** The compaction settings the flags give, merged over `current`; `--summarizer-model ""` removes that one. */
function compactionFrom(opts: Record<string, any>, current: CompactionOptions = {}): CompactionOptions {
  const strategy = oneOf('--compaction-strategy', compactionStrategySchema.options, opts.compactionStrategy);
  const output = oneOf('--compaction-output', compactionOutputSchema.options, opts.compactionOutput);
  const fallback = oneOf('--compaction-fallback', compactionFallbackSchema.options, opts.compactionFallback);
  const next: CompactionOptions = { ...current };
  if (strategy !== undefined) next.strategy = strategy;
  if (output !== undefined) next.output = output;
  if (fallback !== undefined) next.fallback = fallback;
  if (opts.summarizerModel === '') delete next.summarizerModel;
  else if (opts.summarizerModel !== undefined) next.summarizerModel = opts.summarizerModel;
  return next;
}

function modelsFrom(value: string): string[] {
  const models = splitList(value);
  if (models.length === 0) throw new Error('--models needs at least one model name, or *');
  return models;
}

async function findGroup(catalog: CatalogStore, name: string): Promise<GroupRecord | undefined> {
  return (await catalog.listGroups()).find((g) => g.name === name);
}

function warnIfDeclaredInConfig(group: GroupRecord | undefined): void {
  if (group?.source === 'config') console.error(`warning: group "${group.name}" is declared in the config file; the relay restores the file's settings when it starts, so make this change there too.`);
}

function compactionFlags(command: Command): Command {
  return command
    .option('--compaction-strategy <strategy>', 'model (summary + ledger, default) | ledger (no model call) | none')
    .option('--compaction-output <form>', 'message (portable summary message, default) | sealed (one sealed compaction item, like OpenAI)')
    .option('--summarizer-model <model>', 'a cheaper model that writes compaction summaries (default: the request\'s own; "" to unset)')
    .option('--compaction-fallback <mode>', 'when the model summary fails: ledger (the ledger stands in, said in x-compaction-fallback; default) | error (answer 502/503/504)');
}

function registerGroupCommands(program: Command): Command {
  const groups = program.command('groups').description('groups of keys and the models they may use');
  withStoreOptions(compactionFlags(groups.command('add').description('add a group (--replace to replace the models and compaction settings of an existing one; its limits are kept)')
    .requiredOption('--name <name>', 'group name')
    .requiredOption('--models <list>', 'comma-separated model names, or * for all'))
    .option('--replace', 'replace the group of that name if there is one'))
    .action(async (opts) => {
      const models = modelsFrom(opts.models);
      const compaction = compactionFrom(opts);
      const existing = await withStore(opts, async (_s, catalog) => {
        const group = await findGroup(catalog, opts.name);
        if (group && !opts.replace) throw new Error(`A group named "${opts.name}" already exists (models ${group.models.join(',')}). Change it with "compact-relay groups update ${opts.name} --flag…", or replace it with "groups add … --replace".`);
        warnIfDeclaredInConfig(group);
        const { compaction: _old, ...kept } = group?.options ?? {};
        await catalog.upsertGroup(opts.name, models, { ...kept, ...(Object.keys(compaction).length ? { compaction } : {}) });
        return group;
      });
      const kept = existing ? Object.keys(existing.options).filter((k) => k !== 'compaction') : [];
      console.error(`group "${opts.name}" ${existing ? 'replaced' : 'added'}${kept.length ? `; kept its ${kept.join(', ')}` : ''}`);
    });
  withStoreOptions(compactionFlags(groups.command('update').description('change only the settings given').argument('<name>')
    .option('--models <list>', 'comma-separated model names, or * for all')))
    .action(async (name: string, opts) => {
      if ([opts.models, opts.compactionStrategy, opts.compactionOutput, opts.summarizerModel, opts.compactionFallback].every((v) => v === undefined)) {
        throw new Error('Nothing to change: give at least one of --models, --compaction-strategy, --compaction-output, --summarizer-model, --compaction-fallback.');
      }
      await withStore(opts, async (_s, catalog) => {
        const group = await findGroup(catalog, name);
        if (!group) throw new Error(`No group named "${name}"; add it with "compact-relay groups add --name ${name} --models …".`);
        warnIfDeclaredInConfig(group);
        const compaction = compactionFrom(opts, group.options.compaction);
        const { compaction: _old, ...rest } = group.options;
        await catalog.upsertGroup(name, opts.models !== undefined ? modelsFrom(opts.models) : group.models, { ...rest, ...(Object.keys(compaction).length ? { compaction } : {}) }, group.source);
      });
      console.error(`group "${name}" updated`);
    });
  withStoreOptions(groups.command('list').description('list groups')).action(async (opts) => {
    const rows = await withStore(opts, (_s, c) => c.listGroups());
    printTable(rows.map((g) => ({ name: g.name, models: g.models.join(','), compaction: JSON.stringify(g.options.compaction ?? {}), source: g.source })));
  });
  withStoreOptions(groups.command('remove').description('remove a group without active keys').argument('<name>')).action(async (name: string, opts) => {
    const removed = await withStore(opts, (_s, c) => c.removeGroup(name));
    if (!removed) throw new Error(`No group named "${name}".`);
    console.error(`group "${name}" removed`);
  });
  return groups;
}

function registerKeyCommands(program: Command): Command {
  const keys = program.command('keys').description('API keys');
  withStoreOptions(keys.command('create').description('create a key; prints the secret once, on stdout')
    .requiredOption('--name <name>', 'key name')
    .requiredOption('--group <group>', 'the group deciding its models'))
    .action(async (opts) => {
      const { secret } = await withStore(opts, async (_s, c) => {
        const existing = (await c.listKeys()).find((k) => k.name === opts.name);
        if (existing) throw new Error(`A key named "${opts.name}" already exists${existing.revokedAt ? ' (revoked)' : ` in group "${existing.groupName}"`}; it is left unchanged. Pick another name${existing.revokedAt ? '' : `, or move it with "compact-relay keys update ${opts.name} --group …"`}.`);
        return c.createKey(opts.name, opts.group);
      });
      process.stdout.write(secret + '\n');
      console.error(`key "${opts.name}" created in group "${opts.group}"; the secret above is shown only once`);
    });
  withStoreOptions(keys.command('update').description('move a key to another group; its secret stays the same').argument('<name>')
    .requiredOption('--group <group>', 'the group deciding its models'))
    .action(async (name: string, opts) => {
      await withStore(opts, async (store, c) => {
        if (!(await c.listKeys()).some((k) => k.name === name && !k.revokedAt)) throw new Error(`No active key named "${name}".`);
        if (!(await findGroup(c, opts.group))) throw new Error(`Group "${opts.group}" does not exist; create it with "compact-relay groups add --name ${opts.group} --models ...".`);
        await new AdminStore(store.db).setKeyGroup(name, opts.group);
      });
      console.error(`key "${name}" moved to group "${opts.group}"`);
    });
  withStoreOptions(keys.command('list').description('list keys (secrets are never shown)')).action(async (opts) => {
    const rows = await withStore(opts, (_s, c) => c.listKeys());
    printTable(rows.map((k) => ({ name: k.name, prefix: k.keyPrefix + '…', group: k.groupName, limits: JSON.stringify(k.options), created: k.createdAt, revoked: k.revokedAt ?? '' })));
  });
  withStoreOptions(keys.command('revoke').description('revoke a key').argument('<name>')).action(async (name: string, opts) => {
    const revoked = await withStore(opts, (_s, c) => c.revokeKey(name));
    if (!revoked) throw new Error(`No active key named "${name}".`);
    console.error(`key "${name}" revoked`);
  });
  return keys;
}

/** One flag per limit of the catalog schema (`quotaTokens` → `--quota-tokens <n>`), described and checked as it says. */
function limitFlags(command: Command, fields: typeof groupLimitFields | typeof keyLimitFields): Command {
  for (const [field, schema] of Object.entries(fields)) {
    const flag = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    command.option(`${flag} <${schema.isInt ? 'n' : 'amount'}>`, schema.description ?? field, schema.isInt ? integerAtLeast(1) : positiveAmount);
  }
  return withStoreOptions(command.option('--clear', 'remove every limit first'));
}

function mergeLimits<T extends LimitOptions>(current: T, opts: Record<string, any>): T {
  const next: T = { ...current };
  if (opts.clear) for (const k of LIMIT_FIELDS) delete next[k];
  for (const k of LIMIT_FIELDS) if (opts[k] !== undefined) next[k] = opts[k];
  return next;
}

function registerLimitCommands(keys: Command, groups: Command): void {
  limitFlags(keys.command('limits').description('set rate limits and quotas of a key').argument('<name>'), keyLimitFields).action(async (name: string, opts) => {
    const done = await withStore(opts, async (_s, c) => {
      const key = (await c.listKeys()).find((k) => k.name === name && !k.revokedAt);
      if (!key) throw new Error(`No active key named "${name}".`);
      const options = mergeLimits(key.options, opts);
      await c.updateKeyOptions(name, options);
      return options;
    });
    console.error(`key "${name}" limits: ${JSON.stringify(done)}`);
  });
  limitFlags(groups.command('limits').description('set rate limits shared by all keys of a group').argument('<name>'), groupLimitFields).action(async (name: string, opts) => {
    const done = await withStore(opts, async (_s, c) => {
      const group = await findGroup(c, name);
      if (!group) throw new Error(`No group named "${name}".`);
      warnIfDeclaredInConfig(group);
      const options = mergeLimits(group.options, opts);
      await c.updateGroupOptions(name, options);
      return options;
    });
    console.error(`group "${name}" limits: ${JSON.stringify(done)}`);
  });
}

export function registerCatalogCommands(program: Command): void {
  registerChannelCommands(program);
  const groups = registerGroupCommands(program);
  const keys = registerKeyCommands(program);
  registerLimitCommands(keys, groups);
  registerUsageCommands(program);
}
